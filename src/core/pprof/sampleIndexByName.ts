import type { Profile } from './profileModel';
import { defaultSampleIndex } from './profileModel';

/** Raised when a requested sample type does not exist in a profile; the message lists the valid ones. */
export class UnknownSampleTypeError extends Error {
  override name = 'UnknownSampleTypeError';
}

/**
 * Resolves a `-sample_index` value the way google/pprof's `Profile.SampleIndexByName` does: empty means the default
 * (`default_sample_type`, else the last type); an integer selects that index; otherwise the type name, also accepting
 * the legacy `inuse_` prefix for profiles whose types are `space`/`objects`. Throws {@link UnknownSampleTypeError}.
 */
export function sampleIndexByName(p: Profile, sampleIndex: string | undefined): number {
  const names = p.sampleTypes.map((t) => t.type);
  if (names.length === 0) throw new UnknownSampleTypeError('profile has no sample types');
  if (sampleIndex === undefined || sampleIndex === '') return defaultSampleIndex(p);
  if (/^[+-]?\d+$/.test(sampleIndex)) {
    const i = Number(sampleIndex);
    if (i < 0 || i >= names.length) {
      throw new UnknownSampleTypeError(`sample index ${sampleIndex} is outside the range [0..${names.length - 1}]`);
    }
    return i;
  }
  const noInuse = sampleIndex.startsWith('inuse_') ? sampleIndex.slice('inuse_'.length) : sampleIndex;
  const i = names.findIndex((n) => n === sampleIndex || n === noInuse);
  if (i < 0) {
    throw new UnknownSampleTypeError(`sample index ${JSON.stringify(sampleIndex)} must be one of: ${names.join(', ')}`);
  }
  return i;
}
