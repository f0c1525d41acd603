import type { Profile } from '../pprof/profileModel';
import { FrameTable } from './frameTable';
import { StackTable } from './stackTable';

/**
 * Turns the samples of successive profiles into stack ids that are stable across them.
 *
 * Holds one {@link FrameTable} and one {@link StackTable} for the life of a series. Location ids are per profile,
 * so each location is first mapped to a series-wide location id (keyed by its address and symbolized frames);
 * each sample's sequence of those ids is then looked up whole in a hash table of sequences seen before. Only a
 * sequence never seen walks the frame trie. In a long series almost every stack repeats, so a snapshot costs
 * one hash and one comparison per sample instead of one trie probe per frame. Profiles are not retained.
 */
export class ProfileInterner {
  /** Frames seen so far. */
  readonly frames: FrameTable;
  /** Stacks seen so far. */
  readonly stacks = new StackTable(4096);
  private readonly locIds = new Map<string, number>();
  /** Frames of each series-wide location id, flattened: id i has frames locFrames[locStart[i] .. locStart[i+1]). */
  private locFrames = new Int32Array(4096);
  private locStart: number[] = [0];
  // Sequences of series-wide location ids, flattened; seqStart[e]/seqLen[e] delimit entry e, seqNode[e] its stack.
  private seqData = new Int32Array(1 << 16);
  private seqUsed = 0;
  private seqStart = new Int32Array(1024);
  private seqLen = new Int32Array(1024);
  private seqNode = new Int32Array(1024);
  private seqCount = 0;
  private slots = new Int32Array(4096); // entry + 1, 0 = empty
  private slotHash = new Int32Array(4096);
  private mask = 4095;

  constructor(userModules: readonly string[] = []) {
    this.frames = new FrameTable(userModules);
  }

  /** Returns the stack id of every sample of `p`, in sample order. */
  internSamples(p: Profile): Int32Array {
    const nLoc = p.locations.length;
    const gl = new Int32Array(nLoc);
    for (let i = 0; i < nLoc; i++) gl[i] = this.locationId(p, i);
    const t = p.samples;
    const out = new Int32Array(t.count);
    let buf = new Int32Array(64);
    for (let s = 0; s < t.count; s++) {
      const a = t.stackStart[s]!;
      const n = t.stackStart[s + 1]! - a;
      if (n > buf.length) buf = new Int32Array(n * 2);
      let h = 0x811c9dc5 ^ n;
      for (let k = 0; k < n; k++) {
        const id = gl[t.locIndex[a + k]!]!;
        buf[k] = id;
        h = Math.imul(h ^ id, 0x01000193);
      }
      h ^= h >>> 16;
      out[s] = this.lookupOrAdd(buf, n, h | 0);
    }
    return out;
  }

  private lookupOrAdd(seq: Int32Array, n: number, h: number): number {
    let i = h & this.mask;
    for (;;) {
      const e1 = this.slots[i]!;
      if (e1 === 0) break;
      if (this.slotHash[i] === h) {
        const e = e1 - 1;
        if (this.seqLen[e] === n) {
          const st = this.seqStart[e]!;
          let k = 0;
          while (k < n && this.seqData[st + k] === seq[k]) k++;
          if (k === n) return this.seqNode[e]!;
        }
      }
      i = (i + 1) & this.mask;
    }
    // A new sequence: walk the frame trie from the root (last location, outermost inlined frame first).
    let node = StackTable.EMPTY;
    for (let k = n - 1; k >= 0; k--) {
      const id = seq[k]!;
      for (let f = this.locStart[id + 1]! - 1; f >= this.locStart[id]!; f--)
        node = this.stacks.child(node, this.locFrames[f]!);
    }
    const e = this.seqCount++;
    if (e >= this.seqStart.length) {
      this.seqStart = grow(this.seqStart, e + 1);
      this.seqLen = grow(this.seqLen, e + 1);
      this.seqNode = grow(this.seqNode, e + 1);
    }
    if (this.seqUsed + n > this.seqData.length) this.seqData = grow(this.seqData, this.seqUsed + n);
    this.seqData.set(seq.subarray(0, n), this.seqUsed);
    this.seqStart[e] = this.seqUsed;
    this.seqLen[e] = n;
    this.seqNode[e] = node;
    this.seqUsed += n;
    this.slots[i] = e + 1;
    this.slotHash[i] = h;
    if (this.seqCount * 2 > this.slots.length) this.rehash();
    return node;
  }

  private rehash(): void {
    const size = this.slots.length * 2;
    const slots = new Int32Array(size);
    const hashes = new Int32Array(size);
    const mask = size - 1;
    for (let i = 0; i < this.slots.length; i++) {
      const e1 = this.slots[i]!;
      if (e1 === 0) continue;
      const h = this.slotHash[i]!;
      let j = h & mask;
      while (slots[j] !== 0) j = (j + 1) & mask;
      slots[j] = e1;
      hashes[j] = h;
    }
    this.slots = slots;
    this.slotHash = hashes;
    this.mask = mask;
  }

  /** The series-wide id of location `i` of `p`, interning it and its frames on first sight. */
  private locationId(p: Profile, i: number): number {
    const loc = p.locations[i]!;
    // The address alone is not enough (a restarted or rebuilt binary reuses addresses for other code), so the
    // key carries the symbolized frames too.
    let key = loc.address.toString(16);
    for (const ln of loc.lines) key += `\u0000${ln.function.name}\u0000${ln.function.filename}\u0000${ln.line}`;
    let id = this.locIds.get(key);
    if (id !== undefined) return id;
    id = this.locStart.length - 1;
    this.locIds.set(key, id);
    const frames =
      loc.lines.length === 0
        ? // An unsymbolized location: keep it distinct by its address so different PCs are not merged.
          [this.frames.intern('', `0x${loc.address.toString(16)}`, 0)]
        : loc.lines.map((ln) => this.frames.intern(ln.function.name, ln.function.filename, ln.line));
    const start = this.locStart[id]!;
    if (start + frames.length > this.locFrames.length) this.locFrames = grow(this.locFrames, start + frames.length);
    this.locFrames.set(frames, start);
    this.locStart.push(start + frames.length);
    return id;
  }

  /** Bytes held by the interning tables, for memory accounting in benchmarks. */
  get byteSize(): number {
    return (
      this.stacks.byteSize +
      this.seqData.byteLength +
      this.seqStart.byteLength * 3 +
      this.slots.byteLength * 2 +
      this.locFrames.byteLength
    );
  }
}

function grow(a: Int32Array, min: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}
