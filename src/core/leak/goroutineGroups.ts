import type { GoroutineDump } from '../pprof/goroutineText';
import type { Profile } from '../pprof/profileModel';
import { sampleStack } from '../pprof/profileModel';
import type { SourceFrame } from './allocationSite';
import { classifyFunction, FrameKind } from './goPackage';
import { inferGoroutineState } from './goroutineState';
import type { Verdict } from './heapVerdict';
import { resolveLeakConfig, type LeakConfig } from './leakConfig';
import { flatTailLength, linearFit, seriesStats } from './stats';

/** The goroutine sources of one snapshot; any may be missing. */
export interface GoroutineSnapshotInput {
  /** Wall-clock time of the snapshot, in milliseconds since the epoch. */
  timeMs: number;
  /** `/debug/pprof/goroutine` (proto): stacks with counts and pprof labels. */
  goroutines?: Profile;
  /** `/debug/pprof/goroutine?debug=2`: one entry per goroutine with its state, wait minutes and creator. */
  goroutineDump?: GoroutineDump;
  /** Go 1.26 `/debug/pprof/goroutineleak`: goroutines the GC proved leaked (proto profile or debug=2 dump). */
  goroutineLeak?: Profile | GoroutineDump;
}

/** One call path of a goroutine group, with how many of the group's goroutines sit on it and how that grew. */
export interface GoroutineStackGrowth {
  /** The full stack, innermost frame first (as the dump or profile shows it). */
  frames: SourceFrame[];
  /** Goroutines on this stack at the latest snapshot. */
  count: number;
  /** Least-squares slope of that count over the window, per minute. */
  slopePerMin: number;
  /** Latest minus first count of the window. */
  growth: number;
}

/** One group of goroutines: same blocking frame, wait state and creator. */
export interface GoroutineGroupResult extends SourceFrame {
  /** Wait state, such as `chan receive`, `select`, `sync.Mutex.Lock`, `IO wait`. */
  state: string;
  /** The `go` statement that started them, when a debug=2 dump told us. */
  createdBy: SourceFrame | null;
  /** Goroutines in the group at the latest snapshot. */
  count: number;
  /** Least-squares slope of the count, per minute. */
  slopePerMin: number;
  /** R² of that fit. */
  r2: number;
  /** Longest wait in the group at the latest snapshot, in minutes (debug=2 prints it after about a minute). */
  maxWaitMinutes: number;
  /** True when the Go 1.26 goroutineleak profile lists the group: the GC proved the goroutines unreachable. */
  proven: boolean;
  verdict: Verdict;
  /** pprof labels seen on the group's goroutines at the latest snapshot: key → distinct values (at most 20). */
  labels: Record<string, string[]>;
  /** Whether the blocking frame is user code (not runtime or standard library). */
  userCode: boolean;
  /** Count per snapshot, oldest first. */
  series: number[];
  /** Why the verdict was reached. */
  reason: string;
  /**
   * For suspects (`leak`/`growing`): the distinct stacks of the group's goroutines during the window,
   * fastest-growing first, at most `maxStacksPerSuspect` (`stacksInWindow` counts all); empty for other groups.
   */
  stacks: GoroutineStackGrowth[];
  /** How many distinct stacks the group's goroutines had during the window. */
  stacksInWindow: number;
}

/** The goroutine part of a leak report. */
export interface GoroutineAnalysis {
  /** Goroutines at the latest snapshot. */
  total: number;
  /** Least-squares slope of the total, per minute. */
  totalSlopePerMin: number;
  /** Groups judged `leak` or `growing`, most severe first, at most `maxSuspects`. */
  suspects: GoroutineGroupResult[];
  /** Every group at the latest snapshot, largest first (for views). */
  groups: GoroutineGroupResult[];
}

interface GroupPoint {
  count: number;
  /** Goroutines per distinct stack (keys of {@link GoroutineSeries}'s stack table). */
  stacks: Map<string, number>;
  maxWait: number;
  labels: Map<string, Set<string>>;
}

interface GroupInfo extends SourceFrame {
  key: string;
  state: string;
  createdBy: SourceFrame | null;
  userCode: boolean;
  blockKey: string;
}

interface SnapshotGroups {
  timeMs: number;
  total: number;
  groups: Map<string, GroupPoint>;
  /** Block keys (frame + state) the goroutineleak profile listed. */
  leaked: Set<string> | undefined;
}

/** A frame as the grouping sees it. */
interface Frame {
  function: string;
  file: string;
  line: number;
}

/**
 * Groups the goroutines of successive snapshots and judges each group's count over time.
 *
 * Following LeakProf, blocking alone is not a leak: a pool of workers parked on a channel is normal and keeps a
 * flat count. A group is a `leak` when it is blocked on a channel, select or lock in user code AND its count
 * grows steadily (or the GC proves it with the goroutineleak profile).
 */
