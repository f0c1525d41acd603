import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { decodeProfile } from '../pprof/decodeProfile';
import { diff } from '../pprof/diff';
import type { Profile } from '../pprof/profileModel';
import type { SeriesIndex, SnapshotEntry } from './seriesIndex';

/** Raised when a requested snapshot has no readable heap profile in the series folder. */
export class SeriesDiffError extends Error {
  override name = 'SeriesDiffError';
}

/**
 * The absolute path of a snapshot's stored heap profile. The index is data from disk, so a name that leads out of
 * the series folder is refused.
 */
export function snapshotHeapFile(dir: string, index: SeriesIndex, seq: number): string {
  const e = index.snapshots.find((s) => s.seq === seq);
  const f = e?.files.heap;
  if (!f) throw new SeriesDiffError(`snapshot ${seq} has no heap profile`);
  const root = path.resolve(dir);
  const full = path.resolve(root, f);
  const rel = path.relative(root, full);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel))
    throw new SeriesDiffError(`snapshot ${seq}: heap file is outside the folder`);
  return full;
}

/** Reads and decodes a snapshot's heap profile, with a typed error naming the snapshot. */
export async function readSnapshotHeap(dir: string, index: SeriesIndex, seq: number): Promise<Profile> {
  const full = snapshotHeapFile(dir, index, seq);
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(full);
  } catch (e) {
    throw new SeriesDiffError(`snapshot ${seq}: cannot read ${path.basename(full)}: ${(e as Error).message}`);
  }
  try {
    return decodeProfile(bytes);
  } catch (e) {
    throw new SeriesDiffError(`snapshot ${seq}: ${path.basename(full)}: ${(e as Error).message}`);
  }
}

/** The heap diff `current − base` of two snapshots, as `go tool pprof -base BASE CURRENT` computes it. */
export async function diffSnapshots(
  dir: string,
  index: SeriesIndex,
  baseSeq: number,
  currentSeq: number,
): Promise<Profile> {
  const [base, current] = await Promise.all([
    readSnapshotHeap(dir, index, baseSeq),
    readSnapshotHeap(dir, index, currentSeq),
  ]);
  try {
    return diff(base, current);
  } catch (e) {
    throw new SeriesDiffError(`snapshots ${baseSeq} and ${currentSeq}: ${(e as Error).message}`);
  }
}

/** The latest snapshot before `seq` that has a heap profile: the natural base for "compare with previous". */
export function previousWithHeap(index: SeriesIndex, seq: number): SnapshotEntry | undefined {
  const me = index.snapshots.find((s) => s.seq === seq);
  if (!me) return undefined;
  return index.snapshots
    .filter((s) => s.files.heap !== undefined && s.takenAtMs < me.takenAtMs)
    .reduce<SnapshotEntry | undefined>((best, s) => (best && best.takenAtMs >= s.takenAtMs ? best : s), undefined);
}

/** Orders two snapshots as (base, current) by the time they were taken, so a diff always shows growth as positive. */
export function orderSnapshots(a: SnapshotEntry, b: SnapshotEntry): [SnapshotEntry, SnapshotEntry] {
  return a.takenAtMs <= b.takenAtMs ? [a, b] : [b, a];
}
