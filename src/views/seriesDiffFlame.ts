import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { decodeProfile } from '../core/pprof/decodeProfile';
import { diff } from '../core/pprof/diff';
import type { SeriesIndex } from '../core/series/seriesIndex';
import { flameGraphModel } from './flameGraphModel';
import type { SeriesDiff } from './seriesDashboardMessages';

/** Raised when a requested snapshot has no readable heap profile in the series folder. */
export class SeriesDiffError extends Error {
  override name = 'SeriesDiffError';
}

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
  const [base, current] = await Promise.all([heapOf(dir, index, baseSeq), heapOf(dir, index, currentSeq)]);
  const d = diff(base, current);
  let sampleIndex = d.sampleTypes.findIndex((t) => t.type === 'inuse_space');
  if (sampleIndex < 0) sampleIndex = d.sampleTypes.length - 1;
  const st = d.sampleTypes[sampleIndex];
  if (!st) throw new SeriesDiffError('the heap profiles have no common sample type');
  return { baseSeq, currentSeq, sampleType: st.type, unit: st.unit, flame: flameGraphModel(d, sampleIndex) };
}

async function heapOf(dir: string, index: SeriesIndex, seq: number) {
  const e = index.snapshots.find((s) => s.seq === seq);
  const f = e?.files.heap;
  if (!f) throw new SeriesDiffError(`snapshot ${seq} has no heap profile`);
  const root = path.resolve(dir);
  const full = path.resolve(root, f);
  const rel = path.relative(root, full);
  // The index is data from disk: never follow a name out of the series folder.
  if (rel.startsWith('..') || path.isAbsolute(rel))
    throw new SeriesDiffError(`snapshot ${seq}: heap file is outside the folder`);
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(full);
  } catch (e) {
    throw new SeriesDiffError(`snapshot ${seq}: cannot read ${f}: ${(e as Error).message}`);
  }
  try {
    return decodeProfile(bytes);
  } catch (e) {
    throw new SeriesDiffError(`snapshot ${seq}: ${f}: ${(e as Error).message}`);
  }
}