export class GoroutineSeries {
  /** Leak configuration in use. */
  readonly config: LeakConfig;
  /** Most snapshots kept. */
  readonly window: number;
  private readonly snaps: SnapshotGroups[] = [];
  private readonly infos = new Map<string, GroupInfo>();
  private readonly kindCache = new Map<string, FrameKind>();
  // Creators learned from debug=2 dumps, so snapshots with only a proto profile land in the same groups.
  private readonly creatorByBlock = new Map<string, SourceFrame>();
  // Frames of every distinct goroutine stack in the window, by stack key; rebuilt when snapshots slide out.
  private stackFrames = new Map<string, SourceFrame[]>();

  constructor(opts: { config?: LeakConfig; window?: number } = {}) {
    this.config = opts.config ?? resolveLeakConfig();
    this.window = opts.window ?? 60;
  }

  /** Number of snapshots in the window. */
  get length(): number {
    return this.snaps.length;
  }

  /** Adds one snapshot; a snapshot without any goroutine source is ignored (a gap). */
  add(input: GoroutineSnapshotInput): void {
    const prev = this.snaps[this.snaps.length - 1];
    if (prev && input.timeMs < prev.timeMs) {
      throw new RangeError(`snapshots must be added in time order: ${input.timeMs} is before ${prev.timeMs}`);
    }
    if (!input.goroutineDump && !input.goroutines) return;
    const groups = new Map<string, GroupPoint>();
    let total = 0;
    if (input.goroutineDump) {
      for (const g of input.goroutineDump.goroutines) {
        const block = this.blockingFrame(g.frames);
        const created = g.createdBy
          ? { function: g.createdBy.function, file: g.createdBy.file, line: g.createdBy.line }
          : null;
        const key = this.groupKey(block, g.state, created);
        const pt = point(groups, key);
        pt.count++;
        total++;
        this.countStack(pt, g.frames, 1);
        pt.maxWait = Math.max(pt.maxWait, g.waitMinutes);
        if (g.labels) for (const [k, v] of Object.entries(g.labels)) addLabel(pt.labels, k, v);
        if (created) this.creatorByBlock.set(blockKeyOf(block, g.state), created);
      }
    }
    if (input.goroutines) {
      const p = input.goroutines;
      const t = p.samples;
      // Dump groups by blocking frame + state, so proto labels find their groups without a scan per sample.
      const byBlock = new Map<string, GroupPoint[]>();
      if (input.goroutineDump) {
        for (const [key, pt] of groups) {
          const bk = this.infos.get(key)!.blockKey;
          const list = byBlock.get(bk);
          if (list) list.push(pt);
          else byBlock.set(bk, [pt]);
        }
      }
      for (let s = 0; s < t.count; s++) {
        const frames = profileFrames(p, s);
        const state = inferGoroutineState(frames.map((f) => f.function));
        const block = this.blockingFrame(frames);
        const bk = blockKeyOf(block, state);
        const labels = t.labels[s];
        const n = t.values[s * p.sampleTypes.length + (p.sampleTypes.length - 1)]!;
        if (input.goroutineDump) {
          // Counts and states come from the dump; the proto profile only adds its labels to the matching groups.
          if (!labels) continue;
          for (const pt of byBlock.get(bk) ?? [])
            for (const l of labels) if (l.str !== undefined) addLabel(pt.labels, l.key, l.str);
          continue;
        }
        const key = this.groupKey(block, state, this.creatorByBlock.get(bk) ?? null);
        const pt = point(groups, key);
        pt.count += n;
        total += n;
        this.countStack(pt, frames, n);
        if (labels) for (const l of labels) if (l.str !== undefined) addLabel(pt.labels, l.key, l.str);
      }
    }
    this.snaps.push({ timeMs: input.timeMs, total, groups, leaked: this.leakedBlocks(input.goroutineLeak) });
    if (this.snaps.length > this.window) {
      this.snaps.shift();
      if (this.stackFrames.size > 4096) this.forgetStacksOutsideWindow();
    }
  }

  private countStack(pt: GroupPoint, frames: readonly Frame[], n: number): void {
    let key = '';
    for (const f of frames) key += `${f.function}\u0001${f.file}:${f.line}\u0002`;
    pt.stacks.set(key, (pt.stacks.get(key) ?? 0) + n);
    if (!this.stackFrames.has(key)) {
      this.stackFrames.set(
        key,
        frames.map((f) => ({ function: f.function, file: f.file, line: f.line })),
      );
    }
  }

  private forgetStacksOutsideWindow(): void {
    const kept = new Map<string, SourceFrame[]>();
    for (const s of this.snaps)
      for (const g of s.groups.values())
        for (const k of g.stacks.keys()) if (!kept.has(k)) kept.set(k, this.stackFrames.get(k)!);
    this.stackFrames = kept;
  }

