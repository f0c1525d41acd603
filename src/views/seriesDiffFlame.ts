import type { SeriesIndex } from '../core/series/seriesIndex';
import { diffSnapshots, SeriesDiffError } from '../core/series/snapshotDiff';
import { flameGraphModel } from './flameGraphModel';
import type { SeriesDiff } from './seriesDashboardMessages';

/** Raised when a requested snapshot has no readable heap profile (defined in core, re-exported for the views). */
export { SeriesDiffError };

/**
 * Builds the diff flame graph `current − base` (as `go tool pprof -base`) of two snapshots' heap profiles on the
 * in-use bytes sample type. Only files named by the index inside `dir` are read.
 */
export async function seriesDiffFlame(
  dir: string,
  index: SeriesIndex,
  baseSeq: number,
  currentSeq: number,
): Promise<SeriesDiff> {
  const d = await diffSnapshots(dir, index, baseSeq, currentSeq);
  let sampleIndex = d.sampleTypes.findIndex((t) => t.type === 'inuse_space');
  if (sampleIndex < 0) sampleIndex = d.sampleTypes.length - 1;
  const st = d.sampleTypes[sampleIndex];
  if (!st) throw new SeriesDiffError('the heap profiles have no common sample type');
  return { baseSeq, currentSeq, sampleType: st.type, unit: st.unit, flame: flameGraphModel(d, sampleIndex) };
}
