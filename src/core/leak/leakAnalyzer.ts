import type { GoroutineDump } from '../pprof/goroutineText';
import type { MemStats } from '../pprof/heapText';
import type { Profile } from '../pprof/profileModel';
import type { CgroupMemory } from '../remote/cgroupMemory';
import { analyzeContainer, type ContainerSnapshotInput } from './containerMemory';
import { GoroutineSeries } from './goroutineGroups';
import { analyzeHeap } from './heapAnalysis';
import { HeapSeries } from './heapSeries';
import { resolveLeakConfig, type LeakConfig } from './leakConfig';
import { buildLeakReport, type LeakReport } from './leakReport';
import { analyzeSli, type SliSnapshotInput } from './sli';

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
}

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
    const last = this.container[this.container.length - 1];
    if (last && s.timeMs < last.timeMs)
      throw new RangeError(`snapshots must be added in time order: ${s.timeMs} is before ${last.timeMs}`);
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
    if (this.container.length > this.window) this.container.shift();
    if (this.sli.length > this.window) this.sli.shift();
    this.count++;
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
    });
  }
}
