import { ProfileMismatchError } from '../pprof/profileErrors';
import type { Profile } from '../pprof/profileModel';
import { SiteTable, type AllocationSite, type SourceFrame } from './allocationSite';
import { resolveLeakConfig, type LeakConfig } from './leakConfig';
import { ProfileInterner } from './profileInterner';

/** The per-site figures of one heap snapshot; arrays are indexed by site id (sites added later read as 0). */
export interface HeapPoint {
  /** Wall-clock time of the snapshot, in milliseconds since the epoch. */
  timeMs: number;
  /** The profile's sampling period (MemProfileRate), bytes per sample; 0 or 1 means exact. */
  period: number;
  /** `MemStats.NumGC` at the snapshot, when known. */
  numGC: number | undefined;
  /**
   * False when this snapshot's heap profile is identical to the previous one: the runtime publishes heap
   * profiles at the end of a GC cycle, so no GC ran in between and the point carries no new information.
   */
  newEpoch: boolean;
  /** Whether the profile had `alloc_*` sample types. */
  hasAlloc: boolean;
  totalInuseSpace: number;
  totalInuseObjects: number;
  totalAllocSpace: number;
  totalAllocObjects: number;
  inuseSpace: Float64Array;
  inuseObjects: Float64Array;
  allocSpace: Float64Array;
  allocObjects: Float64Array;
  /** Per site: the stack id holding the most in-use bytes in this snapshot (-1 if none). */
  topStack: Int32Array;
  /** Per site: how many distinct stacks led to it in this snapshot. */
  stackCount: Uint32Array;
  /**
   * The stacks holding in-use bytes in this snapshot, sparse: `stackIds[k]` holds `stackInuse[k]` bytes. Kept so a
   * site's growth can be split by the call paths that lead to it; stacks with nothing in use are left out, which
   * in Go heap profiles is most of them (they only ever allocated).
   */
  stackIds: Int32Array;
  /** In-use bytes of `stackIds[k]`. */
  stackInuse: Float64Array;
}

/** The in-use bytes of one stack of a site at every GC epoch of the window. */
export interface StackSeries {
  /** Interned stack id (see {@link HeapSeries.stackFrames}). */
  stackId: number;
  /** In-use bytes per GC epoch, oldest first. */
  values: number[];
}

/** Which heap figure a site series is read from. */
export type HeapMetric = 'inuseSpace' | 'inuseObjects' | 'allocSpace' | 'allocObjects';

/** Options of a {@link HeapSeries}. */
export interface HeapSeriesOptions {
  /** Leak configuration (site mode and user modules are read from it). */
  config?: LeakConfig;
  /** Most snapshots kept; older ones slide out. Default 60. */
  window?: number;
}

/**
 * The series of heap profiles of one process, reduced to per-allocation-site figures as snapshots arrive.
 *
 * Frames, stacks and sites are interned across snapshots (stable integer ids), so adding a snapshot costs one
 * pass over its samples and the window holds only small per-site arrays, never the decoded profiles.
 */
export class HeapSeries {
  /** Leak configuration in use. */
  readonly config: LeakConfig;
  /** Most snapshots kept. */
  readonly window: number;
  private readonly interner: ProfileInterner;
  private readonly siteTable: SiteTable;
  private readonly pts: HeapPoint[] = [];
  private stackSeen = new Int32Array(4096).fill(-1);
  // Scratch per-stack in-use sums of the snapshot being added (indexed by stack id, cleared after each add).
  private stackSum = new Float64Array(4096);
  private addCount = 0;

  constructor(opts: HeapSeriesOptions = {}) {
    this.config = opts.config ?? resolveLeakConfig();
    this.window = opts.window ?? 60;
    if (!Number.isInteger(this.window) || this.window < 2)
      throw new RangeError(`window must be an integer >= 2, got ${this.window}`);
    this.interner = new ProfileInterner(this.config.site.userModules);
    this.siteTable = new SiteTable(this.config.site.mode, this.interner.stacks, this.interner.frames);
  }

  /** Snapshots in the window, oldest first. */
  get points(): readonly HeapPoint[] {
    return this.pts;
  }

