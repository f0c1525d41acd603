import type { SourceFrame } from './allocationSite';
import type { HeapSeries } from './heapSeries';
import { heapNoiseBytes, judgeHeapSeries, VERDICT_SEVERITY, type Verdict } from './heapVerdict';
import type { LeakConfig } from './leakConfig';
import { linearFit } from './stats';

/** One call path into an allocation site, with the part of the site's in-use bytes and growth that came through it. */
export interface StackGrowth {
  /** The full stack, innermost frame first. */
  frames: SourceFrame[];
  /** In-use bytes held through this stack at the latest GC epoch. */
  inuseBytes: number;
  /** Least-squares slope of those bytes over the window's GC epochs, per minute. */
  slopeBytesPerMin: number;
  /** Latest minus first GC epoch of the window. */
  growthBytes: number;
}

/** One allocation site with its verdict and figures, as reports list it. */
export interface HeapSiteResult extends SourceFrame {
  siteId: number;
  verdict: Verdict;
  /** Least-squares slope of in-use bytes, per minute. */
  slopeBytesPerMin: number;
  /** R² of that fit. */
  r2: number;
  /** Fraction of non-falling steps. */
  monotonic: number;
  /** Last over first in-use bytes, minus one. */
  relativeGrowth: number;
  /** In-use bytes at the latest snapshot. */
  inuseBytes: number;
  /** In-use objects at the latest snapshot. */
  inuseObjects: number;
  /** Least-squares slope of in-use objects, per minute. */
  slopeObjectsPerMin: number;
  /** Bytes allocated at the site during the window (alloc_space delta), when the profiles have it. */
  allocBytesInWindow: number | undefined;
  /** Representative full stack (the one holding most in-use bytes at the latest snapshot), innermost first. */
  stack: SourceFrame[];
  /** Distinct stacks that led to the site at the latest snapshot. */
  stackCount: number;
  /**
   * For suspects (`leak`/`growing`): every stack that held bytes at the site during the window, fastest-growing
   * first, at most `maxStacksPerSuspect` of them (`stacksInWindow` counts all); empty for other sites.
   */
  stacks: StackGrowth[];
  /** How many distinct stacks held bytes at the site during the window. */
  stacksInWindow: number;
  /** In-use bytes per GC epoch, oldest first (for sparklines). */
  series: number[];
  /** True when the site grew and then plateaued. */
  plateau: boolean;
  /** Why the verdict was reached. */
  reason: string;
}

/** The heap part of a leak report. */
export interface HeapAnalysis {
  /** Snapshots in the window. */
  snapshots: number;
  /** Distinct GC epochs among them (snapshots whose profile changed). */
  epochs: number;
  /** Least-squares slope of the total in-use heap, bytes per minute. */
  trendBytesPerMin: number;
  /** Verdict on the total in-use heap. */
  totalVerdict: Verdict;
  /** Total in-use bytes at the latest snapshot. */
  totalInuseBytes: number;
  /** Total in-use objects at the latest snapshot. */
  totalInuseObjects: number;
  /**
   * Share of the total heap growth explained by the listed suspects (sum of their positive slopes over the
   * total slope, at most 1); null when the total heap did not grow.
   */
  explainedShare: number | null;
  /** Sites judged `leak` or `growing`, most severe first, at most `maxSuspects`. */
  suspects: HeapSiteResult[];
  /** Every site with a verdict other than `stable`, plus plateaued ones, most severe first (for views). */
  notable: HeapSiteResult[];
}

