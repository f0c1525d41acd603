import { compatibilizeSampleTypes } from './compatibilizeSampleTypes';
import { merge } from './merge';
import type { Profile } from './profileModel';
import { scale } from './scale';

/**
 * Computes `current − base` exactly as `go tool pprof -base BASE CURRENT` does (internal/driver fetch.go): the base is
 * scaled by −1, both are restricted to their common sample types, and they are merged with the current profile first
 * (so header fields such as the default sample type come from it). Samples present in both with equal values cancel
 * out and are dropped; values can be negative. pprof also converts differing units of one type (e.g. bytes vs
 * kilobytes) before merging; we do not, and throw {@link ProfileMismatchError} from the merge instead.
 */
export function diff(base: Profile, current: Profile): Profile {
  const negBase = scale(base, -1);
  const [cur, b] = compatibilizeSampleTypes([current, negBase]) as [Profile, Profile];
  return merge([cur, b]);
}
