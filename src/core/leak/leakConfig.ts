/**
 * The one configuration object for leak detection: every threshold a verdict depends on, with its default and why.
 *
 * Defaults are chosen for Go services sampled every few seconds with the default `MemProfileRate` (512 KiB per
 * sample). Callers pass a partial object; {@link resolveLeakConfig} fills in the rest and rejects nonsense.
 */

/** How a heap sample's stack is reduced to the allocation site it is reported under. */
export type SiteMode =
  /** The innermost frame that is neither Go runtime nor standard library (default): the user line that allocated. */
  | 'innermost-user'
  /** The leaf frame, whatever it is (often `runtime.mallocgc` callers such as `bytes.growSlice`). */
  | 'leaf'
  /** The innermost frame in the main package or one of `site.userModules`. */
  | 'main-module'
  /** The whole stack is the site: no two call paths are merged. */
  | 'full-stack';

/** Every site mode, for validation and CLI help. */
export const SITE_MODES: readonly SiteMode[] = ['innermost-user', 'leaf', 'main-module', 'full-stack'];

/** Thresholds for the verdict on one heap allocation site. */
export interface HeapVerdictConfig {
  /** Distinct GC epochs (snapshots whose heap profile changed) needed before anything is called `leak`. Default 4. */
  minPoints: number;
  /** Minimum R² of the least-squares line for `leak`: growth must be steady, not one jump. Default 0.7. */
  leakMinR2: number;
  /** Minimum fraction of steps that do not fall (beyond sampling jitter) for `leak`. Default 0.75. */
  leakMinMonotonic: number;
  /**
   * Minimum fraction of steps that rise beyond jitter for `leak`, so a single jump between long flat stretches
   * (a one-off allocation at start-up) is `growing`, not `leak`. Default 0.3.
   */
  leakMinRising: number;
  /** Growth below this many profile samples (each worth `period` bytes, 512 KiB by default) is noise. Default 4. */
  noiseSamples: number;
  /**
   * `leak` (the verdict people act on at 3 a.m.) needs growth of at least this many profile samples; growth
   * between `noiseSamples` and this is `growing`. A 2 MiB cache still warming up is only four or five samples
   * at the default rate and can look like a clean staircase. Exact profiles (period ≤ 1) skip this. Default 8.
   */
  leakMinSamples: number;
  /**
   * Growth must also exceed this many standard deviations of Poisson sampling noise, sqrt(level × period), so
   * a large churning site that jitters by several samples is not called growing. Default 3.
   */
  noiseSigmas: number;
  /** Absolute floor for significant growth in bytes, used when profiles are exact (`MemProfileRate=1`). Default 32 KiB. */
  minGrowthBytes: number;
  /**
   * Growth above the sample floor but below the Poisson bound must also be statistically significant: the
   * least-squares slope at least this many standard errors above zero (t statistic). Default 3.
   */
  minSlopeT: number;
  /** Fraction of the window (its latest points) examined for a plateau. Default 0.4. */
  plateauTailFraction: number;
  /** Minimum number of points in that tail before a plateau can be declared. Default 3. */
  plateauMinPoints: number;
  /**
   * A tail is a plateau (a bounded cache that warmed up) when its slope is not significant and lies at least
   * this many of its standard errors below the whole-window slope. Default 2.
   */
  plateauSigmas: number;
}

/** Thresholds for the verdict on one goroutine group. */
export interface GoroutineVerdictConfig {
  /** Snapshots needed before a group is called `leak` from its count alone. Default 4. */
  minPoints: number;
  /** Minimum R² of the count's line for `leak`. Default 0.7. */
  leakMinR2: number;
  /** Minimum fraction of non-falling steps of the count for `leak`. Default 0.75. */
  leakMinMonotonic: number;
  /**
   * Minimum net growth of a group (goroutines over the window) for `leak`: LeakProf only reports concentrations
   * of blocked goroutines, and a handful more goroutines is not yet a concentration. Default 10.
   */
  minGrowth: number;
  /** Growth below this many goroutines per minute is `stable` whatever the shape. Default 1. */
  minSlopePerMin: number;
  /**
   * Wait states (the text in `goroutine N [state]:`, without the minutes) that mean "blocked on a channel,
   * select or lock"; only groups in these states can be `leak` from growth alone.
   */
  blockingStates: string[];
}

