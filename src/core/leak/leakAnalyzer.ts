import type { ContainerRecord } from '../remote/containerStateProbe';
import type { GoroutineDump } from '../pprof/goroutineText';
import type { MemStats } from '../pprof/heapText';
import type { Profile } from '../pprof/profileModel';
import type { CgroupMemory } from '../remote/cgroupMemory';
import type { SnapshotGap } from '../series/seriesIndex';
import { analyzeContainer, type ContainerSnapshotInput } from './containerMemory';
import { GoroutineSeries } from './goroutineGroups';
import { analyzeHeap } from './heapAnalysis';
import { HeapSeries } from './heapSeries';
import { resolveLeakConfig, type LeakConfig } from './leakConfig';
import { buildLeakReport, type LeakReport } from './leakReport';
import { analyzeSli, type SliSnapshotInput } from './sli';
import { analyzeLifecycle, lifecycleSnapshotOf, type LifecycleSnapshot } from './targetLifecycle';

/** Everything one snapshot may carry; every part is optional because fetches fail one by one. */
export interface SnapshotInput {
  /** Wall-clock time of the snapshot, in milliseconds since the epoch. */
  timeMs: number;
  /** `/debug/pprof/heap` (proto). */
  heap?: Profile;
  /** `/debug/pprof/goroutine` (proto). */
  goroutines?: Profile;
  /** `/debug/pprof/goroutine?debug=2`. */
  goroutineDump?: GoroutineDump;
  /** Go 1.26 `/debug/pprof/goroutineleak`. */
  goroutineLeak?: Profile | GoroutineDump;
  /** MemStats from `heap?debug=1`. */
  memStats?: MemStats;
  /** cgroup memory of the target. */
  cgroup?: CgroupMemory;
  /** Sequence number in the series, when known (named in the lifecycle section). */
  seq?: number;
  /** Fetches of this snapshot that failed (series gaps): a service dying mid-snapshot shows here first. */
  failures?: readonly SnapshotGap[];
  /** Docker's word on the watched container, when the snapshot asked for it (lifecycle evidence). */
  container?: ContainerRecord;
}

// Lifecycle entries kept beyond the window's usable snapshots: the gaps of a dead target keep coming, and only the
// first of them (when it died) and the cgroup counters after it matter; a bound keeps a watch of a dead target small.
const MAX_LIFECYCLE_EXTRA = 500;

/**
 * Feeds a series of snapshots into the heap, goroutine, container and SLI analyses and builds the report.
 *
 * Snapshots are reduced as they arrive (profiles are not retained), so `leakhunt watch` can report at any
 * time and `leakhunt report DIR` can stream a saved series through the same code.
 */
export class LeakAnalyzer {
  /** Configuration in use. */
  readonly config: LeakConfig;
  /** The heap series (per allocation site). */
  readonly heap: HeapSeries;
  /** The goroutine series (per group). */
  readonly goroutines: GoroutineSeries;
  private readonly container: ContainerSnapshotInput[] = [];
  private readonly sli: SliSnapshotInput[] = [];
  private readonly lifecycle: LifecycleSnapshot[] = [];
  private readonly window: number;
  private count = 0;

  constructor(opts: { config?: LeakConfig; window?: number } = {}) {
    this.config = opts.config ?? resolveLeakConfig();
    this.window = opts.window ?? 60;
    this.heap = new HeapSeries({ config: this.config, window: this.window });
    this.goroutines = new GoroutineSeries({ config: this.config, window: this.window });
  }

  /** Snapshots added and still in the window. */
  get snapshots(): number {
    return Math.min(this.count, this.window);
  }

  /** Adds one snapshot (in time order). */
  add(s: SnapshotInput): void {
    this.checkOrder(s.timeMs);
    let heapInuse: number | undefined;
    let allocSpace: number | undefined;
    let inuseObjects: number | undefined;
    if (s.heap) {
      const p = this.heap.add(s.timeMs, s.heap, s.memStats?.NumGC);
      heapInuse = p.totalInuseSpace;
      if (p.hasAlloc) allocSpace = p.totalAllocSpace;
      inuseObjects = p.totalInuseObjects;
    }
    this.goroutines.add({
      timeMs: s.timeMs,
      ...(s.goroutines ? { goroutines: s.goroutines } : {}),
      ...(s.goroutineDump ? { goroutineDump: s.goroutineDump } : {}),
      ...(s.goroutineLeak ? { goroutineLeak: s.goroutineLeak } : {}),
    });
    this.container.push({
      timeMs: s.timeMs,
      ...(s.cgroup ? { cgroup: s.cgroup } : {}),
      ...(s.memStats ? { memStats: s.memStats } : {}),
      ...(heapInuse !== undefined ? { heapInuseBytes: heapInuse } : {}),
    });
    this.sli.push({
      timeMs: s.timeMs,
      ...(allocSpace !== undefined ? { allocSpaceBytes: allocSpace } : {}),
      ...(inuseObjects !== undefined ? { inuseObjects } : {}),
      ...(s.memStats ? { memStats: s.memStats } : {}),
    });
    this.lifecycle.push(
      lifecycleSnapshotOf(
        {
          ...(s.seq !== undefined ? { seq: s.seq } : {}),
          takenAtMs: s.timeMs,
          status: 'ok',
          gaps: s.failures ?? [],
          ...(s.cgroup ? { cgroup: s.cgroup } : {}),
          ...(s.memStats ? { memStats: s.memStats } : {}),
          ...(s.container ? { container: s.container } : {}),
        },
        allocSpace,
      ),
    );
    if (this.container.length > this.window) this.container.shift();
    if (this.sli.length > this.window) this.sli.shift();
    this.trimLifecycle();
    this.count++;
  }

  /**
   * Records a snapshot in which the service gave nothing usable (a series gap): it feeds no analysis but the
   * lifecycle one, which tells a target that died (and how) from one that runs. Build it with `lifecycleSnapshotOf`.
   */
  addGap(s: LifecycleSnapshot): void {
    this.checkOrder(s.timeMs);
    this.lifecycle.push(s);
    this.trimLifecycle();
  }

  private checkOrder(timeMs: number): void {
    const last = this.lifecycle[this.lifecycle.length - 1];
    if (last && timeMs < last.timeMs)
      throw new RangeError(`snapshots must be added in time order: ${timeMs} is before ${last.timeMs}`);
  }

  private trimLifecycle(): void {
    // Entries before the window's oldest usable snapshot are outside the window.
    const oldest = this.container[0]?.timeMs;
    while (this.lifecycle.length > 0 && oldest !== undefined && this.lifecycle[0]!.timeMs < oldest) {
      this.lifecycle.shift();
    }
    const extra = this.lifecycle.length - this.container.length - MAX_LIFECYCLE_EXTRA;
    if (extra > 0) this.lifecycle.splice(0, extra);
  }

  /** Builds the report over the current window. */
  report(target: string): LeakReport {
    const first = this.container[0];
    const last = this.container[this.container.length - 1];
    return buildLeakReport({
      target,
      snapshots: this.snapshots,
      windowSeconds: first && last ? (last.timeMs - first.timeMs) / 1000 : 0,
      heap: this.heap.points.length > 0 ? analyzeHeap(this.heap, this.config) : null,
      goroutines: this.goroutines.length > 0 ? this.goroutines.analyze() : null,
      container: analyzeContainer(this.container, this.config),
      sli: analyzeSli(this.sli, this.config),
      lifecycle: analyzeLifecycle(this.lifecycle),
    });
  }
}
