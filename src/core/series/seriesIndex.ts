import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CgroupMemory } from '../remote/cgroupMemory';
import type { ContainerRecord } from '../remote/containerStateProbe';
import type { ProfileKind } from '../remote/pprofEndpoints';

/** A fetch that failed in one snapshot, with the reason; the series goes on. */
export interface SnapshotGap {
  what: ProfileKind | 'cgroup' | 'snapshot';
  reason: string;
  /** Error class name (e.g. `ConnectionLostError`) for grouping. */
  error: string;
}

/** Compact MemStats figures from `heap?debug=1` (bytes or counts). */
export type MemStatsFigures = Partial<
  Record<
    | 'HeapAlloc'
    | 'HeapInuse'
    | 'HeapIdle'
    | 'HeapReleased'
    | 'HeapSys'
    | 'HeapObjects'
    | 'Sys'
    | 'StackInuse'
    | 'TotalAlloc'
    | 'Mallocs'
    | 'Frees'
    | 'NumGC',
    number
  >
>;

/** One snapshot's entry in the index. Files are relative to the series folder. */
export interface SnapshotEntry {
  seq: number;
  /** When collection of this snapshot started (ms since epoch); the series is ordered by it. */
  takenAtMs: number;
  startedAt: string;
  finishedAt: string;
  /** `ok`: heap profile present; `partial`: some fetches failed; `gap`: nothing usable was fetched. */
  status: 'ok' | 'partial' | 'gap';
  files: Partial<Record<ProfileKind, string>>;
  /** SHA-256 of each stored file, to check a series is intact. */
  sha256: Partial<Record<ProfileKind, string>>;
  /** Optional endpoints the service does not offer (404). */
  notAvailable: ProfileKind[];
  gaps: SnapshotGap[];
  memStats?: MemStatsFigures;
  /** cgroup figures, with the watched process's PID and start time (`process`) read in the same exec. */
  cgroup?: CgroupMemory;
  /**
   * Docker's state of a watched container (`--container`), recorded at the first snapshot and whenever the snapshot
   * gave reason to ask (endpoint failed, process gone or replaced, container not running); absent otherwise.
   */
  container?: ContainerRecord;
  /** Small figures taken from decoded profiles (totals), for progress and reports. */
  summary: { heapInuseBytes?: number; heapInuseObjects?: number; goroutines?: number; leakedGoroutines?: number };
}

/** The JSON index of a series folder (`series.json`), rewritten atomically after every snapshot. */
export interface SeriesIndex {
  format: 'leakhunt-series';
  version: 1;
  target: string;
  createdAt: string;
  updatedAt: string;
  /** One entry per collection run into this folder (a resume adds one). */
  runs: { startedAt: string; firstSeq: number; pid: number }[];
  snapshots: SnapshotEntry[];
}

/** File name of the index inside a series folder. */
export const INDEX_FILE = 'series.json';

/** Raised when a folder holds something that is not a readable leakhunt series. */
export class SeriesFormatError extends Error {
  override name = 'SeriesFormatError';
}

/** Writes a file so readers see either the old or the new content: temp file, fsync, rename. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const fh = await fs.open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, file);
}

/** Reads and checks the index of a series folder; undefined when there is none yet. */
export async function readSeriesIndex(dir: string): Promise<SeriesIndex | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, INDEX_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let idx: unknown;
  try {
    idx = JSON.parse(text);
  } catch (e) {
    throw new SeriesFormatError(`${path.join(dir, INDEX_FILE)} is not valid JSON: ${(e as Error).message}`);
  }
  const o = idx as Partial<SeriesIndex>;
  if (o.format !== 'leakhunt-series' || o.version !== 1 || !Array.isArray(o.snapshots) || !Array.isArray(o.runs)) {
    throw new SeriesFormatError(`${path.join(dir, INDEX_FILE)} is not a leakhunt series index (version 1)`);
  }
  return o as SeriesIndex;
}