/** Thresholds for container memory and the road to OOM. */
export interface ContainerConfig {
  /** `memory.current / memory.max` at or above this is a warning. Default 0.9. */
  watermarkRatio: number;
  /** Early warning when RSS grows faster than this (bytes per second)... Default 80 MB/s. */
  earlyWarningRssBytesPerSec: number;
  /** ...while `inactive_file` shrinks by less than this (bytes per second): page cache is not giving way. Default 5 MB/s. */
  earlyWarningInactiveFileBytesPerSec: number;
  /**
   * The cgroup counts as growing (for the OOM ETA and the "not the Go heap" warning) when `memory.current`
   * rises faster than this, bytes per minute, with a significant slope. Default 1 MiB/min.
   */
  minGrowthBytesPerMin: number;
  /** The Go heap counts as flat when it grows by less than this fraction of the cgroup growth. Default 0.25. */
  nonHeapHeapShare: number;
}

/** Service-level indicators and their thresholds. */
export interface SliConfig {
  /** Allocation rate (alloc_space delta per second) above which the SLI fails. Default 50 MB/s. */
  allocBytesPerSec: number;
  /** Live heap objects (inuse_objects or MemStats.HeapObjects) above which the SLI fails. Default 2 M. */
  liveObjects: number;
  /** HeapInuse/HeapSys below which the SLI fails: the runtime holds much heap it does not use. Default 0.6. */
  heapInuseRatio: number;
}

/** How stacks become sites. */
export interface SiteConfig {
  /** The site mode; default `innermost-user`. */
  mode: SiteMode;
  /**
   * Package path prefixes that are user code even though their first element has no dot (a module named
   * `ecu` rather than `example.com/ecu`); `main` is always user code. Default none.
   */
  userModules: string[];
}

/** The whole leak-detection configuration. */
export interface LeakConfig {
  site: SiteConfig;
  heap: HeapVerdictConfig;
  goroutines: GoroutineVerdictConfig;
  container: ContainerConfig;
  sli: SliConfig;
  /** Most suspects listed per section in a report. Default 20. */
  maxSuspects: number;
  /** Most call paths listed per suspect, fastest-growing first; the report still counts them all. Default 50. */
  maxStacksPerSuspect: number;
}

/** The documented defaults; never mutated (use {@link resolveLeakConfig} to derive a config). */
export const DEFAULT_LEAK_CONFIG: Readonly<LeakConfig> = deepFreeze({
  site: { mode: 'innermost-user', userModules: [] },
  heap: {
    minPoints: 4,
    leakMinR2: 0.7,
    leakMinMonotonic: 0.75,
    leakMinRising: 0.3,
    noiseSamples: 4,
    leakMinSamples: 8,
    noiseSigmas: 3,
    minGrowthBytes: 32 * 1024,
    minSlopeT: 3,
    plateauTailFraction: 0.4,
    plateauMinPoints: 3,
    plateauSigmas: 2,
  },
  goroutines: {
    minPoints: 4,
    leakMinR2: 0.7,
    leakMinMonotonic: 0.75,
    minGrowth: 10,
    minSlopePerMin: 1,
    blockingStates: [
      'chan receive',
      'chan send',
      'chan receive (nil chan)',
      'chan send (nil chan)',
      'select',
      'select (no cases)',
      'semacquire',
      'sync.Mutex.Lock',
      'sync.RWMutex.Lock',
      'sync.RWMutex.RLock',
      'sync.Cond.Wait',
      'sync.WaitGroup.Wait',
    ],
  },
  container: {
    watermarkRatio: 0.9,
    earlyWarningRssBytesPerSec: 80e6,
    earlyWarningInactiveFileBytesPerSec: 5e6,
    minGrowthBytesPerMin: 1024 * 1024,
    nonHeapHeapShare: 0.25,
  },
  sli: { allocBytesPerSec: 50e6, liveObjects: 2e6, heapInuseRatio: 0.6 },
  maxSuspects: 20,
  maxStacksPerSuspect: 50,
} satisfies LeakConfig);

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) deepFreeze(v as object);
  return Object.freeze(o);
}

/** A partial configuration: any section, any field. */
export type LeakConfigInput = {
  [K in keyof LeakConfig]?: LeakConfig[K] extends object ? Partial<LeakConfig[K]> : LeakConfig[K];
};

