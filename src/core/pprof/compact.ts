import { merge } from './merge';
import type { Profile } from './profileModel';

/**
 * Garbage-collects a profile as google/pprof's `Profile.Compact` does (it is `Merge([p])`): drops all-zero samples,
 * merges samples with identical stacks and labels, and removes locations, functions and mappings no sample uses
 * (except the first mapping, which pprof always keeps as the main binary), renumbering ids from 1.
 */
export function compact(p: Profile): Profile {
  return merge([p]);
}
