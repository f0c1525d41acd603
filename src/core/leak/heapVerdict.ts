import type { HeapVerdictConfig } from './leakConfig';
import { flatTailLength, median, risingFraction, seriesStats, type SeriesStats } from './stats';

/** What a series is doing: `leak` (steady, significant growth), `growing`, `stable` or `shrinking`. */
export type Verdict = 'leak' | 'growing' | 'stable' | 'shrinking';

/** Verdicts from most to least severe, for ranking. */
export const VERDICT_SEVERITY: Record<Verdict, number> = { leak: 3, growing: 2, shrinking: 1, stable: 0 };

/** A verdict on one series, with the statistics and thresholds that led to it. */
export interface HeapJudgement {
  verdict: Verdict;
  stats: SeriesStats;
  /** Growth smaller than this (bytes) is never significant: a few profile samples. */
  floorBytes: number;
  /** Growth larger than this (bytes) is significant whatever its shape: several Poisson deviations of sampling. */
  poissonBytes: number;
  /** Growth over the window: the larger of the robust-slope estimate and last minus first (bytes). */
  netGrowth: number;
  /** True when the series grew earlier but its recent tail is flat: a bounded structure that warmed up. */
  plateau: boolean;
  /** A short human reason for the verdict. */
  reason: string;
}

/**
 * The two noise bounds for a site at `level` bytes sampled every `period` bytes (`MemProfileRate`).
 *
 * Objects that stay live keep their sampling decision, so a pure leak grows by whole samples: growth of fewer
 * than `noiseSamples` samples is noise (`floor`). A churning site is re-sampled every GC cycle and each snapshot
 * wobbles with a Poisson standard deviation of about sqrt(level × period), so the difference of two snapshots
 * by sqrt(2 × level × period): growth beyond `noiseSigmas` of those is significant even for a churning site
 * (`poisson`). Exact profiles (period ≤ 1) only have the absolute floor.
 */
export function heapNoiseBytes(
  level: number,
  period: number,
  cfg: HeapVerdictConfig,
): { floor: number; poisson: number } {
  if (!(period > 1)) return { floor: cfg.minGrowthBytes, poisson: cfg.minGrowthBytes };
  const floor = Math.max(cfg.minGrowthBytes, cfg.noiseSamples * period);
  return { floor, poisson: Math.max(floor, cfg.noiseSigmas * Math.sqrt(2 * Math.max(level, period) * period)) };
}

/** Extra evidence about a site besides its in-use series. */
export interface HeapSiteEvidence {
  /**
   * Bytes the site allocated during the window (alloc_space of the last point minus the first). Allocation
   * well beyond the in-use growth means the live set turns over (churn), so snapshots are re-sampled and
   * only growth beyond the Poisson bound counts; without it the site is judged as pure accumulation.
   */
  allocDelta?: number;
}

/**
 * Judges one in-use series (bytes over time). Points should be one per GC epoch (see `HeapPoint.newEpoch`):
 * repeating an unchanged profile would fake flat steps and a high R².
 *
 * Rules, in order:
 * 1. Fewer than two points, or no significant change: `stable`. A change is significant when it exceeds a few
 *    samples AND either its slope is `minSlopeT` standard errors from zero or it exceeds the Poisson bound.
 * 2. A significant fall: `shrinking`.
 * 3. Growth that stopped: a tail of at least `plateauTailFraction` of the window that does not grow
 *    significantly and is clearly flatter than what came before (see {@link flatTailLength}): `stable`.
 * 4. Growth of at least `leakMinSamples` samples, enough points, a line that fits (R²), steps that rarely fall
 *    (monotonic) and growth carried by many steps (rising, so one start-up jump does not count): `leak`.
 * 5. Otherwise `growing`.
 */
