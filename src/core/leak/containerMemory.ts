import type { MemStats } from '../pprof/heapText';
import type { CgroupMemory } from '../remote/cgroupMemory';
import type { LeakConfig } from './leakConfig';
import { linearFit } from './stats';
import { formatBytes as fmtBytes } from './units';

/** The container figures of one snapshot; any part may be missing. */
export interface ContainerSnapshotInput {
  /** Wall-clock time of the snapshot, in milliseconds since the epoch. */
  timeMs: number;
  /** cgroup memory of the target process. */
  cgroup?: CgroupMemory;
  /** The runtime.MemStats block of `heap?debug=1`. */
  memStats?: MemStats;
  /** Total in-use heap bytes from the heap profile, used when MemStats is missing. */
  heapInuseBytes?: number;
}

/** A finding about container memory, with a stable code for tools and a sentence for people. */
export interface ContainerWarning {
  code: 'watermark' | 'oom-eta' | 'non-heap-growth' | 'early-oom' | 'oom-events';
  message: string;
}

/** Where the container's memory goes at the latest snapshot (bytes; null when the source was missing). */
export interface MemoryBreakdown {
  /** Go heap in use (MemStats.HeapInuse, else the heap profile's in-use total). */
  goHeapInuse: number | null;
  /** Memory the Go runtime holds beyond the in-use heap: MemStats.Sys − HeapInuse (idle spans, stacks, GC metadata...). */
  goRuntimeNonHeap: number | null;
  /** Page cache charged to the cgroup (memory.stat `file`, v1 `cache`). */
  pageCache: number | null;
  /** Its reclaimable part (`inactive_file`). */
  inactiveFile: number | null;
  /** Anonymous memory (memory.stat `anon`, v1 `rss`). */
  anon: number | null;
  /** What the cgroup charges beyond Go's Sys and the page cache: cgo, other processes, kernel memory (never negative). */
  other: number | null;
}

/** The container part of a leak report. */
export interface ContainerAnalysis {
  cgroup: 'v1' | 'v2' | 'none';
  memoryCurrent: number | null;
  memoryMax: number | null;
  /** memoryCurrent / memoryMax; null when either is unknown (no limit). */
  ratio: number | null;
  /** Least-squares slope of memoryCurrent, bytes per minute; null with fewer than two readings. */
  growthBytesPerMin: number | null;
  /** Seconds until memoryCurrent reaches memoryMax at the current slope; null when not growing or unlimited. */
  oomEtaSeconds: number | null;
  breakdown: MemoryBreakdown;
  /** OOM events at the latest snapshot, and how many happened during the window. */
  oomEvents: { oom: number; oomKill: number; failcnt: number; duringWindow: number };
  warnings: ContainerWarning[];
}

