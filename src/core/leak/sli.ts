import type { MemStats } from '../pprof/heapText';
import type { LeakConfig } from './leakConfig';

/** The inputs of one snapshot the SLIs are computed from; any may be missing. */
export interface SliSnapshotInput {
  /** Wall-clock time of the snapshot, in milliseconds since the epoch. */
  timeMs: number;
  /** Cumulative allocated bytes (the heap profile's alloc_space total, else MemStats.TotalAlloc). */
  allocSpaceBytes?: number;
  /** Live heap objects (the heap profile's inuse_objects total). */
  inuseObjects?: number;
  memStats?: MemStats;
}

/** One service-level indicator with its threshold and outcome. */
export interface SliValue {
  /** The measured value; null when no source was available. */
  value: number | null;
  threshold: number;
  /** Whether the value breaches its threshold in the bad direction. */
  breached: boolean;
}

/** The SLI part of a leak report. */
export interface SliAnalysis {
  /** Allocation rate in bytes per second over the window; breached above the threshold. */
  allocBytesPerSec: SliValue;
  /** Live heap objects at the latest snapshot; breached above the threshold. */
  liveObjects: SliValue;
  /** HeapInuse / HeapSys at the latest snapshot; breached BELOW the threshold (the heap holds much it does not use). */
  heapInuseRatio: SliValue;
  /** One sentence per breached SLI. */
  breaches: string[];
}

/**
 * Computes the SLIs over the window.
 *
 * The allocation rate is the cumulative alloc counter's rise from the first to the last snapshot over the
 * elapsed time. Heap profiles are as of the last GC, so a rate over many snapshots is far more accurate than a
 * single step; a counter that went down (process restarted) restarts the measurement from there.
 */
export function analyzeSli(snaps: readonly SliSnapshotInput[], config: LeakConfig): SliAnalysis {
  const cfg = config.sli;
  const allocPts = snaps
    .map((s) => ({ t: s.timeMs, v: s.allocSpaceBytes ?? s.memStats?.TotalAlloc }))
    .filter((p): p is { t: number; v: number } => p.v !== undefined);
  // A restart resets the counter: measure only after the last reset.
  let start = 0;
  for (let i = 1; i < allocPts.length; i++) if (allocPts[i]!.v < allocPts[i - 1]!.v) start = i;
  const run = allocPts.slice(start);
  let allocRate: number | null = null;
  if (run.length >= 2) {
    const a = run[0]!;
    const b = run[run.length - 1]!;
    if (b.t > a.t) allocRate = (b.v - a.v) / ((b.t - a.t) / 1000);
  }
  const last = [...snaps].reverse();
  const live =
    last.find((s) => s.inuseObjects !== undefined)?.inuseObjects ??
    last.find((s) => s.memStats?.HeapObjects !== undefined)?.memStats?.HeapObjects ??
    null;
  const ms = last.find((s) => s.memStats?.HeapInuse !== undefined && s.memStats.HeapSys !== undefined)?.memStats;
  const ratio = ms && ms.HeapSys! > 0 ? ms.HeapInuse! / ms.HeapSys! : null;

  const allocBytesPerSec = {
    value: allocRate,
    threshold: cfg.allocBytesPerSec,
    breached: allocRate !== null && allocRate > cfg.allocBytesPerSec,
  };
  const liveObjects = { value: live, threshold: cfg.liveObjects, breached: live !== null && live > cfg.liveObjects };
  const heapInuseRatio = {
    value: ratio,
    threshold: cfg.heapInuseRatio,
    breached: ratio !== null && ratio < cfg.heapInuseRatio,
  };
  const breaches: string[] = [];
  if (allocBytesPerSec.breached) {
    breaches.push(
      `allocation rate ${(allocRate! / 1e6).toFixed(1)} MB/s exceeds ${(cfg.allocBytesPerSec / 1e6).toFixed(1)} MB/s`,
    );
  }
  if (liveObjects.breached) breaches.push(`${Math.round(live!)} live objects exceed ${cfg.liveObjects}`);
  if (heapInuseRatio.breached) {
    breaches.push(
      `HeapInuse/HeapSys ${ratio!.toFixed(2)} is below ${cfg.heapInuseRatio}: the heap holds memory it does not use`,
    );
  }
  return { allocBytesPerSec, liveObjects, heapInuseRatio, breaches };
}