/** Raised for a configuration value that makes no sense (negative thresholds, ratios outside [0, 1], unknown modes). */
export class LeakConfigError extends Error {
  override name = 'LeakConfigError';
}

/** Fills in defaults for everything `input` leaves out and validates the result. */
export function resolveLeakConfig(input: LeakConfigInput = {}): LeakConfig {
  const d = DEFAULT_LEAK_CONFIG;
  const cfg: LeakConfig = {
    site: { ...d.site, userModules: [...d.site.userModules], ...input.site },
    heap: { ...d.heap, ...input.heap },
    goroutines: { ...d.goroutines, blockingStates: [...d.goroutines.blockingStates], ...input.goroutines },
    container: { ...d.container, ...input.container },
    sli: { ...d.sli, ...input.sli },
    maxSuspects: input.maxSuspects ?? d.maxSuspects,
    maxStacksPerSuspect: input.maxStacksPerSuspect ?? d.maxStacksPerSuspect,
  };
  validate(cfg);
  return cfg;
}

function validate(c: LeakConfig): void {
  if (!SITE_MODES.includes(c.site.mode)) {
    throw new LeakConfigError(`site.mode must be one of ${SITE_MODES.join(', ')}, got ${JSON.stringify(c.site.mode)}`);
  }
  if (!Array.isArray(c.site.userModules) || c.site.userModules.some((m) => typeof m !== 'string' || m === '')) {
    throw new LeakConfigError('site.userModules must be a list of non-empty package path prefixes');
  }
  const ratios: [string, number][] = [
    ['heap.leakMinR2', c.heap.leakMinR2],
    ['heap.leakMinMonotonic', c.heap.leakMinMonotonic],
    ['heap.leakMinRising', c.heap.leakMinRising],
    ['heap.plateauTailFraction', c.heap.plateauTailFraction],
    ['goroutines.leakMinR2', c.goroutines.leakMinR2],
    ['goroutines.leakMinMonotonic', c.goroutines.leakMinMonotonic],
    ['container.watermarkRatio', c.container.watermarkRatio],
    ['container.nonHeapHeapShare', c.container.nonHeapHeapShare],
    ['sli.heapInuseRatio', c.sli.heapInuseRatio],
  ];
  for (const [name, v] of ratios) {
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new LeakConfigError(`${name} must be in [0, 1], got ${v}`);
  }
  const nonNegative: [string, number][] = [
    ['heap.noiseSamples', c.heap.noiseSamples],
    ['heap.leakMinSamples', c.heap.leakMinSamples],
    ['heap.noiseSigmas', c.heap.noiseSigmas],
    ['heap.minGrowthBytes', c.heap.minGrowthBytes],
    ['heap.minSlopeT', c.heap.minSlopeT],
    ['heap.plateauSigmas', c.heap.plateauSigmas],
    ['goroutines.minGrowth', c.goroutines.minGrowth],
    ['goroutines.minSlopePerMin', c.goroutines.minSlopePerMin],
    ['container.earlyWarningRssBytesPerSec', c.container.earlyWarningRssBytesPerSec],
    ['container.earlyWarningInactiveFileBytesPerSec', c.container.earlyWarningInactiveFileBytesPerSec],
    ['container.minGrowthBytesPerMin', c.container.minGrowthBytesPerMin],
    ['sli.allocBytesPerSec', c.sli.allocBytesPerSec],
    ['sli.liveObjects', c.sli.liveObjects],
  ];
  for (const [name, v] of nonNegative) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new LeakConfigError(`${name} must be a finite number >= 0, got ${v}`);
    }
  }
  const counts: [string, number][] = [
    ['heap.minPoints', c.heap.minPoints],
    ['heap.plateauMinPoints', c.heap.plateauMinPoints],
    ['goroutines.minPoints', c.goroutines.minPoints],
    ['maxSuspects', c.maxSuspects],
    ['maxStacksPerSuspect', c.maxStacksPerSuspect],
  ];
  for (const [name, v] of counts) {
    if (!Number.isInteger(v) || v < 1) throw new LeakConfigError(`${name} must be an integer >= 1, got ${v}`);
  }
  if (c.heap.minPoints < 2 || c.goroutines.minPoints < 2) {
    throw new LeakConfigError('minPoints must be at least 2: one point shows no trend');
  }
}