/** Judges every site of a heap series and aggregates the totals. */
export function analyzeHeap(series: HeapSeries, cfg: LeakConfig): HeapAnalysis {
  const pts = series.points;
  const epochs = pts.filter((p) => p.newEpoch);
  const times = epochs.map((p) => p.timeMs);
  const last = pts[pts.length - 1];
  const period = last?.period ?? 0;
  const totals = epochs.map((p) => p.totalInuseSpace);
  const totalFit = linearFit(times, totals);
  const totalJ = judgeHeapSeries(times, totals, period, cfg.heap);

  const results: HeapSiteResult[] = [];
  const values = new Array<number>(epochs.length);
  for (const site of series.sites) {
    let min = Infinity;
    let max = -Infinity;
    for (let k = 0; k < epochs.length; k++) {
      const arr = epochs[k]!.inuseSpace;
      const v = site.id < arr.length ? arr[site.id]! : 0;
      values[k] = v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    // Fast path: a site whose whole range is below the sample floor cannot be anything but stable, and most
    // sites of a real heap are like that; this keeps a 60-snapshot report over thousands of sites cheap.
    if (epochs.length === 0 || max - min < heapNoiseBytes(max, period, cfg.heap).floor) continue;
    const first = epochs[0]!;
    const lastEpoch = epochs[epochs.length - 1]!;
    const allocDelta =
      last && last.hasAlloc && first.hasAlloc
        ? at(lastEpoch.allocSpace, site.id) - at(first.allocSpace, site.id)
        : undefined;
    const j = judgeHeapSeries(times, values, period, cfg.heap, allocDelta === undefined ? {} : { allocDelta });
    if (j.verdict === 'stable' && !j.plateau) continue;
    const objects = epochs.map((p) => at(p.inuseObjects, site.id));
    const lp = last!;
    results.push({
      siteId: site.id,
      function: site.function,
      file: site.file,
      line: site.line,
      verdict: j.verdict,
      slopeBytesPerMin: j.stats.slopePerMin,
      r2: j.stats.r2,
      monotonic: j.stats.monotonic,
      relativeGrowth: j.stats.relativeGrowth,
      inuseBytes: at(lp.inuseSpace, site.id),
      inuseObjects: at(lp.inuseObjects, site.id),
      slopeObjectsPerMin: linearFit(times, objects).slopePerMin,
      allocBytesInWindow: allocDelta,
      stack: series.stackFrames(site.id < lp.topStack.length ? lp.topStack[site.id]! : -1),
      stackCount: site.id < lp.stackCount.length ? lp.stackCount[site.id]! : 0,
      stacks: [],
      stacksInWindow: 0,
      series: values.slice(),
      plateau: j.plateau,
      reason: j.reason,
    });
  }
  results.sort(bySeverity);
  const suspects = results.filter((r) => r.verdict === 'leak' || r.verdict === 'growing').slice(0, cfg.maxSuspects);
  attachStacks(series, suspects, times, cfg.maxStacksPerSuspect);
  let explainedShare: number | null = null;
  if (totalFit.slopePerMin > 0 && totalJ.verdict !== 'stable' && totalJ.verdict !== 'shrinking') {
    const explained = suspects.reduce((a, s) => a + Math.max(0, s.slopeBytesPerMin), 0);
    explainedShare = Math.min(1, explained / totalFit.slopePerMin);
  }
  return {
    snapshots: pts.length,
    epochs: epochs.length,
    trendBytesPerMin: totalFit.slopePerMin,
    totalVerdict: totalJ.verdict,
    totalInuseBytes: last?.totalInuseSpace ?? 0,
    totalInuseObjects: last?.totalInuseObjects ?? 0,
    explainedShare,
    suspects,
    notable: results,
  };
}

/**
 * Splits each suspect's growth by the stacks that lead to it, so "show leak stack" can say which caller leaks when a
 * site (a helper such as a cache's put) is reached from several places.
 */
function attachStacks(series: HeapSeries, suspects: HeapSiteResult[], times: number[], max: number): void {
  if (suspects.length === 0) return;
  const bySite = series.stackSeries(new Set(suspects.map((s) => s.siteId)));
  for (const s of suspects) {
    const all = (bySite.get(s.siteId) ?? []).map((st) => {
      const n = st.values.length;
      return {
        stackId: st.stackId,
        inuseBytes: n > 0 ? st.values[n - 1]! : 0,
        slopeBytesPerMin: n >= 2 ? linearFit(times, st.values).slopePerMin : 0,
        growthBytes: n > 0 ? st.values[n - 1]! - st.values[0]! : 0,
      };
    });
    all.sort((a, b) => b.slopeBytesPerMin - a.slopeBytesPerMin || b.inuseBytes - a.inuseBytes || a.stackId - b.stackId);
    s.stacksInWindow = all.length;
    s.stacks = all.slice(0, max).map((st) => ({
      frames: series.stackFrames(st.stackId),
      inuseBytes: st.inuseBytes,
      slopeBytesPerMin: st.slopeBytesPerMin,
      growthBytes: st.growthBytes,
    }));
  }
}

/** Orders results by verdict severity, then by growth rate, then by size. */
export function bySeverity(
  a: { verdict: Verdict; slopeBytesPerMin: number; inuseBytes: number },
  b: { verdict: Verdict; slopeBytesPerMin: number; inuseBytes: number },
): number {
  return (
    VERDICT_SEVERITY[b.verdict] - VERDICT_SEVERITY[a.verdict] ||
    b.slopeBytesPerMin - a.slopeBytesPerMin ||
    b.inuseBytes - a.inuseBytes
  );
}

function at(arr: Float64Array, i: number): number {
  return i < arr.length ? arr[i]! : 0;
}
