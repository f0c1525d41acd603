import assert from 'node:assert/strict';
import { HeapSeries } from '../../../src/core/leak/heapSeries';
import { ProfileMismatchError } from '../../../src/core/pprof/profileErrors';
import { StackTable } from '../../../src/core/leak/stackTable';
import { heapRow, syntheticProfile } from './syntheticProfile';

const MALLOC = 'runtime.mallocgc@/go/src/runtime/malloc.go:1000';
const STORE = 'example.com/ecu/cache.storeSession@/src/ecu/cache/session.go:48';
const LOOP = 'example.com/ecu/cache.RunSessionCache@/src/ecu/cache/session.go:40';
const PUT = 'example.com/ecu/cache.(*Bounded).Put@/src/ecu/cache/bounded.go:31';
const MAIN = 'main.main@/src/ecu/main.go:20';
const T0 = 1_700_000_000_000;

describe('leak/heapSeries', () => {
  it('aggregates samples into sites with per-site series, top stack and stack count', () => {
    const s = new HeapSeries();
    for (let i = 0; i < 4; i++) {
      s.add(
        T0 + i * 2000,
        syntheticProfile([
          heapRow([MALLOC, STORE, LOOP], (i + 1) * 1000, i + 1, (i + 1) * 1000 + i),
          heapRow([STORE, MAIN], 10 * (i + 1), 1),
          heapRow([PUT, MAIN], 500, 5, 500 + 100 * i),
        ]),
      );
    }
    assert.equal(s.sites.length, 2);
    const store = s.sites.find((x) => x.function.endsWith('storeSession'))!;
    assert.deepEqual([store.file, store.line], ['/src/ecu/cache/session.go', 48]);
    assert.deepEqual(s.siteSeries(store.id, 'inuseSpace').values, [1010, 2020, 3030, 4040]);
    assert.deepEqual(s.siteSeries(store.id, 'inuseObjects').values, [2, 3, 4, 5]);
    const last = s.points[s.points.length - 1]!;
    assert.equal(last.stackCount[store.id], 2);
    assert.deepEqual(
      s.stackFrames(last.topStack[store.id]!).map((f) => f.function),
      ['runtime.mallocgc', 'example.com/ecu/cache.storeSession', 'example.com/ecu/cache.RunSessionCache'],
    );
    assert.equal(last.totalInuseSpace, 4040 + 500);
    const put = s.sites.find((x) => x.function.endsWith('Put'))!;
    assert.deepEqual(s.siteSeries(put.id, 'allocSpace').values, [500, 600, 700, 800]);
  });

  it('marks snapshots whose profile did not change as the same GC epoch', () => {
    const s = new HeapSeries();
    const p1 = syntheticProfile([heapRow([STORE], 1000)]);
    const p2 = syntheticProfile([heapRow([STORE], 2000)]);
    s.add(T0, p1);
    s.add(T0 + 1000, syntheticProfile([heapRow([STORE], 1000)]));
    s.add(T0 + 2000, p2);
    s.add(T0 + 3000, p2);
    assert.deepEqual(
      s.points.map((p) => p.newEpoch),
      [true, false, true, false],
    );
    assert.deepEqual(s.siteSeries(0, 'inuseSpace', true), { timesMs: [T0, T0 + 2000], values: [1000, 2000] });
  });

  it('slides the window, keeps ids stable and reads absent sites as 0', () => {
    const s = new HeapSeries({ window: 3 });
    s.add(T0, syntheticProfile([heapRow([STORE], 1)]));
    s.add(T0 + 1, syntheticProfile([heapRow([STORE], 2)]));
    s.add(T0 + 2, syntheticProfile([heapRow([PUT], 3), heapRow([STORE], 3)]));
    s.add(T0 + 3, syntheticProfile([heapRow([PUT], 4)]));
    assert.equal(s.points.length, 3);
    assert.deepEqual(s.siteSeries(0, 'inuseSpace').values, [2, 3, 0]);
    assert.deepEqual(s.siteSeries(1, 'inuseSpace').values, [0, 3, 4]);
    assert.equal(s.points[0]!.newEpoch, true);
  });

  it('rejects non-heap profiles, out-of-order times and a bad window with typed errors', () => {
    const s = new HeapSeries();
    const cpu = syntheticProfile([{ stack: [STORE], values: [1, 2] }], {
      sampleTypes: [
        { type: 'samples', unit: 'count' },
        { type: 'cpu', unit: 'nanoseconds' },
      ],
    });
    assert.throws(
      () => s.add(T0, cpu),
      (e: unknown) => e instanceof ProfileMismatchError && /inuse_space/.test(e.message),
    );
    s.add(T0, syntheticProfile([heapRow([STORE], 1)]));
    assert.throws(() => s.add(T0 - 1, syntheticProfile([heapRow([STORE], 1)])), RangeError);
    assert.throws(() => s.add(Number.NaN, syntheticProfile([heapRow([STORE], 1)])), RangeError);
    assert.throws(() => new HeapSeries({ window: 1 }), RangeError);
  });

  it('accepts samples with an empty stack', () => {
    const s = new HeapSeries();
    s.add(T0, syntheticProfile([heapRow([], 77)]));
    assert.equal(s.sites[0]!.function, '<no stack>');
    assert.equal(s.points[0]!.inuseSpace[0], 77);
  });
});

describe('leak/stackTable', () => {
  it('keeps ids unique and stable through many rehashes', () => {
    const t = new StackTable(16);
    const ids: number[] = [];
    for (let a = 0; a < 300; a++) {
      const p = t.child(StackTable.EMPTY, a);
      for (let b = 0; b < 30; b++) ids.push(t.child(p, b));
    }
    assert.equal(new Set(ids).size, 9000);
    let k = 0;
    for (let a = 0; a < 300; a++) {
      const p = t.child(StackTable.EMPTY, a);
      for (let b = 0; b < 30; b++) assert.equal(t.child(p, b), ids[k++]);
    }
    assert.deepEqual(t.frames(ids[31]!), [1, 1]);
    assert.equal(t.size, 1 + 300 + 9000);
  });
});
