import assert from 'node:assert/strict';
import { resolveLeakConfig } from '../../../src/core/leak/leakConfig';
import { analyzeSli } from '../../../src/core/leak/sli';

const T0 = 1_700_000_000_000;

describe('leak/sli', () => {
  it('computes the three SLIs with their default thresholds and pass/fail', () => {
    const cfg = resolveLeakConfig();
    const snaps = Array.from({ length: 5 }, (_, i) => ({
      timeMs: T0 + i * 2000,
      allocSpaceBytes: 1e9 + i * 2000 * 30e3, // 30 MB/s
      inuseObjects: 1e6 + i,
      memStats: { HeapInuse: 70, HeapSys: 100, other: {} },
    }));
    const a = analyzeSli(snaps, cfg);
    assert.ok(Math.abs(a.allocBytesPerSec.value! - 30e6) < 1e-6);
    assert.deepEqual(
      [a.allocBytesPerSec.threshold, a.liveObjects.threshold, a.heapInuseRatio.threshold],
      [50e6, 2e6, 0.6],
    );
    assert.equal(a.liveObjects.value, 1e6 + 4);
    assert.equal(a.heapInuseRatio.value, 0.7);
    assert.deepEqual(
      [a.allocBytesPerSec.breached, a.liveObjects.breached, a.heapInuseRatio.breached],
      [false, false, false],
    );
    assert.deepEqual(a.breaches, []);
  });

  it('reports breaches, in the bad direction of each SLI', () => {
    const cfg = resolveLeakConfig({ sli: { allocBytesPerSec: 10e6 } });
    const a = analyzeSli(
      [
        { timeMs: T0, allocSpaceBytes: 0, inuseObjects: 3e6, memStats: { HeapInuse: 50, HeapSys: 100, other: {} } },
        {
          timeMs: T0 + 1000,
          allocSpaceBytes: 20e6,
          inuseObjects: 3e6,
          memStats: { HeapInuse: 50, HeapSys: 100, other: {} },
        },
      ],
      cfg,
    );
    assert.deepEqual(
      [a.allocBytesPerSec.breached, a.liveObjects.breached, a.heapInuseRatio.breached],
      [true, true, true],
    );
    assert.equal(a.breaches.length, 3);
    assert.match(a.breaches[0]!, /20\.0 MB\/s exceeds 10\.0 MB\/s/);
  });

  it('falls back to MemStats, restarts the rate after a counter reset, and gives null without sources', () => {
    const cfg = resolveLeakConfig();
    const a = analyzeSli(
      [
        { timeMs: T0, memStats: { TotalAlloc: 5e9, HeapObjects: 10, other: {} } },
        { timeMs: T0 + 1000, memStats: { TotalAlloc: 100, other: {} } },
        { timeMs: T0 + 3000, memStats: { TotalAlloc: 100 + 4e6, HeapObjects: 42, other: {} } },
      ],
      cfg,
    );
    assert.equal(a.allocBytesPerSec.value, 2e6);
    assert.equal(a.liveObjects.value, 42);
    assert.equal(a.heapInuseRatio.value, null);
    const none = analyzeSli([{ timeMs: T0 }], cfg);
    assert.deepEqual(
      [none.allocBytesPerSec.value, none.liveObjects.value, none.heapInuseRatio.value],
      [null, null, null],
    );
    assert.equal(none.allocBytesPerSec.breached, false);
  });
});
