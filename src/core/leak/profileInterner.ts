import type { Profile } from '../pprof/profileModel';
import { FrameTable } from './frameTable';
import { StackTable } from './stackTable';

/**
 * Turns the samples of successive profiles into stack ids that are stable across them.
 *
 * Holds one {@link FrameTable} and one {@link StackTable} for the life of a series; each profile costs one pass
 * over its locations (to intern their frames) and one trie walk per sample. The profile itself is not retained.
 */
export class ProfileInterner {
  /** Frames seen so far. */
  readonly frames: FrameTable;
  /** Stacks seen so far. */
  readonly stacks = new StackTable(4096);

  constructor(userModules: readonly string[] = []) {
    this.frames = new FrameTable(userModules);
  }

  /** Returns the stack id of every sample of `p`, in sample order. */
  internSamples(p: Profile): Int32Array {
    // Frames of each location, flattened: location i has frames locFrames[locStart[i] .. locStart[i+1]), innermost first.
    const nLoc = p.locations.length;
    const locStart = new Uint32Array(nLoc + 1);
    let total = 0;
    for (let i = 0; i < nLoc; i++) total += Math.max(1, p.locations[i]!.lines.length);
    const locFrames = new Int32Array(total);
    let off = 0;
    for (let i = 0; i < nLoc; i++) {
      locStart[i] = off;
      const loc = p.locations[i]!;
      if (loc.lines.length === 0) {
        // An unsymbolized location: keep it distinct by its address so different PCs are not merged.
        locFrames[off++] = this.frames.intern('', `0x${loc.address.toString(16)}`, 0);
      } else {
        for (const ln of loc.lines)
          locFrames[off++] = this.frames.intern(ln.function.name, ln.function.filename, ln.line);
      }
    }
    locStart[nLoc] = off;

    const t = p.samples;
    const out = new Int32Array(t.count);
    const stacks = this.stacks;
    for (let s = 0; s < t.count; s++) {
      let node = StackTable.EMPTY;
      // Walk from the root (last location) to the leaf, and within a location from the outermost inlined frame in.
      for (let k = t.stackStart[s + 1]! - 1; k >= t.stackStart[s]!; k--) {
        const li = t.locIndex[k]!;
        for (let f = locStart[li + 1]! - 1; f >= locStart[li]!; f--) node = stacks.child(node, locFrames[f]!);
      }
      out[s] = node;
    }
    return out;
  }
}
