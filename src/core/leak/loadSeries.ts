import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { decodeProfile } from '../pprof/decodeProfile';
import { parseGoroutineDebug2 } from '../pprof/goroutineText';
import type { MemStats } from '../pprof/heapText';
import type { ProfileKind } from '../remote/pprofEndpoints';
import { readSeriesIndex, SeriesFormatError, type SeriesIndex, type SnapshotEntry } from '../series/seriesIndex';
import type { LeakAnalyzer, SnapshotInput } from './leakAnalyzer';
import { lifecycleSnapshotOf } from './targetLifecycle';

/** What loading a series folder into an analyzer found. */
export interface LoadedSeries {
  index: SeriesIndex;
  /** Snapshots fed to the analyzer. */
  loaded: number;
  /** Snapshots skipped because nothing usable was recorded (gaps); those in the window still feed the lifecycle. */
  gaps: number;
  /** One line per file that could not be read or decoded; the snapshot went on without it. */
  problems: string[];
}

/** Options of {@link loadSeriesInto}. */
export interface LoadSeriesOptions {
  /** Only the latest this many snapshots are read (the analyzer's window). */
  window?: number;
}

/** The profile kinds a snapshot input is made of. */
const KINDS: ProfileKind[] = ['heap', 'goroutine', 'goroutine-debug2', 'goroutineleak'];

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
  const steps = loadSteps(dir, index, analyzer, opts);
  let step = steps.next();
  while (!step.done) step = steps.next(await fs.readFile(step.value).catch((err: unknown) => err as Error));
  return step.value;
}

/**
 * The same as {@link loadSeriesInto} with synchronous reads, for callers that cannot await (the report
 * section builders of `leakhunt watch`); `index` is the already-read index of `dir`.
 */
export function loadSeriesIntoSync(
  dir: string,
  index: SeriesIndex,
  analyzer: LeakAnalyzer,
  opts: LoadSeriesOptions = {},
): LoadedSeries {
  const steps = loadSteps(dir, index, analyzer, opts);
  let step = steps.next();
  while (!step.done) {
    let bytes: Uint8Array | Error;
    try {
      bytes = readFileSync(step.value);
    } catch (err) {
      bytes = err as Error;
    }
    step = steps.next(bytes);
  }
  return step.value;
}

/**
 * The loading itself, without I/O: yields each file path to read and is resumed with its bytes (or the read's
 * error), so the async and sync entry points share every other step.
 */
function* loadSteps(
  dir: string,
  index: SeriesIndex,
  analyzer: LeakAnalyzer,
  opts: LoadSeriesOptions,
): Generator<string, LoadedSeries, Uint8Array | Error> {
  const { chosen, gaps } = choose(index, opts);
  const problems: string[] = [];
  for (const e of chosen) {
    if (e.status === 'gap') {
      analyzer.addGap(lifecycleSnapshotOf(e));
      continue;
    }
    const files = new Map<ProfileKind, Uint8Array | Error>();
    for (const kind of KINDS) {
      const full = fileOf(dir, e, kind, problems);
      if (full !== undefined) files.set(kind, yield full);
    }
    analyzer.add(toInput(e, files, problems));
  }
  return { index, loaded: chosen.filter((e) => e.status !== 'gap').length, gaps, problems };
}

/**
 * The latest `window` usable snapshots, with the gaps from the first of them on (in time order): gaps feed only the
 * lifecycle analysis, which needs the snapshots that found the target gone.
 */
function choose(index: SeriesIndex, opts: LoadSeriesOptions): { chosen: SnapshotEntry[]; gaps: number } {
  const entries = [...index.snapshots].sort((a, b) => a.takenAtMs - b.takenAtMs);
  const usable = entries.filter((e) => e.status !== 'gap');
  const first = usable.slice(-(opts.window ?? entries.length))[0];
  // With no usable snapshot at all, every gap is in the window: the lifecycle says nothing answered.
  const from = first === undefined ? 0 : entries.indexOf(first);
  return { chosen: entries.slice(from), gaps: entries.length - usable.length };
}

/** The absolute path of a snapshot's file of `kind`, or undefined (absent, or outside the folder: refused). */
function fileOf(dir: string, e: SnapshotEntry, kind: ProfileKind, problems: string[]): string | undefined {
  const f = e.files[kind];
  if (!f) return undefined;
  const root = path.resolve(dir);
  const full = path.resolve(root, f);
  const rel = path.relative(root, full);
  // Index entries are relative names inside the folder; refuse anything that would climb out of it.
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    problems.push(`snapshot ${e.seq}: ${kind} file ${JSON.stringify(f)} is outside the series folder; skipped`);
    return undefined;
  }
  return full;
}

/** Decodes one snapshot's files into a {@link SnapshotInput}; problems are appended to `problems`. */
function toInput(e: SnapshotEntry, files: Map<ProfileKind, Uint8Array | Error>, problems: string[]): SnapshotInput {
  const decode = <T>(kind: ProfileKind, fn: (b: Uint8Array) => T): T | undefined => {
    const b = files.get(kind);
    if (b === undefined) return undefined;
    if (b instanceof Error) {
      problems.push(`snapshot ${e.seq}: cannot read ${e.files[kind]}: ${b.message}`);
      return undefined;
    }
    try {
      return fn(b);
    } catch (err) {
      problems.push(`snapshot ${e.seq}: ${kind}: ${(err as Error).message}`);
      return undefined;
    }
  };
  const heap = decode('heap', (b) => decodeProfile(b));
  const goroutines = decode('goroutine', (b) => decodeProfile(b));
  const goroutineDump = decode('goroutine-debug2', (b) => parseGoroutineDebug2(Buffer.from(b).toString('utf8')));
  const goroutineLeak = decode('goroutineleak', (b) => decodeProfile(b));
  const memStats: MemStats | undefined = e.memStats ? { ...e.memStats, other: {} } : undefined;
  return {
    timeMs: e.takenAtMs,
    ...(heap ? { heap } : {}),
    ...(goroutines ? { goroutines } : {}),
    ...(goroutineDump ? { goroutineDump } : {}),
    ...(goroutineLeak ? { goroutineLeak } : {}),
    ...(memStats ? { memStats } : {}),
    ...(e.cgroup ? { cgroup: e.cgroup } : {}),
    ...(e.container ? { container: e.container } : {}),
    seq: e.seq,
    failures: e.gaps,
  };
}
