import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resolveLeakConfig } from '../../../src/core/leak/leakConfig';
import { loadSeriesDashboardModel, seriesDashboardModel } from '../../../src/core/leak/seriesDashboardModel';
import { SeriesFormatError, type SeriesIndex } from '../../../src/core/series/seriesIndex';

const root = path.resolve(__dirname, '../../..');
const demo = path.join(root, 'testdata/demo-series');
const index = JSON.parse(readFileSync(path.join(demo, 'series.json'), 'utf8')) as {
  snapshots: {
    seq: number;
    takenAtMs: number;
    memStats?: { HeapInuse?: number };
    cgroup?: { memoryCurrent: number };
  }[];
};

describe('seriesDashboardModel on the recorded demo series', function () {
  this.timeout(60000);
  let loaded: Awaited<ReturnType<typeof loadSeriesDashboardModel>>;
  before(async () => {
    loaded = await loadSeriesDashboardModel(demo);
  });

  it('has one timeline point per snapshot with the recorded heap and cgroup figures', () => {
    const t = loaded.model.timeline;
    assert.equal(t.points.length, index.snapshots.length);
    for (const [i, p] of t.points.entries()) {
      const e = index.snapshots[i]!;
      assert.equal(p.seq, e.seq);
      assert.equal(p.timeMs, e.takenAtMs);
      assert.equal(p.heapInuseBytes, e.memStats?.HeapInuse);
      assert.equal(p.memoryCurrent, e.cgroup?.memoryCurrent);
    }
    // The demo leaks: the heap at the end is well above the start.
    assert.ok(t.points.at(-1)!.heapInuseBytes! > 4 * t.points[0]!.heapInuseBytes!);
  });

  it('draws against the 256 MiB limit with the 90% threshold and an OOM ETA from the report', () => {
    const t = loaded.model.timeline;
    assert.equal(t.memoryMax, 256 * 1024 * 1024);
    assert.equal(t.thresholdRatio, 0.9);
    assert.equal(t.thresholdBytes, 0.9 * 256 * 1024 * 1024);
    assert.equal(t.oomEtaSeconds, loaded.report.container.oomEtaSeconds);
    assert.ok(t.oomEtaSeconds !== null && t.oomEtaSeconds > 0);
    assert.ok(t.warnings.some((w) => /limit is reached/.test(w)));
  });

  it('takes the threshold ratio from the leak config', async () => {
    const config = resolveLeakConfig({ container: { watermarkRatio: 0.75 } });
    const m = (await loadSeriesDashboardModel(demo, { config })).model;
    assert.equal(m.timeline.thresholdBytes, 0.75 * 256 * 1024 * 1024);
  });

  it('gives the two planted heap leaks a sparkline with verdict and slope', () => {
    const fns = loaded.model.sites.map((s) => s.function);
    assert.ok(fns.includes('example.com/ecu-demo/cache.storeSession'), fns.join());
    assert.ok(fns.includes('example.com/ecu-demo/pool.leakyNew'), fns.join());
    for (const s of loaded.model.sites.filter((x) => x.verdict === 'leak')) {
      assert.ok(s.slopeBytesPerMin > 0);
      assert.ok(s.series.length >= 2);
      assert.ok(s.series.at(-1)! > s.series[0]!, `${s.function} grows`);
    }
  });

  it('lists the CAN reader goroutine group as proven, with its labels', () => {
    const g = loaded.model.goroutines.find((x) => x.function === 'example.com/ecu-demo/can.readFrames');
    assert.ok(g, loaded.model.goroutines.map((x) => x.function).join());
    assert.equal(g.proven, true);
    assert.equal(g.state, 'chan receive');
    assert.match(g.file, /can\/reader\.go$/);
    assert.ok(g.count > 100);
    assert.ok(g.slopePerMin > 0);
    assert.ok(g.labels.includes('component=can-reader'), g.labels.join(' '));
    assert.equal(g.series.length, index.snapshots.length);
  });

  it('offers every snapshot with a heap profile for the diff', () => {
    assert.deepEqual(
      loaded.model.heapSnapshots.map((s) => s.seq),
      index.snapshots.map((s) => s.seq),
    );
  });

  it('limits the timeline to the analysis window', async () => {
    const m = (await loadSeriesDashboardModel(demo, { window: 10 })).model;
    assert.equal(m.timeline.points.length, 10);
    assert.equal(m.timeline.points[0]!.seq, index.snapshots.at(-10)!.seq);
  });

  it('refuses a folder that is not a series with a typed error', async () => {
    await assert.rejects(loadSeriesDashboardModel(path.join(root, 'src')), SeriesFormatError);
  });

  it('leaves out gaps, and draws no limit or threshold for a container without memory.max', () => {
    const idx = structuredClone(loaded.index) as SeriesIndex;
    idx.snapshots[1]!.status = 'gap';
    for (const e of idx.snapshots) {
      if (e.cgroup) e.cgroup = { ...e.cgroup, memoryMax: null };
    }
    const report = structuredClone(loaded.report);
    report.container.memoryMax = null;
    report.container.oomEtaSeconds = null;
    const m = seriesDashboardModel(idx, report);
    assert.equal(m.timeline.points.length, idx.snapshots.length - 1);
    assert.ok(!m.timeline.points.some((p) => p.seq === idx.snapshots[1]!.seq));
    assert.ok(!m.heapSnapshots.some((p) => p.seq === idx.snapshots[1]!.seq));
    assert.equal(m.timeline.memoryMax, null);
    assert.equal(m.timeline.thresholdBytes, null);
    assert.equal(m.timeline.oomEtaSeconds, null);
  });
});