/** Judges the container's memory over the window: watermark, road to OOM, breakdown and early warnings. */
export function analyzeContainer(snaps: readonly ContainerSnapshotInput[], config: LeakConfig): ContainerAnalysis {
  const cfg = config.container;
  const withCg = snaps.filter((s) => s.cgroup && s.cgroup.cgroup !== 'none' && s.cgroup.memoryCurrent !== null);
  const lastCg = withCg[withCg.length - 1]?.cgroup;
  const lastAny = [...snaps].reverse().find((s) => s.cgroup)?.cgroup;
  const current = lastCg?.memoryCurrent ?? null;
  const max = lastCg?.memoryMax ?? null;
  const ratio = current !== null && max !== null && max > 0 ? current / max : null;
  const warnings: ContainerWarning[] = [];

  let growth: number | null = null;
  let growing = false;
  if (withCg.length >= 2) {
    const fit = linearFit(
      withCg.map((s) => s.timeMs),
      withCg.map((s) => s.cgroup!.memoryCurrent!),
    );
    growth = fit.slopePerMin;
    growing = fit.slopePerMin >= cfg.minGrowthBytesPerMin && fit.slopeT >= config.heap.minSlopeT;
  }
  let oomEtaSeconds: number | null = null;
  if (growing && current !== null && max !== null && growth !== null) {
    oomEtaSeconds = Math.max(0, ((max - current) / growth) * 60);
  }
  if (ratio !== null && ratio >= cfg.watermarkRatio) {
    warnings.push({
      code: 'watermark',
      message: `memory at ${(ratio * 100).toFixed(1)}% of the limit (threshold ${(cfg.watermarkRatio * 100).toFixed(0)}%)`,
    });
  }
  if (oomEtaSeconds !== null) {
    warnings.push({
      code: 'oom-eta',
      message: `at ${fmtBytes(growth!)}/min the limit is reached in about ${fmtDuration(oomEtaSeconds)}`,
    });
  }

  // Go heap over time: MemStats.HeapInuse where present, the profile's in-use total otherwise.
  const heapPts = snaps
    .map((s) => ({ t: s.timeMs, v: s.memStats?.HeapInuse ?? s.heapInuseBytes }))
    .filter((p): p is { t: number; v: number } => p.v !== undefined);
  if (growing && growth !== null && heapPts.length >= 2) {
    const heapSlope = linearFit(
      heapPts.map((p) => p.t),
      heapPts.map((p) => p.v),
    ).slopePerMin;
    if (heapSlope < cfg.nonHeapHeapShare * growth) {
      warnings.push({
        code: 'non-heap-growth',
        message:
          `the cgroup grows by ${fmtBytes(growth)}/min while the Go heap grows by ${fmtBytes(Math.max(0, heapSlope))}/min: ` +
          'memory held by the Go runtime, cgo, or pages not returned to the OS (madvdontneed)',
      });
    }
  }

  // Early warning (the seed's OOM pre-warning): anonymous memory climbing fast while the page cache is not
  // giving way, judged on the latest step because it is about what happens right now.
  if (withCg.length >= 2) {
    const a = withCg[withCg.length - 2]!;
    const b = withCg[withCg.length - 1]!;
    const dt = (b.timeMs - a.timeMs) / 1000;
    const rssA = anonOf(a.cgroup!);
    const rssB = anonOf(b.cgroup!);
    const inA = inactiveFileOf(a.cgroup!);
    const inB = inactiveFileOf(b.cgroup!);
    if (dt > 0 && rssA !== null && rssB !== null) {
      const rssRate = (rssB - rssA) / dt;
      const inactiveShrink = inA !== null && inB !== null ? (inA - inB) / dt : 0;
      if (rssRate > cfg.earlyWarningRssBytesPerSec && inactiveShrink < cfg.earlyWarningInactiveFileBytesPerSec) {
        warnings.push({
          code: 'early-oom',
          message:
            `RSS grows by ${fmtBytes(rssRate)}/s (threshold ${fmtBytes(cfg.earlyWarningRssBytesPerSec)}/s) while ` +
            `inactive_file shrinks by only ${fmtBytes(Math.max(0, inactiveShrink))}/s: the page cache cannot absorb it`,
        });
      }
    }
  }

  const events = (c: CgroupMemory | undefined) => ({
    oom: c?.events?.['oom'] ?? 0,
    oomKill: c?.events?.['oom_kill'] ?? c?.oomControl?.['oom_kill'] ?? 0,
    failcnt: c?.failcnt ?? 0,
  });
  const firstEv = events(withCg[0]?.cgroup ?? lastAny);
  const lastEv = events(lastCg ?? lastAny);
  const duringWindow =
    Math.max(0, lastEv.oom - firstEv.oom) +
    Math.max(0, lastEv.oomKill - firstEv.oomKill) +
    Math.max(0, lastEv.failcnt - firstEv.failcnt);
  if (lastEv.oom + lastEv.oomKill + lastEv.failcnt > 0) {
    const parts = [
      lastEv.oom ? `oom ${lastEv.oom}` : '',
      lastEv.oomKill ? `oom_kill ${lastEv.oomKill}` : '',
      lastEv.failcnt ? `failcnt ${lastEv.failcnt}` : '',
    ].filter(Boolean);
    warnings.push({
      code: 'oom-events',
      message: `the cgroup hit its limit: ${parts.join(', ')}${duringWindow > 0 ? ` (${duringWindow} during this window)` : ''}`,
    });
  }

  const lastSnap = snaps[snaps.length - 1];
  const ms = [...snaps].reverse().find((s) => s.memStats)?.memStats;
  const heapInuse = ms?.HeapInuse ?? lastSnap?.heapInuseBytes ?? null;
  const nonHeap = ms?.Sys !== undefined && ms.HeapInuse !== undefined ? ms.Sys - ms.HeapInuse : null;
  const pageCache = lastCg ? fileOf(lastCg) : null;
  const sys = ms?.Sys ?? null;
  const other = current !== null && sys !== null ? Math.max(0, current - sys - (pageCache ?? 0)) : null;
  return {
    cgroup: lastCg?.cgroup ?? lastAny?.cgroup ?? 'none',
    memoryCurrent: current,
    memoryMax: max,
    ratio,
    growthBytesPerMin: growth,
    oomEtaSeconds,
    breakdown: {
      goHeapInuse: heapInuse,
      goRuntimeNonHeap: nonHeap,
      pageCache,
      inactiveFile: lastCg ? inactiveFileOf(lastCg) : null,
      anon: lastCg ? anonOf(lastCg) : null,
      other,
    },
    oomEvents: { ...lastEv, duringWindow },
    warnings,
  };
}

function stat(c: CgroupMemory, ...names: string[]): number | null {
  for (const n of names) {
    const v = c.stat[n];
    if (v !== undefined) return v;
  }
  return null;
}

// v2 names first, then v1's (hierarchical totals before the group's own figures).
function anonOf(c: CgroupMemory): number | null {
  return stat(c, 'anon', 'total_rss', 'rss');
}
function fileOf(c: CgroupMemory): number | null {
  return stat(c, 'file', 'total_cache', 'cache');
}
function inactiveFileOf(c: CgroupMemory): number | null {
  return stat(c, 'inactive_file', 'total_inactive_file');
}

function fmtDuration(sec: number): string {
  if (sec < 120) return `${Math.round(sec)} s`;
  if (sec < 2 * 3600) return `${Math.round(sec / 60)} min`;
  return `${(sec / 3600).toFixed(1)} h`;
}
