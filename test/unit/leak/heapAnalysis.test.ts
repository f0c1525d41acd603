import assert from 'node:assert/strict';
import { analyzeHeap } from '../../../src/core/leak/heapAnalysis';
import { HeapSeries } from '../../../src/core/leak/heapSeries';
import { resolveLeakConfig } from '../../../src/core/leak/leakConfig';
import { heapRow, syntheticProfile } from './syntheticProfile';

const MiB = 1024 * 1024;
const P = 512 * 1024;
const T0 = 1_700_000_000_000;
const MALLOC = 'runtime.mallocgc@/go/src/runtime/malloc.go:1000';
const LEAK = 'example.com/ecu/cache.storeSession@/src/ecu/cache/session.go:48';
const BIG = 'example.com/ecu/index.Load@/src/ecu/index/load.go:12';
const CHURN = 'example.com/ecu/churn.Run@/src/ecu/churn/churn.go:30';
const WARM = 'example.com/ecu/cache.(*Bounded).Put@/src/ecu/cache/bounded.go:31';
const MAIN = 'main.main@/src/ecu/main.go:20';

describe('leak/heapAnalysis', () => {
  it('finds a small leak hidden behind a large stable heap, and not churn or a warmed-up cache', () => {
    const cfg = resolveLeakConfig();
    const s = new HeapSeries({ config: cfg });
    const wobble = [0, 2, -1, 1, -2, 0, 1, -1, 2, 0, -1, 1];
    for (let i = 0; i < 12; i++) {
      s.add(
        T0 + i * 2000,
        syntheticProfile(
          [
            // 2 MiB per snapshot, leaked: whole samples that stay.
            heapRow([MALLOC, LEAK, MAIN], (4 + 4 * i) * P, (4 + 4 * i) * 128, (4 + 4 * i) * P),
            // 800 MiB loaded once and kept: dwarfs the leak in the total.
            heapRow([MALLOC, BIG, MAIN], 1600 * P, 1600, 1600 * P),
            // 40 MiB live, re-sampled every cycle: ±2 samples; allocates 32 MiB per snapshot.
            heapRow([MALLOC, CHURN, MAIN], (80 + wobble[i]!) * P, 80 + wobble[i]!, (1 + i) * 64 * P),
            // Warms up to 20 MiB in five steps and stays.
            heapRow(
              [MALLOC, WARM, MAIN],
              Math.min(i, 5) * 8 * P,
              Math.min(i, 5) * 8 * 1024,
              (Math.min(i, 5) * 8 + i * 2) * P,
            ),
          ],
          { period: P },
        ),
      );
    }
    const a = analyzeHeap(s, cfg);
    assert.equal(a.snapshots, 12);
    assert.equal(a.epochs, 12);
    assert.deepEqual(
      a.suspects.map((x) => [x.function, x.line, x.verdict]),
      [['example.com/ecu/cache.storeSession', 48, 'leak']],
    );
    const leak = a.suspects[0]!;
    assert.ok(Math.abs(leak.slopeBytesPerMin - 60 * MiB) < 1, String(leak.slopeBytesPerMin));
    assert.equal(leak.inuseBytes, 48 * P);
    assert.ok(Math.abs(leak.r2 - 1) < 1e-9);
    assert.equal(leak.file, '/src/ecu/cache/session.go');
    assert.deepEqual(
      leak.stack.map((f) => f.function),
      ['runtime.mallocgc', 'example.com/ecu/cache.storeSession', 'main.main'],
    );
    assert.equal(leak.series.length, 12);
    // The warmed-up cache is listed as a notable plateau but not as a suspect; churn and the big load not at all.
    const warm = a.notable.find((x) => x.function.endsWith('Put'));
    assert.equal(warm?.verdict, 'stable');
    assert.equal(warm?.plateau, true);
    assert.ok(!a.notable.some((x) => x.function.endsWith('churn.Run') || x.function.endsWith('index.Load')));
    // The total heap grows too, through the leak and the cache's warm-up; the one suspect explains its share.
    assert.ok(a.trendBytesPerMin > leak.slopeBytesPerMin);
    assert.ok(
      a.explainedShare !== null && Math.abs(a.explainedShare - leak.slopeBytesPerMin / a.trendBytesPerMin) < 1e-9,
    );
    assert.ok(a.explainedShare > 0.4 && a.explainedShare < 0.7, String(a.explainedShare));
    assert.ok(a.totalInuseBytes > 800 * MiB);
  });

  it('reports no suspects and a null explained share for a flat heap', () => {
    const cfg = resolveLeakConfig();
    const s = new HeapSeries({ config: cfg });
    for (let i = 0; i < 6; i++) s.add(T0 + i * 1000, syntheticProfile([heapRow([BIG], 100 * P, 100, 100 * P + i)]));
    const a = analyzeHeap(s, cfg);
    assert.deepEqual(a.suspects, []);
    assert.equal(a.explainedShare, null);
    assert.equal(a.totalVerdict, 'stable');
  });

  it('ranks leaks above growing sites, and faster leaks first', () => {
    const cfg = resolveLeakConfig();
    const s = new HeapSeries({ config: cfg });
    const jump = [0, 0, 0, 0, 0, 0, 0, 40, 40, 40];
    for (let i = 0; i < 10; i++) {
      s.add(
        T0 + i * 2000,
        syntheticProfile([
          heapRow([LEAK], (1 + i) * 4 * P, 1, (1 + i) * 4 * P),
          heapRow([BIG], (1 + i) * 8 * P, 1, (1 + i) * 8 * P),
          heapRow([WARM], jump[i]! * P + P, 1, jump[i]! * P + P),
        ]),
      );
    }
    const a = analyzeHeap(s, cfg);
    assert.deepEqual(
      a.suspects.map((x) => [x.function.split('/').pop(), x.verdict]),
      [
        ['index.Load', 'leak'],
        ['cache.storeSession', 'leak'],
        ['cache.(*Bounded).Put', 'growing'],
      ],
    );
  });
});
