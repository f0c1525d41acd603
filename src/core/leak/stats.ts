/**
 * Small, allocation-free statistics over time series, used to judge whether a heap site or goroutine group grows.
 *
 * Times are in milliseconds (snapshot wall-clock times) and slopes come back per minute, because leak rates are
 * read by people in "MB per minute" / "goroutines per minute". Every function accepts series shorter than two
 * points and returns a neutral value (slope 0, R² 0) rather than NaN, so callers never have to special-case them.
 */

/** Milliseconds in a minute; slopes are reported per minute. */
export const MS_PER_MINUTE = 60_000;

/** The result of an ordinary least-squares line fit `v = intercept + slope * t`. */
export interface LinearFit {
  /** Change of the value per minute. */
  slopePerMin: number;
  /** Fitted value at the first time of the series. */
  interceptAtStart: number;
  /** Coefficient of determination in [0, 1]; 1 for a series the line fits exactly (including a constant one). */
  r2: number;
  /**
   * The slope divided by its standard error (a t statistic with n−2 degrees of freedom): how many standard
   * errors the slope is away from zero. ±Infinity for an exact non-flat line, 0 when it cannot be estimated (n < 3).
   */
  slopeT: number;
  /** Residual sum of squares of the fit. */
  sse: number;
}

/**
 * Fits a least-squares line to `values` over `timesMs`; the two arrays must have the same length. `from`/`to`
 * restrict the fit to the points [from, to) without copying (the intercept is then at `timesMs[from]`).
 */
export function linearFit(timesMs: ArrayLike<number>, values: ArrayLike<number>, from = 0, to?: number): LinearFit {
  const len = checkLengths(timesMs, values);
  const end = to ?? len;
  const n = Math.max(0, end - from);
  if (n === 0) return { slopePerMin: 0, interceptAtStart: 0, r2: 0, slopeT: 0, sse: 0 };
  const t0 = timesMs[from]!;
  let mt = 0;
  let mv = 0;
  for (let i = from; i < end; i++) {
    mt += (timesMs[i]! - t0) / MS_PER_MINUTE;
    mv += values[i]!;
  }
  mt /= n;
  mv /= n;
  let stt = 0;
  let stv = 0;
  let svv = 0;
  for (let i = from; i < end; i++) {
    const dt = (timesMs[i]! - t0) / MS_PER_MINUTE - mt;
    const dv = values[i]! - mv;
    stt += dt * dt;
    stv += dt * dv;
    svv += dv * dv;
  }
  // All points at one instant (or a single point): no slope can be estimated.
  if (stt === 0) return { slopePerMin: 0, interceptAtStart: mv, r2: 0, slopeT: 0, sse: svv };
  const slope = stv / stt;
  const intercept = mv - slope * mt;
  // A constant series is fitted exactly by a flat line; report that as a perfect fit rather than 0/0.
  const r2 = svv === 0 ? 1 : Math.min(1, Math.max(0, (stv * stv) / (stt * svv)));
  // Guard against tiny negative residuals from rounding on exact lines.
  const sse = Math.max(0, svv - slope * stv);
  let slopeT = 0;
  if (n > 2) {
    // Residuals at floating-point rounding level mean an exact line: infinitely significant.
    if (sse <= 1e-12 * svv) slopeT = slope === 0 ? 0 : slope > 0 ? Infinity : -Infinity;
    else slopeT = slope / Math.sqrt(sse / (n - 2) / stt);
  }
  return { slopePerMin: slope, interceptAtStart: intercept, r2, slopeT, sse };
}

/**
 * Theil–Sen slope per minute: the median of the slopes between every pair of points.
 *
 * Unlike least squares it ignores up to ~29% of outliers, such as one snapshot taken right before a GC; series
 * here are short (a window of tens of snapshots), so the O(n²) pairs are cheap.
 */
export function theilSenSlopePerMin(timesMs: ArrayLike<number>, values: ArrayLike<number>): number {
  const n = checkLengths(timesMs, values);
  const slopes: number[] = [];
  // Beyond a couple of dozen points, pairs closer than half the window add little but cost O(n²) sorting; the
  // wide pairs alone keep the estimator's robustness (a point still enters only a minority of them).
  const minLag = n > 24 ? Math.floor(n / 2) : 1;
  for (let i = 0; i < n; i++) {
    for (let j = i + minLag; j < n; j++) {
      const dt = (timesMs[j]! - timesMs[i]!) / MS_PER_MINUTE;
      if (dt !== 0) slopes.push((values[j]! - values[i]!) / dt);
    }
  }
  return median(slopes);
}

/** The median of `xs` (0 for an empty list); does not modify its argument. */
export function median(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n === 0) return 0;
  const s = Float64Array.from(xs as ArrayLike<number>).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The fraction of steps between consecutive points that do not go down by more than `tolerance`.
 *
 * 1 for a series that never falls (a leak, or a staircase between GC cycles), ~0.5 for noise around a level.
 * The tolerance absorbs sampling jitter so that a leak whose site wobbles by one profile sample still counts as
 * monotonic. Returns 0 for fewer than two points, because one point shows no direction.
 */
export function monotonicFraction(values: ArrayLike<number>, tolerance = 0): number {
  const n = values.length;
  if (n < 2) return 0;
  let up = 0;
  for (let i = 1; i < n; i++) if (values[i]! - values[i - 1]! >= -tolerance) up++;
  return up / (n - 1);
}

