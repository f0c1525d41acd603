import type { SourceFrame } from './allocationSite';
import type { ContainerAnalysis, ContainerWarning, MemoryBreakdown } from './containerMemory';
import type { GoroutineAnalysis, GoroutineStackGrowth } from './goroutineGroups';
import type { HeapAnalysis, StackGrowth } from './heapAnalysis';
import type { Verdict } from './heapVerdict';
import type { SliAnalysis, SliValue } from './sli';
import type { TargetLifecycle } from './targetLifecycle';

/** A heap suspect as the report JSON carries it. */
export interface HeapSuspectJson {
  function: string;
  file: string;
  line: number;
  verdict: Verdict;
  slopeBytesPerMin: number;
  r2: number;
  inuseBytes: number;
  inuseObjects: number;
  monotonic: number;
  stackCount: number;
  /** In-use bytes per GC epoch, oldest first. */
  series: number[];
  reason: string;
  /** The stack holding the most in-use bytes at the latest snapshot, innermost frame first. */
  stack: SourceFrame[];
  /** Every stack that held bytes at the site in the window (at most `maxStacksPerSuspect`), fastest-growing first. */
  stacks: StackGrowth[];
  /** How many distinct stacks held bytes at the site in the window (`stacks` may list fewer). */
  stacksInWindow: number;
}

/** A goroutine suspect as the report JSON carries it. */
export interface GoroutineSuspectJson {
  function: string;
  file: string;
  line: number;
  state: string;
  createdBy: SourceFrame | null;
  count: number;
  slopePerMin: number;
  maxWaitMinutes: number;
  proven: boolean;
  verdict: Verdict;
  labels: Record<string, string[]>;
  series: number[];
  reason: string;
  /** The group's distinct stacks in the window (at most `maxStacksPerSuspect`), fastest-growing first. */
  stacks: GoroutineStackGrowth[];
  /** How many distinct stacks the group had in the window (`stacks` may list fewer). */
  stacksInWindow: number;
}

/** The leak report: the JSON `leakhunt watch` ends with and `leakhunt report` prints. */
export interface LeakReport {
  target: string;
  snapshots: number;
  windowSeconds: number;
  heap: {
    trendBytesPerMin: number;
    totalInuseBytes: number;
    totalVerdict: Verdict;
    epochs: number;
    /** Share of the total heap growth the suspects explain; null when the heap did not grow. */
    explainedShare: number | null;
    suspects: HeapSuspectJson[];
  } | null;
  goroutines: { total: number; slopePerMin: number; suspects: GoroutineSuspectJson[] } | null;
  container: {
    cgroup: 'v1' | 'v2' | 'none';
    memoryCurrent: number | null;
    memoryMax: number | null;
    ratio: number | null;
    growthBytesPerMin: number | null;
    oomEtaSeconds: number | null;
    breakdown: MemoryBreakdown;
    oomEvents: ContainerAnalysis['oomEvents'];
    warnings: ContainerWarning[];
  };
  sli: { allocBytesPerSec: SliValue; liveObjects: SliValue; heapInuseRatio: SliValue; breaches: string[] };
  /** What happened to the target process in the window: running, OOM-killed, unreachable or restarted, with evidence. */
  lifecycle: TargetLifecycle;
}

/** The analyses a report is made of. */
export interface LeakReportParts {
  target: string;
  snapshots: number;
  windowSeconds: number;
  heap: HeapAnalysis | null;
  goroutines: GoroutineAnalysis | null;
  container: ContainerAnalysis;
  sli: SliAnalysis;
  lifecycle: TargetLifecycle;
}

/** Assembles the report JSON from the analyses; suspects keep the severity order the analyses gave them. */
export function buildLeakReport(p: LeakReportParts): LeakReport {
  return {
    target: p.target,
    snapshots: p.snapshots,
    windowSeconds: p.windowSeconds,
    heap: p.heap && {
      trendBytesPerMin: p.heap.trendBytesPerMin,
      totalInuseBytes: p.heap.totalInuseBytes,
      totalVerdict: p.heap.totalVerdict,
      epochs: p.heap.epochs,
      explainedShare: p.heap.explainedShare,
      suspects: p.heap.suspects.map((s) => ({
        function: s.function,
        file: s.file,
        line: s.line,
        verdict: s.verdict,
        slopeBytesPerMin: s.slopeBytesPerMin,
        r2: s.r2,
        inuseBytes: s.inuseBytes,
        inuseObjects: s.inuseObjects,
        monotonic: s.monotonic,
        stackCount: s.stackCount,
        series: s.series,
        reason: s.reason,
        stack: s.stack,
        stacks: s.stacks,
        stacksInWindow: s.stacksInWindow,
      })),
    },
    goroutines: p.goroutines && {
      total: p.goroutines.total,
      slopePerMin: p.goroutines.totalSlopePerMin,
      suspects: p.goroutines.suspects.map((g) => ({
        function: g.function,
        file: g.file,
        line: g.line,
        state: g.state,
        createdBy: g.createdBy,
        count: g.count,
        slopePerMin: g.slopePerMin,
        maxWaitMinutes: g.maxWaitMinutes,
        proven: g.proven,
        verdict: g.verdict,
        labels: g.labels,
        series: g.series,
        reason: g.reason,
        stacks: g.stacks,
        stacksInWindow: g.stacksInWindow,
      })),
    },
    container: {
      cgroup: p.container.cgroup,
      memoryCurrent: p.container.memoryCurrent,
      memoryMax: p.container.memoryMax,
      ratio: p.container.ratio,
      growthBytesPerMin: p.container.growthBytesPerMin,
      oomEtaSeconds: p.container.oomEtaSeconds,
      breakdown: p.container.breakdown,
      oomEvents: p.container.oomEvents,
      warnings: p.container.warnings,
    },
    sli: {
      allocBytesPerSec: p.sli.allocBytesPerSec,
      liveObjects: p.sli.liveObjects,
      heapInuseRatio: p.sli.heapInuseRatio,
      breaches: p.sli.breaches,
    },
    lifecycle: p.lifecycle,
  };
}
