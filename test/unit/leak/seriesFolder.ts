import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeProfile } from '../../../src/core/pprof/encodeProfile';
import type { SeriesIndex, SnapshotEntry } from '../../../src/core/series/seriesIndex';
import { heapRow, syntheticProfile } from './syntheticProfile';

const P = 512 * 1024;
const T0 = 1_700_000_000_000;
const LEAK = 'example.com/ecu/cache.storeSession@/src/ecu/cache/session.go:48';
const FLAT = 'example.com/ecu/index.Load@/src/ecu/index/load.go:12';

/**
 * Writes a series folder in the format `leakhunt watch --out` uses (series.json + heap.pb.gz per snapshot), with
 * a heap that leaks `leakSamplesPerStep` samples of 512 KiB per 2 s snapshot at session.go:48.
 */
export function writeSeries(
  leakSamplesPerStep: number,
  opts: { corruptSeq?: number; cgroupRatio?: number } = {},
): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'leakhunt-series-test-'));
  const snapshots: SnapshotEntry[] = [];
  for (let i = 0; i < 10; i++) {
    const file = `${String(i + 1).padStart(4, '0')}-heap.pb.gz`;
    const leak = (4 + leakSamplesPerStep * i) * P;
    const bytes = encodeProfile(
      syntheticProfile(
        [heapRow([LEAK], leak, leak / 1024, leak + i * 100), heapRow([FLAT], 64 * P, 64, 64 * P + i * 7)],
        { period: P },
      ),
    );
    writeFileSync(path.join(dir, file), i + 1 === opts.corruptSeq ? Buffer.from('not a profile') : bytes);
    const at = new Date(T0 + i * 2000).toISOString();
    snapshots.push({
      seq: i + 1,
      takenAtMs: T0 + i * 2000,
      startedAt: at,
      finishedAt: at,
      status: 'ok',
      files: { heap: file },
      sha256: {},
      notAvailable: [],
      gaps: [],
      summary: {},
      ...(opts.cgroupRatio !== undefined
        ? {
            cgroup: {
              cgroup: 'v1' as const,
              path: '/x',
              memoryCurrent: opts.cgroupRatio * 1000,
              memoryMax: 1000,
              stat: {},
            },
          }
        : {}),
    });
  }
  writeSeriesIndex(dir, snapshots, T0);
  return dir;
}

/** Writes `series.json` for `snapshots` into `dir`, as one collection run of `http://127.0.0.1:6060` started at `t0`. */
export function writeSeriesIndex(dir: string, snapshots: SnapshotEntry[], t0: number): void {
  const index: SeriesIndex = {
    format: 'leakhunt-series',
    version: 1,
    target: 'http://127.0.0.1:6060',
    createdAt: new Date(t0).toISOString(),
    updatedAt: new Date(t0).toISOString(),
    runs: [{ startedAt: new Date(t0).toISOString(), firstSeq: 1, pid: 1 }],
    snapshots,
  };
  writeFileSync(path.join(dir, 'series.json'), JSON.stringify(index));
}