/** The fraction of steps that rise by more than `tolerance`: how many steps carried the growth. */
export function risingFraction(values: ArrayLike<number>, tolerance = 0): number {
  const n = values.length;
  if (n < 2) return 0;
  let up = 0;
  for (let i = 1; i < n; i++) if (values[i]! - values[i - 1]! > tolerance) up++;
  return up / (n - 1);
}

/** Growth of the last value over the first, as a fraction (0.5 = +50%); `Infinity` when growing from zero, 0 for flat zero. */
export function relativeGrowth(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return 0;
  const first = values[0]!;
  const last = values[n - 1]!;
  if (first === 0) return last === 0 ? 0 : last > 0 ? Infinity : -Infinity;
  return (last - first) / Math.abs(first);
}

/** Everything the verdict rules look at for one series, computed in one go. */
export interface SeriesStats {
  /** Number of points. */
  n: number;
  /** Time from the first to the last point, in minutes. */
  spanMinutes: number;
  /** Least-squares slope per minute. */
  slopePerMin: number;
  /** Theil–Sen (median of pairwise slopes) slope per minute, robust against single outliers. */
  robustSlopePerMin: number;
  /** R² of the least-squares line. */
  r2: number;
  /** t statistic of the least-squares slope (see {@link LinearFit.slopeT}). */
  slopeT: number;
  /** Fraction of steps that do not fall by more than the tolerance. */
  monotonic: number;
  /** Fraction of steps that rise by more than the tolerance. */
  rising: number;
  /** Last value over first value, minus one. */
  relativeGrowth: number;
  /** First value. */
  first: number;
  /** Last value. */
  last: number;
  /** Largest value. */
  max: number;
}

/** Computes {@link SeriesStats}; `stepTolerance` is the per-step jitter that does not break monotonicity. */
export function seriesStats(timesMs: ArrayLike<number>, values: ArrayLike<number>, stepTolerance = 0): SeriesStats {
  const n = checkLengths(timesMs, values);
  const fit = linearFit(timesMs, values);
  let max = n > 0 ? values[0]! : 0;
  for (let i = 1; i < n; i++) if (values[i]! > max) max = values[i]!;
  return {
    n,
    spanMinutes: n > 1 ? (timesMs[n - 1]! - timesMs[0]!) / MS_PER_MINUTE : 0,
    slopePerMin: fit.slopePerMin,
    robustSlopePerMin: theilSenSlopePerMin(timesMs, values),
    r2: fit.r2,
    slopeT: fit.slopeT,
    monotonic: monotonicFraction(values, stepTolerance),
    rising: risingFraction(values, stepTolerance),
    relativeGrowth: relativeGrowth(values),
    first: n > 0 ? values[0]! : 0,
    last: n > 0 ? values[n - 1]! : 0,
    max,
  };
}

function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`series lengths differ: ${a.length} times, ${b.length} values`);
  return a.length;
}

/** Parameters of {@link flatTailLength}. */
export interface FlatTailOptions {
  /** Fewest points a tail may have. */
  minPoints: number;
  /** Smallest fraction of the series a tail must cover. */
  fraction: number;
  /** A tail whose slope t statistic reaches this is still growing. */
  minSlopeT: number;
  /** The head's slope must exceed the tail's by this many combined standard errors. */
  sigmas: number;
}

/**
 * Returns the length of the longest flat tail that makes the series a finished warm-up, or 0 if there is none.
 *
 * A candidate tail (at least `minPoints` points and `fraction` of the series, leaving at least two points before
 * it) is flat when its own slope is not significant (t below `minSlopeT`) and the slope of the points before it
 * exceeds the tail's by `sigmas` combined standard errors. A leak keeps its rate, so its head and tail slopes
 * agree however noisy the points are; a bounded cache or pool that warmed up does not.
 */
export function flatTailLength(timesMs: ArrayLike<number>, values: ArrayLike<number>, o: FlatTailOptions): number {
  const n = checkLengths(timesMs, values);
  const minTail = Math.max(o.minPoints, Math.ceil(n * o.fraction));
  for (let tailLen = n - 2; tailLen >= minTail; tailLen--) {
    const b = n - tailLen;
    const tail = linearFit(timesMs, values, b, n);
    if (tail.slopeT >= o.minSlopeT) continue;
    // The head includes the tail's first point so that a jump right before the tail counts as head growth.
    const head = linearFit(timesMs, values, 0, b + 1);
    const gap = head.slopePerMin - tail.slopePerMin;
    if (!(gap > 0)) continue;
    const se = Math.hypot(slopeStdErr(head), slopeStdErr(tail));
    if (gap >= o.sigmas * se) return tailLen;
  }
  return 0;
}

/** Standard error of a fitted slope, from its t statistic (0 for exact fits, Infinity when unknown). */
export function slopeStdErr(fit: Pick<LinearFit, 'slopePerMin' | 'slopeT'>): number {
  if (!Number.isFinite(fit.slopeT)) return 0;
  if (fit.slopeT === 0) return fit.slopePerMin === 0 ? 0 : Infinity;
  return Math.abs(fit.slopePerMin / fit.slopeT);
}