  /** The per-stack counts of group `key` over the window, fastest-growing first. */
  private groupStacks(key: string, times: number[]): { stacks: GoroutineStackGrowth[]; stacksInWindow: number } {
    const series = new Map<string, number[]>();
    this.snaps.forEach((s, k) => {
      for (const [sk, n] of s.groups.get(key)?.stacks ?? []) {
        let v = series.get(sk);
        if (!v) {
          v = new Array<number>(this.snaps.length).fill(0);
          series.set(sk, v);
        }
        v[k] = n;
      }
    });
    const all = [...series].map(([sk, v]) => ({
      frames: this.stackFrames.get(sk) ?? [],
      count: v[v.length - 1] ?? 0,
      slopePerMin: v.length >= 2 ? linearFit(times, v).slopePerMin : 0,
      growth: (v[v.length - 1] ?? 0) - (v[0] ?? 0),
    }));
    all.sort((a, b) => b.slopePerMin - a.slopePerMin || b.count - a.count);
    return { stacks: all.slice(0, this.config.maxStacksPerSuspect), stacksInWindow: all.length };
  }

  /** Judges every group of the latest snapshot (and groups that vanished from it) over the window. */
  analyze(): GoroutineAnalysis {
    const cfg = this.config.goroutines;
    const times = this.snaps.map((s) => s.timeMs);
    const last = this.snaps[this.snaps.length - 1];
    const keys = new Set<string>();
    for (const s of this.snaps) for (const k of s.groups.keys()) keys.add(k);
    const blocking = new Set(cfg.blockingStates);
    const results: GoroutineGroupResult[] = [];
    const keyOf = new Map<GoroutineGroupResult, string>();
    // The leak profile is proof for the snapshot it came with; use the latest snapshot that had one.
    const leakSnap = [...this.snaps].reverse().find((s) => s.leaked !== undefined);
    for (const key of keys) {
      const info = this.infos.get(key)!;
      const series = this.snaps.map((s) => s.groups.get(key)?.count ?? 0);
      const lastPt = last?.groups.get(key);
      const stats = seriesStats(times, series, Math.max(1, 0.02 * Math.max(...series)));
      const proven = leakSnap?.leaked?.has(info.blockKey) === true && (leakSnap.groups.get(key)?.count ?? 0) > 0;
      const { verdict, reason } = judgeGroup(
        times,
        series,
        stats,
        proven,
        blocking.has(info.state) && info.userCode,
        this.config,
      );
      const labels: Record<string, string[]> = {};
      if (lastPt) for (const [k, vs] of lastPt.labels) labels[k] = [...vs].sort();
      const result: GoroutineGroupResult = {
        function: info.function,
        file: info.file,
        line: info.line,
        state: info.state,
        createdBy: info.createdBy,
        count: lastPt?.count ?? 0,
        slopePerMin: stats.slopePerMin,
        r2: stats.r2,
        maxWaitMinutes: lastPt?.maxWait ?? 0,
        proven,
        verdict,
        labels,
        userCode: info.userCode,
        series,
        reason,
        stacks: [],
        stacksInWindow: 0,
      };
      results.push(result);
      keyOf.set(result, key);
    }
    const rank: Record<Verdict, number> = { leak: 3, growing: 2, shrinking: 1, stable: 0 };
    results.sort(
      (a, b) =>
        rank[b.verdict] - rank[a.verdict] ||
        Number(b.proven) - Number(a.proven) ||
        b.slopePerMin - a.slopePerMin ||
        b.count - a.count,
    );
    const suspects = results
      .filter((r) => r.verdict === 'leak' || r.verdict === 'growing')
      .slice(0, this.config.maxSuspects);
    for (const g of suspects) Object.assign(g, this.groupStacks(keyOf.get(g)!, times));
    return {
      total: last?.total ?? 0,
      totalSlopePerMin: linearFit(
        times,
        this.snaps.map((s) => s.total),
      ).slopePerMin,
      suspects,
      groups: results.filter((r) => r.count > 0).sort((a, b) => b.count - a.count),
    };
  }

  private kind(fn: string): FrameKind {
    let k = this.kindCache.get(fn);
    if (k === undefined) {
      k = classifyFunction(fn, this.config.site.userModules);
      this.kindCache.set(fn, k);
    }
    return k;
  }

  /**
   * The innermost user frame; for goroutines made only of runtime and standard library code, the outermost
   * non-runtime frame (the goroutine's own function, such as `net/http.(*conn).serve`, which says what it is
   * better than the poller it waits in); else the leaf.
   */
  private blockingFrame(frames: readonly Frame[]): Frame & { user: boolean } {
    let outerNonRuntime: Frame | undefined;
    for (const f of frames) {
      const k = this.kind(f.function);
      if (k >= FrameKind.User) return { ...f, user: true };
      if (k >= FrameKind.Stdlib) outerNonRuntime = f;
    }
    const f = outerNonRuntime ?? frames[0] ?? { function: '<no stack>', file: '', line: 0 };
    return { function: f.function, file: f.file, line: f.line, user: false };
  }

