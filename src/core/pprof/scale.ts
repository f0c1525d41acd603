import { ProfileMismatchError } from './profileErrors';
import type { Profile } from './profileModel';
import { sampleStack } from './profileModel';
import { SampleTableBuilder } from './sampleTableBuilder';

/**
 * Rounds half away from zero, like Go's `math.Round`; JavaScript's `Math.round` rounds -2.5 to -2,
 * which would make our diffs disagree with `go tool pprof` by one unit on such values.
 */
export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * Multiplies sample values by a ratio (or one ratio per sample type), as google/pprof's `Profile.Scale` / `ScaleN` do:
 * each scaled value is `int64(math.Round(v * ratio))`, and a sample is kept only if at least one value whose ratio is
 * not 1 is non-zero afterwards. (pprof's quirk, kept on purpose: a sample whose only non-zero values sit in columns
 * with ratio 1 is dropped.) When every ratio is 1 the input is returned unchanged, as pprof does nothing then.
 * Returns a new profile sharing the input's locations, functions and mappings; the input is not modified.
 */
export function scale(p: Profile, ratio: number | readonly number[]): Profile {
  const t = p.sampleTypes.length;
  const ratios = typeof ratio === 'number' ? new Array<number>(t).fill(ratio) : ratio;
  if (ratios.length !== t) {
    throw new ProfileMismatchError(`mismatched scale ratios, got ${ratios.length}, want ${t}`);
  }
  if (ratios.every((r) => r === 1)) return p;
  const src = p.samples;
  const out = new SampleTableBuilder(t, src.count);
  const row = new Float64Array(t);
  for (let i = 0; i < src.count; i++) {
    let keep = false;
    for (let j = 0; j < t; j++) {
      const v = src.values[i * t + j]!;
      const r = ratios[j]!;
      if (r !== 1) {
        // `+ 0` turns -0 into 0 so that JSON output never shows "-0".
        const s = roundHalfAwayFromZero(v * r) + 0;
        row[j] = s;
        keep ||= s !== 0;
      } else {
        row[j] = v;
      }
    }
    if (keep) out.add(sampleStack(src, i), row, src.labels[i]);
  }
  return { ...p, samples: out.build() };
}
