import { ProfileMismatchError } from './profileErrors';
import type { Profile } from './profileModel';
import { sampleStack } from './profileModel';
import { SampleTableBuilder } from './sampleTableBuilder';

/**
 * Restricts profiles to the sample types (by type name) present in all of them, in the first profile's order, as
 * google/pprof's `CompatibilizeSampleTypes` does before `go tool pprof` merges sources or applies `-base`.
 * A profile whose default sample type is dropped gets the first common type as its default.
 * Throws {@link ProfileMismatchError} when there is no common sample type. Inputs are not modified.
 */
export function compatibilizeSampleTypes(ps: readonly Profile[]): Profile[] {
  const first = ps[0];
  if (first === undefined) return [];
  const common = first.sampleTypes
    .map((st) => st.type)
    .filter((name) => ps.every((p) => p.sampleTypes.some((st) => st.type === name)));
  if (common.length === 0) {
    throw new ProfileMismatchError(
      `profiles have no sample type in common: ${ps.map((p) => `[${p.sampleTypes.map((s) => s.type).join(' ')}]`).join(' vs ')}`,
    );
  }
  return ps.map((p) => project(p, common));
}

function project(p: Profile, types: string[]): Profile {
  const reMap = types.map((name) => p.sampleTypes.findIndex((st) => st.type === name));
  const identity = reMap.length === p.sampleTypes.length && reMap.every((idx, i) => idx === i);
  if (identity) return p;
  const defaultSampleType = types.includes(p.defaultSampleType) ? p.defaultSampleType : types[0]!;
  const src = p.samples;
  const t = p.sampleTypes.length;
  const out = new SampleTableBuilder(types.length, src.count);
  const row = new Float64Array(types.length);
  for (let i = 0; i < src.count; i++) {
    reMap.forEach((idx, j) => (row[j] = src.values[i * t + idx]!));
    out.add(sampleStack(src, i), row, src.labels[i]);
  }
  return { ...p, sampleTypes: reMap.map((idx) => p.sampleTypes[idx]!), samples: out.build(), defaultSampleType };
}