  private groupKey(block: Frame & { user: boolean }, state: string, createdBy: SourceFrame | null): string {
    const bk = blockKeyOf(block, state);
    const key = createdBy ? `${bk}\u0000${createdBy.function}\u0000${createdBy.file}:${createdBy.line}` : bk;
    if (!this.infos.has(key)) {
      this.infos.set(key, {
        key,
        blockKey: bk,
        function: block.function,
        file: block.file,
        line: block.line,
        state,
        createdBy,
        userCode: block.user,
      });
    }
    return key;
  }

  private leakedBlocks(src: Profile | GoroutineDump | undefined): Set<string> | undefined {
    if (!src) return undefined;
    const out = new Set<string>();
    if ('goroutines' in src) {
      for (const g of src.goroutines) {
        // A goroutineleak dump lists only leaked goroutines; a plain dump marks them `(leaked)`.
        if (g.leaked || !src.goroutines.some((x) => !x.leaked))
          out.add(blockKeyOf(this.blockingFrame(g.frames), g.state));
      }
      return out;
    }
    for (let s = 0; s < src.samples.count; s++) {
      const frames = profileFrames(src, s);
      out.add(blockKeyOf(this.blockingFrame(frames), inferGoroutineState(frames.map((f) => f.function))));
    }
    return out;
  }
}

/** The verdict rules for one group's count series. */
function judgeGroup(
  times: number[],
  series: number[],
  stats: ReturnType<typeof seriesStats>,
  proven: boolean,
  blockedInUserCode: boolean,
  config: LeakConfig,
): { verdict: Verdict; reason: string } {
  const cfg = config.goroutines;
  if (proven) return { verdict: 'leak', reason: 'listed by the goroutineleak profile: the GC proved it unreachable' };
  const net = stats.last - stats.first;
  // Counts are exact (no sampling), so growth is what was counted, not what a fitted line extrapolates.
  const growth = net;
  if (stats.n < 2) return { verdict: 'stable', reason: 'a single snapshot shows no trend' };
  if (net <= -cfg.minGrowth && stats.slopePerMin <= -cfg.minSlopePerMin)
    return { verdict: 'shrinking', reason: 'count fell' };
  if (growth < cfg.minGrowth || stats.slopePerMin < cfg.minSlopePerMin) {
    return { verdict: 'stable', reason: 'flat count (a pool or steady blocking is not a leak)' };
  }
  const tail = flatTailLength(times, series, {
    minPoints: config.heap.plateauMinPoints,
    fraction: config.heap.plateauTailFraction,
    minSlopeT: config.heap.minSlopeT,
    sigmas: config.heap.plateauSigmas,
  });
  if (tail > 0) return { verdict: 'stable', reason: `grew, then flat over the last ${tail} snapshots (pool at size)` };
  const steady = stats.n >= cfg.minPoints && stats.r2 >= cfg.leakMinR2 && stats.monotonic >= cfg.leakMinMonotonic;
  if (steady && blockedInUserCode) return { verdict: 'leak', reason: 'blocked in user code and growing steadily' };
  if (steady)
    return {
      verdict: 'growing',
      reason: 'growing steadily, but not blocked on a channel, select or lock in user code',
    };
  return { verdict: 'growing', reason: stats.n < cfg.minPoints ? `only ${stats.n} snapshots` : 'growth not steady' };
}

function point(groups: Map<string, GroupPoint>, key: string): GroupPoint {
  let pt = groups.get(key);
  if (!pt) {
    pt = { count: 0, stacks: new Map(), maxWait: 0, labels: new Map() };
    groups.set(key, pt);
  }
  return pt;
}

function addLabel(labels: Map<string, Set<string>>, key: string, value: string): void {
  let set = labels.get(key);
  if (!set) {
    set = new Set();
    labels.set(key, set);
  }
  if (set.size < 20) set.add(value);
}

function blockKeyOf(f: Frame, state: string): string {
  return `${f.function}\u0000${f.file}:${f.line}\u0000${state}`;
}

/** The frames of proto sample `s`, innermost first, inlined frames expanded. */
function profileFrames(p: Profile, s: number): Frame[] {
  const out: Frame[] = [];
  for (const li of sampleStack(p.samples, s)) {
    const loc = p.locations[li]!;
    if (loc.lines.length === 0) out.push({ function: '', file: `0x${loc.address.toString(16)}`, line: 0 });
    for (const ln of loc.lines) out.push({ function: ln.function.name, file: ln.function.filename, line: ln.line });
  }
  return out;
}