  /** Every site seen so far, by id. */
  get sites(): readonly AllocationSite[] {
    return this.siteTable.sites;
  }

  /** Counts of interned frames, stacks and sites, for diagnostics and benchmarks. */
  get internedSizes(): { frames: number; stacks: number; sites: number; stackTableBytes: number } {
    return {
      frames: this.interner.frames.size,
      stacks: this.interner.stacks.size,
      sites: this.siteTable.sites.length,
      stackTableBytes: this.interner.byteSize,
    };
  }

  /**
   * Adds the heap profile taken at `timeMs`. Snapshots must arrive in time order; the profile must be a Go
   * heap profile (with `inuse_space`); it is not retained.
   */
  add(timeMs: number, profile: Profile, numGC?: number): HeapPoint {
    if (!Number.isFinite(timeMs)) throw new RangeError(`snapshot time must be a finite number, got ${timeMs}`);
    const prev = this.pts[this.pts.length - 1];
    if (prev && timeMs < prev.timeMs) {
      throw new RangeError(`snapshots must be added in time order: ${timeMs} is before ${prev.timeMs}`);
    }
    const idx = (name: string) => profile.sampleTypes.findIndex((t) => t.type === name);
    const iSpace = idx('inuse_space');
    const iObjects = idx('inuse_objects');
    const aSpace = idx('alloc_space');
    const aObjects = idx('alloc_objects');
    if (iSpace < 0) {
      const types = profile.sampleTypes.map((t) => t.type).join(', ') || 'none';
      throw new ProfileMismatchError(`not a heap profile: it has no inuse_space sample type (types: ${types})`);
    }
    const stackIds = this.interner.internSamples(profile);
    const t = profile.samples;
    const width = profile.sampleTypes.length;
    const stamp = this.addCount++;

    // Resolve sites first so the per-site arrays can be sized once.
    const siteOfSample = new Int32Array(t.count);
    for (let s = 0; s < t.count; s++) siteOfSample[s] = this.siteTable.siteOf(stackIds[s]!);
    const nSites = this.siteTable.sites.length;
    const inuseSpace = new Float64Array(nSites);
    const inuseObjects = new Float64Array(nSites);
    const allocSpace = new Float64Array(nSites);
    const allocObjects = new Float64Array(nSites);
    const topStack = new Int32Array(nSites).fill(-1);
    const topValue = new Float64Array(nSites).fill(-1);
    const stackCount = new Uint32Array(nSites);
    this.ensureStackScratch(this.interner.stacks.size);
    const touched: number[] = [];
    let tis = 0;
    let tio = 0;
    let tas = 0;
    let tao = 0;
    const v = t.values;
    for (let s = 0; s < t.count; s++) {
      const site = siteOfSample[s]!;
      const base = s * width;
      const is = v[base + iSpace]!;
      inuseSpace[site]! += is;
      tis += is;
      if (iObjects >= 0) {
        const x = v[base + iObjects]!;
        inuseObjects[site]! += x;
        tio += x;
      }
      if (aSpace >= 0) {
        const x = v[base + aSpace]!;
        allocSpace[site]! += x;
        tas += x;
      }
      if (aObjects >= 0) {
        const x = v[base + aObjects]!;
        allocObjects[site]! += x;
        tao += x;
      }
      const stack = stackIds[s]!;
      if (this.stackSeen[stack] !== stamp) {
        this.stackSeen[stack] = stamp;
        stackCount[site]!++;
        touched.push(stack);
      }
      this.stackSum[stack]! += is;
      if (is > topValue[site]!) {
        topValue[site] = is;
        topStack[site] = stack;
      }
    }
    const stackIdsArr = new Int32Array(touched.length);
    const stackInuse = new Float64Array(touched.length);
    let kept = 0;
    for (const stack of touched) {
      const x = this.stackSum[stack]!;
      this.stackSum[stack] = 0;
      // Samples of one stack with opposite signs (a diffed profile) can cancel out; a stack that sums to zero holds nothing.
      if (x === 0) continue;
      stackIdsArr[kept] = stack;
      stackInuse[kept++] = x;
    }
    // Identical totals (including the cumulative alloc counters) mean the runtime has not published a new
    // profile, i.e. no GC cycle completed since the previous snapshot.
    const newEpoch =
      !prev ||
      prev.totalInuseSpace !== tis ||
      prev.totalInuseObjects !== tio ||
      prev.totalAllocSpace !== tas ||
      prev.totalAllocObjects !== tao;
    const point: HeapPoint = {
      timeMs,
      period: profile.period,
      numGC,
      newEpoch,
      hasAlloc: aSpace >= 0,
      totalInuseSpace: tis,
      totalInuseObjects: tio,
      totalAllocSpace: tas,
      totalAllocObjects: tao,
      inuseSpace,
      inuseObjects,
      allocSpace,
      allocObjects,
      topStack,
      stackCount,
      stackIds: kept === touched.length ? stackIdsArr : stackIdsArr.slice(0, kept),
      stackInuse: kept === touched.length ? stackInuse : stackInuse.slice(0, kept),
    };
    this.pts.push(point);
    if (this.pts.length > this.window) this.pts.shift();
    if (this.pts[0] && !this.pts[0].newEpoch) this.pts[0].newEpoch = true;
    return point;
  }

