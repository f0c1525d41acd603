import { goRegExp } from './goRegExp';
import type { Location, Profile } from './profileModel';
import { sampleStack } from './profileModel';
import { SampleTableBuilder } from './sampleTableBuilder';

const reservedNames = ['(anonymous namespace)', 'operator()'];

/** pprof's `simplifyFunc`: strips a leading '.' and an argument list, keeping reserved names that contain '('. */
function simplifyFunc(f: string): string {
  let name = f.startsWith('.') ? f.slice(1) : f;
  const re = /\(anonymous namespace\)|operator\(\)|\(/g;
  for (let m = re.exec(name); m; m = re.exec(name)) {
    if (!reservedNames.includes(m[0])) {
      name = name.slice(0, m.index);
      break;
    }
  }
  return name;
}

/**
 * google/pprof's `Profile.Prune`: removes from each stack the frames beneath (callee side of) the root-most frame whose
 * function matches `drop` and not `keep`, together with that frame; frames before the first non-matching (user) frame
 * from the root are left alone so that nothing is pruned entirely. Returns a new profile; the input is not modified.
 */
export function prune(p: Profile, drop: RegExp, keep?: RegExp): Profile {
  const cache = new Map<string, boolean>();
  const pruneFromHere = (s: string): boolean => {
    let r = cache.get(s);
    if (r === undefined) {
      const fn = simplifyFunc(s);
      r = drop.test(fn) && (keep === undefined || !keep.test(fn));
      cache.set(s, r);
    }
    return r;
  };
  const pruneLoc = new Uint8Array(p.locations.length);
  const pruneBeneath = new Uint8Array(p.locations.length);
  const locations = p.locations.map((loc, idx): Location => {
    let i: number;
    for (i = loc.lines.length - 1; i >= 0; i--) {
      const fn = loc.lines[i]!.function;
      if (fn.name !== '' && pruneFromHere(fn.name)) break;
    }
    if (i < 0) return loc;
    pruneBeneath[idx] = 1;
    if (i === loc.lines.length - 1) {
      pruneLoc[idx] = 1;
      return loc;
    }
    return { ...loc, lines: loc.lines.slice(i + 1) };
  });
  const src = p.samples;
  const t = p.sampleTypes.length;
  const out = new SampleTableBuilder(t, src.count);
  for (let s = 0; s < src.count; s++) {
    let stack = sampleStack(src, s);
    let foundUser = false;
    for (let i = stack.length - 1; i >= 0; i--) {
      const id = stack[i]!;
      if (!pruneLoc[id] && !pruneBeneath[id]) {
        foundUser = true;
        continue;
      }
      if (!foundUser) continue;
      if (pruneLoc[id]) {
        stack = stack.subarray(i + 1);
        break;
      }
      if (pruneBeneath[id]) {
        stack = stack.subarray(i);
        break;
      }
    }
    out.add(stack, src.values, src.labels[s], s * t);
  }
  return { ...p, locations, samples: out.build() };
}

/**
 * google/pprof's `Profile.RemoveUninteresting`, which `go tool pprof` applies to every profile it loads: prunes with the
 * profile's own `drop_frames` / `keep_frames` regexps (anchored as `^(...)$`). Returns the input when it has none.
 */
export function removeUninteresting(p: Profile): Profile {
  if (p.dropFrames === '') return p;
  const drop = goRegExp(`^(${p.dropFrames})$`, 'drop_frames');
  const keep = p.keepFrames !== '' ? goRegExp(`^(${p.keepFrames})$`, 'keep_frames') : undefined;
  return prune(p, drop, keep);
}
