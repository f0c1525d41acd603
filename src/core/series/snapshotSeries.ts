import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ProfileKind } from '../remote/pprofEndpoints';
import { PPROF_ENDPOINTS } from '../remote/pprofEndpoints';
import {
  INDEX_FILE,
  readSeriesIndex,
  SeriesFormatError,
  type SeriesIndex,
  type SnapshotEntry,
  writeFileAtomic,
} from './seriesIndex';

/** Default number of snapshots kept in the in-memory window. */
export const DEFAULT_WINDOW = 12;

/** Raised when another live process is collecting into the same folder. */
export class SeriesLockedError extends Error {
  override name = 'SeriesLockedError';
}

const LOCK_FILE = 'series.lock';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A persisted snapshot series: every snapshot is written to its folder as it arrives (profile files first, each
 * atomically, then the JSON index atomically), so a crash or disconnect loses nothing already collected, and opening
 * the same folder again resumes the series with the next sequence number. Keeps a sliding window of the last N usable
 * snapshots for analysis.
 */
export class SnapshotSeries {
  private constructor(
    readonly dir: string,
    private index: SeriesIndex,
    readonly windowSize: number,
  ) {}

  /** Opens (creating or resuming) the series in `dir`, taking its lock. */
  static async open(dir: string, opts: { target: string; window?: number; now?: () => Date }): Promise<SnapshotSeries> {
    const window = opts.window ?? DEFAULT_WINDOW;
    if (!Number.isInteger(window) || window < 1) throw new SeriesFormatError(`window must be a positive integer`);
    await fs.mkdir(dir, { recursive: true });
    await takeLock(dir);
    const now = (opts.now ?? (() => new Date()))().toISOString();
    try {
      const existing = await readSeriesIndex(dir);
      await removeTempFiles(dir);
      const index: SeriesIndex = existing ?? {
        format: 'leakhunt-series',
        version: 1,
        target: opts.target,
        createdAt: now,
        updatedAt: now,
        runs: [],
        snapshots: [],
      };
      const s = new SnapshotSeries(dir, index, window);
      index.runs.push({ startedAt: now, firstSeq: s.nextSeq, pid: process.pid });
      await s.writeIndex();
      return s;
    } catch (e) {
      await fs.rm(path.join(dir, LOCK_FILE), { force: true });
      throw e;
    }
  }

  /** Sequence number the next snapshot will get. */
  get nextSeq(): number {
    const last = this.index.snapshots[this.index.snapshots.length - 1];
    return last ? last.seq + 1 : 1;
  }

  /** Every snapshot ever recorded in this folder, oldest first. */
  get snapshots(): readonly SnapshotEntry[] {
    return this.index.snapshots;
  }

  /** The target the series was started for. */
  get target(): string {
    return this.index.target;
  }

  /** The last `windowSize` snapshots that have a heap profile (gaps are not part of the window). */
  window(): SnapshotEntry[] {
    return this.index.snapshots.filter((s) => s.files.heap !== undefined).slice(-this.windowSize);
  }

  /** Name of the file for one kind of one snapshot: `snap-0007-heap.pb.gz`. */
  static fileName(seq: number, kind: ProfileKind): string {
    return `snap-${String(seq).padStart(4, '0')}-${PPROF_ENDPOINTS[kind].file}`;
  }

  /** Writes one fetched body of a snapshot being assembled; returns the relative file name and its hash. */
  async writeProfile(seq: number, kind: ProfileKind, body: Uint8Array): Promise<{ file: string; sha256: string }> {
    const file = SnapshotSeries.fileName(seq, kind);
    await writeFileAtomic(path.join(this.dir, file), body);
    return { file, sha256: createHash('sha256').update(body).digest('hex') };
  }

  /** Appends a finished snapshot entry and rewrites the index atomically. */
  async append(entry: SnapshotEntry): Promise<void> {
    if (entry.seq !== this.nextSeq)
      throw new SeriesFormatError(`snapshot ${entry.seq} out of order (expected ${this.nextSeq})`);
    this.index.snapshots.push(entry);
    this.index.updatedAt = new Date().toISOString();
    await this.writeIndex();
  }