  /** The values of `metric` for site `siteId` at every point of the window (0 where the site was absent). */
  siteSeries(siteId: number, metric: HeapMetric, epochsOnly = false): { timesMs: number[]; values: number[] } {
    const timesMs: number[] = [];
    const values: number[] = [];
    for (const p of this.pts) {
      if (epochsOnly && !p.newEpoch) continue;
      timesMs.push(p.timeMs);
      const arr = p[metric];
      values.push(siteId < arr.length ? arr[siteId]! : 0);
    }
    return { timesMs, values };
  }

  /**
   * Splits the in-use bytes of each of `siteIds` by the stacks that lead to it, over the GC epochs of the window
   * (the points {@link siteSeries} gives with `epochsOnly`): every stack that held bytes at some epoch, with its
   * bytes per epoch (0 where it held none).
   */
  stackSeries(siteIds: ReadonlySet<number>): Map<number, StackSeries[]> {
    const epochs = this.pts.filter((p) => p.newEpoch);
    const bySite = new Map<number, StackSeries[]>();
    for (const id of siteIds) bySite.set(id, []);
    const found: StackSeries[] = [];
    // Per stack id: index into `found`, or NOT_WANTED once its site is known not to be asked for. A typed array
    // instead of a Map, since a window visits every in-use stack of every epoch (millions on big heaps).
    const UNSEEN = -1;
    const NOT_WANTED = -2;
    const slot = new Int32Array(this.interner.stacks.size).fill(UNSEEN);
    for (let k = 0; k < epochs.length; k++) {
      const p = epochs[k]!;
      for (let j = 0; j < p.stackIds.length; j++) {
        const stack = p.stackIds[j]!;
        let idx = slot[stack]!;
        if (idx === UNSEEN) {
          const list = bySite.get(this.siteTable.siteOf(stack));
          if (list) {
            idx = found.length;
            const st = { stackId: stack, values: new Array<number>(epochs.length).fill(0) };
            found.push(st);
            list.push(st);
          } else idx = NOT_WANTED;
          slot[stack] = idx;
        }
        if (idx >= 0) found[idx]!.values[k] = p.stackInuse[j]!;
      }
    }
    return bySite;
  }

  /** The full stack of a stack id, innermost frame first. */
  stackFrames(stackId: number): SourceFrame[] {
    return stackId < 0 ? [] : this.siteTable.stackFrames(stackId);
  }

  /** Grows the per-stack scratch arrays (seen stamps and in-use sums, always the same length) to `size` stacks. */
  private ensureStackScratch(size: number): void {
    if (size <= this.stackSeen.length) return;
    const length = Math.max(size, this.stackSeen.length * 2);
    const seen = new Int32Array(length).fill(-1);
    seen.set(this.stackSeen);
    this.stackSeen = seen;
    const sums = new Float64Array(length);
    sums.set(this.stackSum);
    this.stackSum = sums;
  }
}
