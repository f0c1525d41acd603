import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  linearFit,
  median,
  monotonicFraction,
  relativeGrowth,
  risingFraction,
  seriesStats,
  theilSenSlopePerMin,
  flatTailLength,
} from '../../../src/core/leak/stats';
import { gaussian, seededRandom } from './seededRandom';

const times = (n: number, stepMs: number) => Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * stepMs);

describe('leak/stats', () => {
  describe('linearFit', () => {
    it('recovers slope per minute and R² = 1 on an exact line', () => {
      const t = times(10, 2000); // 2 s apart
      const v = t.map((_, i) => 1000 + 500 * i); // +500 per 2 s = +15000 per minute
      const fit = linearFit(t, v);
      assert.ok(Math.abs(fit.slopePerMin - 15000) < 1e-6, String(fit.slopePerMin));
      assert.ok(Math.abs(fit.interceptAtStart - 1000) < 1e-6);
      assert.ok(Math.abs(fit.r2 - 1) < 1e-12);
      assert.equal(fit.slopeT, Infinity);
    });

    it('gives a slope t statistic that separates a noisy trend from noise', () => {
      const rand = seededRandom(3);
      const t = times(10, 2000);
      let significant = 0;
      for (let k = 0; k < 500; k++) {
        if (
          linearFit(
            t,
            t.map(() => gaussian(rand)),
          ).slopeT > 3
        )
          significant++;
      }
      // With 8 degrees of freedom P(t > 3) is about 0.9%.
      assert.ok(significant < 15, `${significant}/500 noise series look significant`);
      const trend = t.map((_, i) => 2 * i + gaussian(rand));
      assert.ok(linearFit(t, trend).slopeT > 8);
    });

    it('gives R² = 1 and slope 0 for a constant series, and a neutral fit for 0 or 1 points', () => {
      assert.deepEqual(linearFit(times(5, 1000), [7, 7, 7, 7, 7]), {
        slopePerMin: 0,
        interceptAtStart: 7,
        r2: 1,
        slopeT: 0,
        sse: 0,
      });
      assert.deepEqual(linearFit([], []), { slopePerMin: 0, interceptAtStart: 0, r2: 0, slopeT: 0, sse: 0 });
      assert.deepEqual(linearFit([5], [3]), { slopePerMin: 0, interceptAtStart: 3, r2: 0, slopeT: 0, sse: 0 });
    });

    it('has a low R² on pure noise and a high R² on a noisy line', () => {
      const rand = seededRandom(42);
      const t = times(30, 1000);
      const noise = t.map(() => 1e6 + 1e5 * gaussian(rand));
      assert.ok(linearFit(t, noise).r2 < 0.2, `noise r2 ${linearFit(t, noise).r2}`);
      const line = t.map((_, i) => 1e6 + 1e5 * i + 1e5 * gaussian(rand));
      const fit = linearFit(t, line);
      assert.ok(fit.r2 > 0.95, `line r2 ${fit.r2}`);
      assert.ok(Math.abs(fit.slopePerMin - 6e6) / 6e6 < 0.1, `slope ${fit.slopePerMin}`);
    });

    it('rejects series of different lengths', () => {
      assert.throws(() => linearFit([1, 2], [1]), RangeError);
    });

    it('is invariant to shifting time and exact for any line (property)', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 40 }),
          fc.double({ min: -1e6, max: 1e6, noNaN: true }),
          fc.double({ min: -1e6, max: 1e6, noNaN: true }),
          fc.integer({ min: 0, max: 2e12 }),
          (n, a, b, t0) => {
            const t = Array.from({ length: n }, (_, i) => t0 + i * 1500);
            const v = t.map((_, i) => a + b * i);
            const fit = linearFit(t, v);
            const want = (b * 60000) / 1500;
            return Math.abs(fit.slopePerMin - want) <= 1e-6 * Math.max(1, Math.abs(want));
          },
        ),
      );
    });
  });

  describe('theilSenSlopePerMin', () => {
    it('ignores a single outlier that drags least squares', () => {
      const t = times(10, 60_000); // one per minute
      const v = t.map((_, i) => 100 * i);
      v[9] = -5000; // one snapshot taken in a bad moment
      assert.equal(theilSenSlopePerMin(t, v), 100);
      assert.ok(linearFit(t, v).slopePerMin < 0);
    });

    it('is 0 for fewer than two distinct times', () => {
      assert.equal(theilSenSlopePerMin([1, 1], [0, 10]), 0);
      assert.equal(theilSenSlopePerMin([1], [0]), 0);
    });
  });

  describe('median', () => {
    it('handles odd, even and empty lists without sorting the input', () => {
      const xs = [5, 1, 3];
      assert.equal(median(xs), 3);
      assert.deepEqual(xs, [5, 1, 3]);
      assert.equal(median([4, 1, 3, 2]), 2.5);
      assert.equal(median([]), 0);
      assert.equal(median([-10, 2]), -4);
    });
  });

  describe('monotonicFraction / risingFraction', () => {
    it('counts non-falling and rising steps with a jitter tolerance', () => {
      const v = [0, 10, 10, 8, 20, 30];
      assert.equal(monotonicFraction(v), 4 / 5);
      assert.equal(monotonicFraction(v, 2), 1);
      assert.equal(risingFraction(v), 3 / 5);
      assert.equal(risingFraction(v, 12), 0); // no step rises by more than 12
      assert.equal(monotonicFraction([1]), 0);
      assert.equal(risingFraction([]), 0);
    });

    it('is near 1/2 for white noise and 1 for a noisy leak under a noise-sized tolerance', () => {
      const rand = seededRandom(7);
      const noise = Array.from({ length: 200 }, () => gaussian(rand));
      const f = monotonicFraction(noise);
      assert.ok(f > 0.35 && f < 0.65, String(f));
      const leak = Array.from({ length: 50 }, (_, i) => 10 * i + gaussian(rand));
      assert.equal(monotonicFraction(leak, 4), 1);
    });
  });

  describe('relativeGrowth', () => {
    it('compares last with first', () => {
      assert.equal(relativeGrowth([100, 120, 150]), 0.5);
      assert.equal(relativeGrowth([100, 50]), -0.5);
      assert.equal(relativeGrowth([0, 5]), Infinity);
      assert.equal(relativeGrowth([0, 0]), 0);
      assert.equal(relativeGrowth([3]), 0);
    });
  });

  describe('seriesStats', () => {
    it('collects all statistics of one series', () => {
      const t = times(5, 30_000);
      const s = seriesStats(t, [10, 20, 30, 25, 50], 5);
      assert.equal(s.n, 5);
      assert.equal(s.spanMinutes, 2);
      assert.equal(s.first, 10);
      assert.equal(s.last, 50);
      assert.equal(s.max, 50);
      assert.equal(s.relativeGrowth, 4);
      assert.equal(s.monotonic, 1);
      assert.equal(s.rising, 3 / 4);
      assert.ok(s.slopePerMin > 0 && s.robustSlopePerMin > 0 && s.r2 > 0.7);
    });
  });

  describe('flatTailLength', () => {
    const o = { minPoints: 3, fraction: 0.4, minSlopeT: 3, sigmas: 2 };
    it('finds the flat tail of a warm-up and none in a line or a late jump', () => {
      const t = times(12, 2000);
      // The longest tail that passes may include the last steps of the warm-up (their slope is not significant).
      assert.ok(flatTailLength(t, [0, 4, 8, 12, 16, 20, 20, 20, 20, 20, 20, 20], o) >= 7);
      assert.equal(
        flatTailLength(
          t,
          t.map((_, i) => i * 3),
          o,
        ),
        0,
      );
      assert.equal(flatTailLength(t, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 9], o), 0);
    });
    it('accepts a noisy plateau and rejects a noisy line', () => {
      const rand = seededRandom(11);
      const t = times(14, 2000);
      const plateau = t.map((_, i) => Math.min(i, 5) * 10 + gaussian(rand));
      assert.ok(flatTailLength(t, plateau, o) >= 6);
      const line = t.map((_, i) => i * 10 + 3 * gaussian(rand));
      assert.equal(flatTailLength(t, line, o), 0);
    });
  });
});
