import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { decodeProfile } from '../pprof/decodeProfile';
import { parseGoroutineDebug2 } from '../pprof/goroutineText';
import type { MemStats } from '../pprof/heapText';
import type { ProfileKind } from '../remote/pprofEndpoints';
import { readSeriesIndex, SeriesFormatError, type SeriesIndex, type SnapshotEntry } from '../series/seriesIndex';
import type { LeakAnalyzer, SnapshotInput } from './leakAnalyzer';

/** What loading a series folder into an analyzer found. */
export interface LoadedSeries {
  index: SeriesIndex;
  /** Snapshots fed to the analyzer. */
  loaded: number;
  /** Snapshots skipped because nothing usable was recorded (gaps). */
  gaps: number;
  /** One line per file that could not be read or decoded; the snapshot went on without it. */
  problems: string[];
}

/** Options of {@link loadSeriesInto}. */
export interface LoadSeriesOptions {
  /** Only the latest this many snapshots are read (the analyzer's window). */
  window?: number;
}

/**
 * Streams a persisted series folder (the `series.json` index plus `.pb.gz` / text files written by
 * `leakhunt watch` or `collect`) into `analyzer`, oldest first, one snapshot at a time so that only one
 * snapshot's decoded profiles are alive at once. Unreadable files are reported and skipped, never fatal.
 */
export async function loadSeriesInto(
  dir: string,
  analyzer: LeakAnalyzer,
  opts: LoadSeriesOptions = {},
): Promise<LoadedSeries> {
  const index = await readSeriesIndex(dir);
  if (!index) throw new SeriesFormatError(`${dir} is not a leakhunt series folder (no series.json)`);
  const entries = [...index.snapshots].sort((a, b) => a.takenAtMs - b.takenAtMs);
  const window = opts.window ?? entries.length;
  const chosen = entries.filter((e) => e.status !== 'gap').slice(-window);
  const problems: string[] = [];
  for (const e of chosen) analyzer.add(await readSnapshot(dir, e, problems));
  return {
    index,
    loaded: chosen.length,
    gaps: entries.length - entries.filter((e) => e.status !== 'gap').length,
    problems,
  };
}

/** Reads one snapshot's files into a {@link SnapshotInput}; problems are appended to `problems`. */
export async function readSnapshot(dir: string, e: SnapshotEntry, problems: string[]): Promise<SnapshotInput> {
  const read = async (kind: ProfileKind): Promise<Uint8Array | undefined> => {
    const f = e.files[kind];
    if (!f) return undefined;
    // Index entries are relative names inside the folder; refuse anything that would climb out of it.
    const full = path.resolve(dir, f);
    if (
      path.relative(path.resolve(dir), full).startsWith('..') ||
      path.isAbsolute(path.relative(path.resolve(dir), full))
    ) {
      problems.push(`snapshot ${e.seq}: ${kind} file ${JSON.stringify(f)} is outside the series folder; skipped`);
      return undefined;
    }
    try {
      return await fs.readFile(full);
    } catch (err) {
      problems.push(`snapshot ${e.seq}: cannot read ${f}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const decode = <T>(kind: ProfileKind, bytes: Uint8Array | undefined, fn: (b: Uint8Array) => T): T | undefined => {
    if (!bytes) return undefined;
    try {
      return fn(bytes);
    } catch (err) {
      problems.push(`snapshot ${e.seq}: ${kind}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const heap = decode('heap', await read('heap'), (b) => decodeProfile(b));
  const goroutines = decode('goroutine', await read('goroutine'), (b) => decodeProfile(b));
  const goroutineDump = decode('goroutine-debug2', await read('goroutine-debug2'), (b) =>
    parseGoroutineDebug2(Buffer.from(b).toString('utf8')),
  );
  const goroutineLeak = decode('goroutineleak', await read('goroutineleak'), (b) => decodeProfile(b));
  const memStats: MemStats | undefined = e.memStats ? { ...e.memStats, other: {} } : undefined;
  return {
    timeMs: e.takenAtMs,
    ...(heap ? { heap } : {}),
    ...(goroutines ? { goroutines } : {}),
    ...(goroutineDump ? { goroutineDump } : {}),
    ...(goroutineLeak ? { goroutineLeak } : {}),
    ...(memStats ? { memStats } : {}),
    ...(e.cgroup ? { cgroup: e.cgroup } : {}),
  };
}