  /** Absolute path of a snapshot's file, if it has that kind. */
  filePath(entry: SnapshotEntry, kind: ProfileKind): string | undefined {
    const f = entry.files[kind];
    return f === undefined ? undefined : path.join(this.dir, f);
  }

  /**
   * The snapshot with `kind` whose time is nearest to `ms` (binary search over the time-ordered series; a tie goes to
   * the earlier one) — the `diff_base=TS` choice.
   */
  nearest(ms: number, kind: ProfileKind = 'heap'): SnapshotEntry | undefined {
    const list = this.index.snapshots.filter((s) => s.files[kind] !== undefined);
    return nearestByTime(list, ms);
  }

  /** The latest snapshot with `kind` taken before `entry` — the "against the previous snapshot" base. */
  previous(entry: SnapshotEntry, kind: ProfileKind = 'heap'): SnapshotEntry | undefined {
    for (let i = this.index.snapshots.length - 1; i >= 0; i--) {
      const s = this.index.snapshots[i];
      if (s && s.seq < entry.seq && s.files[kind] !== undefined) return s;
    }
    return undefined;
  }

  /** Rechecks every stored file against the hash in the index; returns the problems found (empty = intact). */
  async verify(): Promise<string[]> {
    const problems: string[] = [];
    for (const s of this.index.snapshots) {
      for (const [kind, file] of Object.entries(s.files)) {
        const want = s.sha256[kind as ProfileKind];
        const data = await fs.readFile(path.join(this.dir, file)).catch(() => undefined);
        if (!data) problems.push(`${file} missing`);
        else if (createHash('sha256').update(data).digest('hex') !== want) problems.push(`${file} changed`);
      }
    }
    return problems;
  }

  /** Releases the folder's lock (the index is already complete on disk). */
  async close(): Promise<void> {
    await fs.rm(path.join(this.dir, LOCK_FILE), { force: true });
  }

  private async writeIndex(): Promise<void> {
    await writeFileAtomic(path.join(this.dir, INDEX_FILE), `${JSON.stringify(this.index, null, 1)}\n`);
  }
}

/** Binary search for the entry nearest in time to `ms` in a list ordered by `takenAtMs`. */
export function nearestByTime<T extends { takenAtMs: number }>(list: readonly T[], ms: number): T | undefined {
  if (list.length === 0) return undefined;
  let lo = 0;
  let hi = list.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid]?.takenAtMs ?? 0) < ms) lo = mid + 1;
    else hi = mid;
  }
  // lo is the first entry at or after ms; the nearest is it or its predecessor.
  const after = list[lo];
  const before = lo > 0 ? list[lo - 1] : undefined;
  if (!after) return before;
  if (!before) return after;
  return ms - before.takenAtMs <= after.takenAtMs - ms ? before : after;
}

/**
 * Whether the series in `dir` is locked by a live process (this one included); a lock left by a process that is gone
 * does not count. Pruning must not delete a folder that someone is collecting into.
 */
export async function isSeriesLocked(dir: string): Promise<boolean> {
  const text = await fs.readFile(path.join(dir, LOCK_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return false;
  const holder = Number(text.trim());
  // A lock whose PID cannot be read (being written this instant) counts as held: the safe answer for a deleter.
  if (!Number.isInteger(holder) || holder <= 0) return true;
  return holder === process.pid || pidAlive(holder);
}

async function takeLock(dir: string): Promise<void> {
  const lock = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(lock, String(process.pid), { flag: 'wx' });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number((await fs.readFile(lock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && pidAlive(holder)) {
        throw new SeriesLockedError(`${dir} is being collected into by process ${holder}`);
      }
      // A stale lock from a crashed run: take it over.
      await fs.rm(lock, { force: true });
    }
  }
  throw new SeriesLockedError(`cannot lock ${dir}`);
}

async function removeTempFiles(dir: string): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    if (/\.tmp-\d+-[a-z0-9]+$/.test(name)) await fs.rm(path.join(dir, name), { force: true });
  }
}