export function judgeHeapSeries(
  timesMs: ArrayLike<number>,
  values: ArrayLike<number>,
  period: number,
  cfg: HeapVerdictConfig,
  evidence: HeapSiteEvidence = {},
): HeapJudgement {
  const n = values.length;
  let level = 0;
  for (let i = 0; i < n; i++) level = Math.max(level, Math.abs(values[i]!));
  const { floor, poisson } = heapNoiseBytes(level, period, cfg);
  // One step may wobble by about a sample without breaking monotonicity.
  const stepTolerance = period > 1 ? Math.max(period, 0.5 * Math.sqrt(level * period)) : cfg.minGrowthBytes / 4;
  const stats = seriesStats(timesMs, values, stepTolerance);
  // A step "rises" when it gains at least about a sample: leaked objects are never re-sampled, so even a slow
  // leak rises by whole samples, while jitter of a churning site is already handled by the significance rules.
  stats.rising = risingFraction(values, period > 1 ? period / 2 : cfg.minGrowthBytes / 16);
  const lastMinusFirst = stats.last - stats.first;
  const robust = stats.robustSlopePerMin * stats.spanMinutes;
  const up = Math.max(robust, lastMinusFirst);
  const down = Math.min(robust, lastMinusFirst);
  const judged = (verdict: Verdict, reason: string, plateau = false): HeapJudgement => ({
    verdict,
    stats,
    floorBytes: floor,
    poissonBytes: poisson,
    netGrowth: up > 0 ? up : down,
    plateau,
    reason,
  });
  if (n < 2) return judged('stable', 'a single point shows no trend');
  // Churn: the site allocated much more than it kept, so its snapshots are independent re-samples and a
  // t statistic over them is not to be trusted; only growth beyond the Poisson bound counts.
  // Turnover: bytes the site allocated in the window beyond what it kept. A pure leak keeps everything it
  // allocates (turnover ≈ 0); a site that replaces a quarter of its live set or more is re-sampled every GC.
  const churning =
    evidence.allocDelta !== undefined && evidence.allocDelta - Math.max(0, up) > 0.25 * Math.max(level, up);
  const tOk = !churning;
  // A churning site also wobbles by however many of its short-lived objects happen to be live at each GC, which
  // exact profiles (MemProfileRate=1) show in full: its growth must beat that scatter as well, measured around
  // the fitted line (MAD of the residuals scaled to a standard deviation, as for the difference of two points).
  const scatter = churning ? cfg.noiseSigmas * Math.SQRT2 * 1.4826 * residualMad(timesMs, values, stats) : 0;
  const bound = Math.max(poisson, scatter);
  const grew = stats.slopePerMin > 0 && up >= floor && ((tOk && stats.slopeT >= cfg.minSlopeT) || up >= bound);
  const shrank = stats.slopePerMin < 0 && down <= -floor && ((tOk && stats.slopeT <= -cfg.minSlopeT) || down <= -bound);
  if (!grew && !shrank) return judged('stable', `no significant change (floor ${fmtBytes(floor)})`);
  if (shrank) return judged('shrinking', 'in-use bytes fell significantly');

  // The flat tail found may still hold the end of the growth; the plateau is real if any qualifying tail in it
  // (down to the shortest one the rule accepts) stopped short of the head's pace.
  const everyTailKeepsHeadPace = (longest: number): boolean => {
    const shortest = Math.max(cfg.plateauMinPoints, Math.ceil(n * cfg.plateauTailFraction));
    for (let len = longest; len >= shortest; len--)
      if (!tailKeepsHeadPace(timesMs, values, n - len, period)) return false;
    return true;
  };
  const tail = flatTailLength(timesMs, values, {
    minPoints: cfg.plateauMinPoints,
    fraction: cfg.plateauTailFraction,
    minSlopeT: cfg.minSlopeT,
    sigmas: cfg.plateauSigmas,
  });
  // Only for a site that keeps what it allocates: a churning site is re-sampled every GC, so its tail is no
  // running count of samples and the Poisson argument below does not hold.
  if (tail > 0 && !(period > 1 && !churning && everyTailKeepsHeadPace(tail)))
    return judged('stable', `grew earlier, flat over the last ${tail} points (plateau)`, true);
  const enough = !(period > 1) || up >= cfg.leakMinSamples * period;
  const steady =
    enough &&
    n >= cfg.minPoints &&
    stats.r2 >= cfg.leakMinR2 &&
    stats.monotonic >= cfg.leakMinMonotonic &&
    stats.rising >= cfg.leakMinRising;
  if (steady) return judged('leak', 'steady growth over the window');
  const why = !enough
    ? `growth of ${Math.round(up / period)} profile samples is below the ${cfg.leakMinSamples} a leak verdict needs`
    : n < cfg.minPoints
      ? `only ${n} distinct GC epochs (need ${cfg.minPoints})`
      : stats.r2 < cfg.leakMinR2
        ? `growth not steady (R² ${stats.r2.toFixed(2)})`
        : stats.monotonic < cfg.leakMinMonotonic
          ? `falls too often (${Math.round(stats.monotonic * 100)}% monotonic)`
          : `growth concentrated in few steps (${Math.round(stats.rising * 100)}% rising)`;
  return judged('growing', why);
}

function fmtBytes(b: number): string {
  if (b >= 1024 * 1024) return `${(b / (1024 * 1024)).toFixed(1)} MiB`;
  if (b >= 1024) return `${(b / 1024).toFixed(0)} KiB`;
  return `${b} B`;
}

/** Median absolute deviation of the residuals around the least-squares line. */
function residualMad(timesMs: ArrayLike<number>, values: ArrayLike<number>, stats: SeriesStats): number {
  const res: number[] = [];
  const t0 = timesMs[0] ?? 0;
  // The intercept is recomputed from the means, so only the slope is needed from the stats.
  let mt = 0;
  let mv = 0;
  for (let i = 0; i < values.length; i++) {
    mt += (timesMs[i]! - t0) / 60_000;
    mv += values[i]!;
  }
  mt /= values.length;
  mv /= values.length;
  for (let i = 0; i < values.length; i++) {
    res.push(values[i]! - (mv + stats.slopePerMin * ((timesMs[i]! - t0) / 60_000 - mt)));
  }
  const m = median(res);
  return median(res.map((r) => Math.abs(r - m)));
}

/**
 * Whether a sampled leak that kept its earlier pace could, by sampling luck alone, show no more growth than the
 * tail from `b` on does. A leaked object stays sampled, so the samples a pure leak adds over the tail are Poisson
 * with mean (head rate × tail time) / period; a plateau is only declared when that tail would be a 1-in-1000 draw.
 * Without this, a steady leak whose last few snapshots happened to gain one sample instead of six looked like a
 * bounded cache that had warmed up.
 */
export function tailKeepsHeadPace(
  timesMs: ArrayLike<number>,
  values: ArrayLike<number>,
  b: number,
  period: number,
): boolean {
  const n = values.length;
  const t0 = timesMs[0]!;
  const tb = timesMs[b]!;
  const tn = timesMs[n - 1]!;
  if (!(tb > t0) || !(tn > tb)) return false;
  const headRate = (values[b]! - values[0]!) / (tb - t0);
  if (!(headRate > 0)) return false;
  const lambda = (headRate * (tn - tb)) / period;
  const k = Math.max(0, Math.floor((values[n - 1]! - values[b]!) / period));
  return poissonCdf(k, lambda) >= 1e-3;
}

/** P(X ≤ k) for X ~ Poisson(lambda). */
function poissonCdf(k: number, lambda: number): number {
  let term = Math.exp(-lambda);
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term *= lambda / i;
    sum += term;
  }
  return Math.min(1, sum);
}
