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

  it('splits a suspect site by the stacks that reach it, each with its own growth, fastest first', () => {
    const cfg = resolveLeakConfig({ maxStacksPerSuspect: 2 });
    const s = new HeapSeries({ config: cfg });
    const CAN = 'example.com/ecu/can.onFrame@/src/ecu/can/frame.go:90';
    const DIAG = 'example.com/ecu/diag.poll@/src/ecu/diag/poll.go:12';
    const BOOT = 'example.com/ecu/boot.load@/src/ecu/boot/boot.go:7';
    for (let i = 0; i < 10; i++) {
      s.add(
        T0 + i * 2000,
        syntheticProfile(
          [
            // One helper site, three callers: the CAN path leaks 3 samples per snapshot, diag 1, boot is flat.
            heapRow([MALLOC, LEAK, CAN, MAIN], (3 + 3 * i) * P, 3 + 3 * i, (3 + 3 * i) * P),
            heapRow([MALLOC, LEAK, DIAG, MAIN], (1 + i) * P, 1 + i, (1 + i) * P),
            heapRow([MALLOC, LEAK, BOOT, MAIN], 4 * P, 4, 4 * P),
            // A caller that freed everything it allocated holds nothing: not a stack of the site's growth.
            heapRow([MALLOC, LEAK, MAIN], 0, 0, (1 + i) * P),
          ],
          { period: P },
        ),
      );
    }
    const a = analyzeHeap(s, cfg);
    const leak = a.suspects.find((x) => x.function.endsWith('storeSession'))!;
    assert.equal(leak.verdict, 'leak');
    assert.equal(leak.stacksInWindow, 3);
    assert.equal(leak.stacks.length, 2);
    assert.deepEqual(
      leak.stacks.map((st) => st.frames[2]!.function),
      ['example.com/ecu/can.onFrame', 'example.com/ecu/diag.poll'],
    );
    const min = 60_000 / 2000;
    assert.ok(
      Math.abs(leak.stacks[0]!.slopeBytesPerMin - 3 * P * min) < 1e-6,
      String(leak.stacks[0]!.slopeBytesPerMin),
    );
    assert.ok(Math.abs(leak.stacks[1]!.slopeBytesPerMin - P * min) < 1e-6);
    assert.deepEqual(
      leak.stacks.map((st) => [st.inuseBytes, st.growthBytes]),
      [
        [30 * P, 27 * P],
        [10 * P, 9 * P],
      ],
    );
    // The per-stack figures add up to the site's own.
    assert.ok(
      Math.abs(leak.stacks[0]!.slopeBytesPerMin + leak.stacks[1]!.slopeBytesPerMin - leak.slopeBytesPerMin) < 1e-6,
    );
    // Sites that are not suspects carry no stacks (the split costs a pass over the window, so only suspects pay it).
    assert.ok(
      a.notable.filter((x) => x.verdict !== 'leak' && x.verdict !== 'growing').every((x) => x.stacks.length === 0),
    );
  });

  it('counts a stack only in the GC epochs where it held bytes, and follows stacks across the sliding window', () => {
    const cfg = resolveLeakConfig();
    const s = new HeapSeries({ config: cfg, window: 6 });
    const A = 'example.com/ecu/a.f@/src/ecu/a.go:3';
    const B = 'example.com/ecu/b.g@/src/ecu/b.go:4';
    for (let i = 0; i < 12; i++) {
      const rows = [heapRow([LEAK, A], (1 + i) * 2 * P, 1 + i, (1 + i) * 2 * P)];
      // B appears halfway and then grows twice as fast as A.
      if (i >= 8) rows.push(heapRow([LEAK, B], (i - 7) * 4 * P, i - 7, (i - 7) * 4 * P));
      s.add(T0 + i * 2000, syntheticProfile(rows, { period: P }));
    }
    const series = s.stackSeries(new Set([s.sites[0]!.id]));
    const stacks = series.get(s.sites[0]!.id)!;
    const byCaller = new Map(stacks.map((st) => [s.stackFrames(st.stackId)[1]!.function, st.values]));
    assert.deepEqual(
      byCaller.get('example.com/ecu/a.f'),
      [14, 16, 18, 20, 22, 24].map((x) => x * P),
    );
    assert.deepEqual(
      byCaller.get('example.com/ecu/b.g'),
      [0, 0, 4, 8, 12, 16].map((x) => x * P),
    );
    const a = analyzeHeap(s, cfg);
    assert.equal(a.suspects[0]!.stacks[0]!.frames[1]!.function, 'example.com/ecu/b.g');
  });
});
