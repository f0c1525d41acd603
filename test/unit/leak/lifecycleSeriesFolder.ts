import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeProfile } from '../../../src/core/pprof/encodeProfile';
import type { CgroupMemory, ProcessIdentity } from '../../../src/core/remote/cgroupMemory';
import type { ContainerRecord } from '../../../src/core/remote/containerStateProbe';
import type { SnapshotEntry, SnapshotGap } from '../../../src/core/series/seriesIndex';
import { writeSeriesIndex } from './seriesFolder';
import { heapRow, syntheticProfile } from './syntheticProfile';

const MiB = 1024 * 1024;
const KINDS = ['heap', 'goroutine', 'goroutine-debug2', 'goroutineleak', 'heap-debug1', 'vars'] as const;
/** Start time of every lifecycle series (2023-11-14T22:13:20Z). */
export const T0 = 1_700_000_000_000;
/** Seconds between snapshots. */
export const STEP_S = 2;

/** The cgroup figures one step reads (v1 files, or v2 with `v2`). */
export interface StepCgroup {
  currentMiB: number;
  maxMiB: number;
  oomKill: number;
  failcnt?: number;
  processGone?: boolean;
  v2?: boolean;
}

/** What a step may record besides profiles: docker's state of the container, the watched process's identity. */
export interface StepExtras {
  container?: ContainerRecord;
  /** Stored with the cgroup figures (a `none` group when the step has none), as the cgroup reader does. */
  process?: ProcessIdentity;
}

/** One snapshot of a lifecycle series: the service answered (`ok`) or not (`gap`, with the recorded failure). */
export type Step = StepExtras &
  (
    | {
        kind: 'ok';
        /** MemStats TotalAlloc / Mallocs / NumGC (MiB, count, count); omitted = no MemStats recorded. */
        memStats?: { totalAllocMiB: number; mallocs: number; numGC: number };
        cgroup?: StepCgroup;
        /** Heap profile alloc_space total (MiB); defaults to growing with the step. */
        allocMiB?: number;
        /** The fetches after the heap failed so (the service died during this snapshot): status `partial`. */
        failAfterHeap?: { error: string; reason: string };
      }
    | { kind: 'gap'; error: string; reason: string; cgroup?: StepCgroup }
  );

/** The failure a refused pprof endpoint records, as collectSnapshot writes it (first fetch, then the skipped ones). */
export function refused(port = 6060): { error: string; reason: string } {
  return { error: 'EndpointUnreachableError', reason: `cannot connect to 127.0.0.1:${port}: ECONNREFUSED` };
}

function cgroupOf(c: StepCgroup): CgroupMemory {
  const base = {
    path: '/leakhunt-test',
    memoryCurrent: c.currentMiB * MiB,
    memoryMax: c.maxMiB * MiB,
    stat: { rss: c.currentMiB * MiB },
    ...(c.processGone ? { processGone: true as const } : {}),
  };
  return c.v2
    ? { ...base, cgroup: 'v2', events: { oom: c.oomKill, oom_kill: c.oomKill, max: c.failcnt ?? 0 } }
    : {
        ...base,
        cgroup: 'v1',
        failcnt: c.failcnt ?? 0,
        oomControl: { oom_kill_disable: 0, under_oom: 0, oom_kill: c.oomKill },
      };
}

/**
 * Writes a series folder in the format `leakhunt watch --out` uses, one snapshot per step, 2 s apart: `ok` steps get a
 * synthetic heap profile (with MemStats and cgroup figures when given), `gap` steps record no file, the failure of
 * every kind as collectSnapshot writes it, and the cgroup figures read after the death when given.
 */
export function writeLifecycleSeries(steps: Step[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'leakhunt-lifecycle-test-'));
  const snapshots: SnapshotEntry[] = steps.map((s, i) => {
    const at = new Date(T0 + i * STEP_S * 1000).toISOString();
    const entry: SnapshotEntry = {
      seq: i + 1,
      takenAtMs: T0 + i * STEP_S * 1000,
      startedAt: at,
      finishedAt: at,
      status: s.kind === 'ok' ? 'ok' : 'gap',
      files: {},
      sha256: {},
      notAvailable: [],
      gaps: [],
      summary: {},
      ...(s.cgroup ? { cgroup: cgroupOf(s.cgroup) } : {}),
      ...(s.container ? { container: s.container } : {}),
    };
    if (s.process) {
      entry.cgroup = {
        ...(entry.cgroup ?? { cgroup: 'none', path: null, memoryCurrent: null, memoryMax: null, stat: {} }),
        process: s.process,
      };
    }
    if (s.kind === 'ok') {
      const file = `snap-${String(i + 1).padStart(4, '0')}-heap.pb.gz`;
      const inuse = (8 + i) * MiB;
      const alloc = (s.allocMiB ?? 100 + 10 * i) * MiB;
      const p = syntheticProfile([heapRow(['example.com/ecu.store@/src/ecu/store.go:10'], inuse, 8 + i, alloc)], {
        period: 512 * 1024,
      });
      writeFileSync(path.join(dir, file), encodeProfile(p));
      entry.files.heap = file;
      if (s.failAfterHeap) {
        const f = s.failAfterHeap;
        entry.status = 'partial';
        entry.gaps = KINDS.slice(1).map((what, k): SnapshotGap => ({
          what,
          error: f.error,
          reason: k === 0 ? f.reason : `skipped: ${f.reason}`,
        }));
      }
      if (s.memStats) {
        entry.memStats = {
          TotalAlloc: s.memStats.totalAllocMiB * MiB,
          Mallocs: s.memStats.mallocs,
          NumGC: s.memStats.numGC,
          HeapInuse: inuse,
          Sys: inuse + 8 * MiB,
        };
      }
    } else {
      entry.gaps = KINDS.map((what, k): SnapshotGap => ({
        what,
        error: s.error,
        reason: k === 0 ? s.reason : `skipped: ${s.reason}`,
      }));
    }
    return entry;
  });
  writeSeriesIndex(dir, snapshots, T0);
  return dir;
}
