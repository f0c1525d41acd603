import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseHTML } from 'linkedom';
import {
  renderSeriesDashboard,
  type SeriesDashboardHandlers,
  type SeriesDiffState,
} from '../../../media/render/renderSeriesDashboard';
import { TIMELINE_SIZE } from '../../../media/render/renderTimeline';
import { loadSeriesDashboardModel, type SeriesDashboardModel } from '../../../src/core/leak/seriesDashboardModel';
import type { SeriesIndex } from '../../../src/core/series/seriesIndex';
import type { FlameNode } from '../../../src/views/seriesDashboardMessages';
import { seriesDiffFlame, SeriesDiffError } from '../../../src/views/seriesDiffFlame';
import { HOSTILE_NAMES } from '../../fixtures/hostileProfile';

const root = path.resolve(__dirname, '../../..');
const demo = path.join(root, 'testdata/demo-series');
const demoIndex = (): SeriesIndex => JSON.parse(readFileSync(path.join(demo, 'series.json'), 'utf8')) as SeriesIndex;

function handlers(log: string[] = []): SeriesDashboardHandlers {
  return {
    onSelectDiff: (b, c) => log.push(`diff ${b} ${c}`),
    onOpenSource: (f, l) => log.push(`open ${f}:${l}`),
    onFlameFocus: (n) => log.push(`focus ${n.name}`),
  };
}

const noDiff: SeriesDiffState = {
  baseSeq: undefined,
  currentSeq: undefined,
  diff: undefined,
  error: undefined,
  focus: undefined,
};

function page(m: SeriesDashboardModel, diff: SeriesDiffState = noDiff, log: string[] = []): Document {
  const { document } = parseHTML('<!DOCTYPE html><html><body><main id="app"></main></body></html>');
  document.getElementById('app')!.append(renderSeriesDashboard(document, m, diff, handlers(log)));
  return document;
}

/** Serialising and parsing again is what a browser would do if any string had leaked into HTML. */
function bothWays(document: Document): Document[] {
  return [document, parseHTML(`<html><body>${document.body.innerHTML}</body></html>`).document];
}

const pointsOf = (e: Element): [number, number][] =>
  e
    .getAttribute('points')!
    .split(' ')
    .map((p) => p.split(',').map(Number) as [number, number]);

function hostileModel(): SeriesDashboardModel {
  const h = HOSTILE_NAMES;
  return {
    title: h[0]!,
    target: h[1]!,
    snapshots: 3,
    windowSeconds: 4,
    timeline: {
      points: [1, 2, 3].map((seq) => ({
        seq,
        timeMs: 1000 * seq,
        heapInuseBytes: 1e6 * seq,
        memoryCurrent: 2e6 * seq,
        memoryMax: 1e7,
      })),
      memoryMax: 1e7,
      thresholdBytes: 9e6,
      thresholdRatio: 0.9,
      oomEtaSeconds: 30,
      warnings: [h[3]!],
    },
    sites: h.map((name, i) => ({
      function: name,
      file: `/src/${name}.go`,
      line: i + 1,
      verdict: 'leak',
      slopeBytesPerMin: 1000,
      inuseBytes: 5000,
      series: [1, 2, 3],
    })),
    goroutines: h.map((name, i) => ({
      function: name,
      file: `/src/${name}.go`,
      line: i + 1,
      state: h[2]!,
      count: 10 + i,
      slopePerMin: 1,
      maxWaitMinutes: 0,
      proven: i === 0,
      verdict: 'leak',
      labels: [`k=${name}`],
      series: [1, 5, 10 + i],
    })),
    heapSnapshots: [
      { seq: 1, timeMs: 1000 },
      { seq: 3, timeMs: 3000 },
    ],
    fate: { state: 'oom-killed', summary: h[4]!, evidence: [h[1]!, h[0]!] },
  };
}

describe('series dashboard rendering', () => {
  let demoModel: SeriesDashboardModel;
  before(async function () {
    this.timeout(60000);
    demoModel = (await loadSeriesDashboardModel(demo)).model;
  });

  it('draws the demo timeline: a point per snapshot, memory.max and the 90% line at their heights, the OOM ETA', () => {
    const d = page(demoModel);
    const svg = d.querySelector('svg.timeline-chart')!;
    assert.ok(svg);
    const n = demoModel.timeline.points.length;
    assert.equal(svg.querySelectorAll('circle.point.heap').length, n);
    assert.equal(svg.querySelectorAll('circle.point.current').length, n);
    const heap = pointsOf(svg.querySelector('polyline.heap')!);
    const current = pointsOf(svg.querySelector('polyline.current')!);
    assert.equal(heap.length, n);
    // SVG y grows downwards: the leaking heap ends higher (smaller y) than it starts; memory.current is above the heap.
    assert.ok(heap.at(-1)![1] < heap[0]![1]);
    assert.ok(current.at(-1)![1] < heap.at(-1)![1]);
    const maxY = Number(svg.querySelector('line.max')!.getAttribute('y1'));
    const thrY = Number(svg.querySelector('line.threshold')!.getAttribute('y1'));
    const baseY = TIMELINE_SIZE.height - TIMELINE_SIZE.bottom;
    // The threshold is drawn at 90% of memory.max's height above the zero line.
    assert.ok(Math.abs((baseY - thrY) / (baseY - maxY) - 0.9) < 0.01, `${thrY} vs ${maxY}`);
    assert.ok(
      current.every(([, y]) => y > maxY),
      'the demo stays under its limit',
    );
    assert.match(svg.querySelector('text.max-label')!.textContent!, /memory\.max 256MB/);
    assert.match(svg.querySelector('text.threshold-label')!.textContent!, /^90% threshold/);
    assert.match(d.querySelector('.oom-eta')!.textContent!, /^OOM ETA: about \d+ s until memory\.current reaches/);
  });

  it('draws no limit, threshold or ETA for a container without memory.max, and says so', () => {
    const m = hostileModel();
    m.timeline = { ...m.timeline, memoryMax: null, thresholdBytes: null, oomEtaSeconds: null, warnings: [] };
    for (const p of m.timeline.points) p.memoryMax = null;
    const d = page(m);
    assert.equal(d.querySelectorAll('svg.timeline-chart line.max, svg.timeline-chart line.threshold').length, 0);
    assert.equal(d.querySelectorAll('svg.timeline-chart circle.point.heap').length, 3);
    assert.equal(d.querySelector('.oom-eta')!.textContent, 'No memory limit: no OOM ETA.');
  });

  it('lists the planted heap sites with sparklines and the CAN reader goroutine group as proven', () => {
    const d = page(demoModel);
    const siteFns = Array.from(d.querySelectorAll('.sites-table td.fn')).map((e) => e.textContent);
    assert.ok(siteFns.includes('example.com/ecu-demo/cache.storeSession'));
    assert.equal(d.querySelectorAll('.sites-table svg.sparkline polyline').length, demoModel.sites.length);
    const rows = Array.from(d.querySelectorAll('.goroutine-table tbody tr'));
    const can = rows.find((r) => r.querySelector('td.fn')!.textContent === 'example.com/ecu-demo/can.readFrames');
    assert.ok(can);
    assert.equal(can.querySelector('td.proven')!.textContent, 'proven');
    assert.equal(can.querySelector('td.state')!.textContent, 'chan receive');
    assert.match(can.querySelector('a.source')!.textContent!, /can\/reader\.go:\d+$/);
    assert.ok(Array.from(can.querySelectorAll('.label')).some((l) => l.textContent === 'component=can-reader'));
  });

  it("puts the target's fate first when the recorded target was OOM-killed, and nothing for a live one", async () => {
    const oom = (await loadSeriesDashboardModel(path.join(root, 'testdata/oom-killed-series'))).model;
    assert.equal(oom.fate?.state, 'oom-killed');
    const d = page(oom);
    const banner = d.querySelector('section.fate.oom-killed');
    assert.ok(banner, 'no fate banner');
    assert.equal(banner.getAttribute('role'), 'alert');
    assert.equal(banner.querySelector('h2')!.textContent, 'Target OOM-killed');
    assert.match(banner.querySelector('.fate-summary')!.textContent ?? '', /^OOM killed .*oom_kill 0→1/);
    assert.ok(banner.querySelectorAll('li.evidence').length >= 2);
    // Before the timeline: the first thing after the header.
    assert.equal(d.querySelector('p.summary')!.nextElementSibling, banner);
    // The ETA of the last answered snapshot (0.6 s in this recording) is history now, and worded so.
    assert.match(
      d.querySelector('.oom-eta')?.textContent ?? '',
      /^OOM ETA at the last answered snapshot: about .*; the target has since stopped \(see above\)\.$/,
    );
    assert.equal(demoModel.fate, null);
    assert.equal(page(demoModel).querySelector('.fate'), null);
  });

  it('keeps hostile function names, files, labels, titles and warnings as text everywhere', () => {
    const d0 = page(hostileModel());
    for (const d of bothWays(d0)) {
      assert.equal(d.querySelectorAll('img, script, iframe, b').length, 0);
      assert.equal(d.querySelectorAll('[onerror], [onload], [onmouseover]').length, 0);
      assert.deepEqual(
        Array.from(d.querySelectorAll('.sites-table td.fn')).map((e) => e.textContent),
        HOSTILE_NAMES,
      );
      assert.deepEqual(
        Array.from(d.querySelectorAll('.goroutine-table td.fn')).map((e) => e.textContent),
        HOSTILE_NAMES,
      );
      assert.deepEqual(
        Array.from(d.querySelectorAll('.goroutine-table a.source')).map((e) => e.textContent),
        HOSTILE_NAMES.map((n, i) => `/src/${n}.go:${i + 1}`),
      );
      assert.deepEqual(
        Array.from(d.querySelectorAll('.goroutine-table .label')).map((e) => e.textContent),
        HOSTILE_NAMES.map((n) => `k=${n}`),
      );
      // Sparkline tooltips are SVG <title> text nodes holding the name.
      const titles = Array.from(d.querySelectorAll('.sites-table svg.sparkline title')).map((e) => e.textContent);
      assert.deepEqual(
        titles,
        HOSTILE_NAMES.map((n) => `${n}: in-use bytes per GC cycle`),
      );
      assert.equal(d.querySelector('h1')!.textContent, HOSTILE_NAMES[0]);
      assert.equal(d.querySelector('.warning')!.textContent, HOSTILE_NAMES[3]);
      assert.equal(d.querySelector('.fate .fate-summary')!.textContent, HOSTILE_NAMES[4]);
      assert.deepEqual(
        Array.from(d.querySelectorAll('.fate li.evidence')).map((e) => e.textContent),
        [HOSTILE_NAMES[1], HOSTILE_NAMES[0]],
      );
      // Only our own SVGs exist: one timeline, one sparkline per site and per goroutine group.
      assert.equal(d.querySelectorAll('svg').length, 1 + 2 * HOSTILE_NAMES.length);
    }
  });

  it('draws the diff flame graph with growth red and shrink green, and hostile frame names as text', () => {
    const flame: FlameNode = {
      name: 'root',
      value: 50,
      self: 0,
      children: [
        { name: HOSTILE_NAMES[0]!, value: 80, self: 80, children: [] },
        { name: HOSTILE_NAMES[1]!, value: -30, self: -30, children: [] },
      ],
    };
    const diff = { baseSeq: 1, currentSeq: 3, sampleType: 'inuse_space', unit: 'bytes', flame };
    const d0 = page(hostileModel(), { ...noDiff, baseSeq: 1, currentSeq: 3, diff });
    for (const d of bothWays(d0)) {
      assert.equal(d.querySelectorAll('img, script').length, 0);
      const frames = Array.from(d.querySelectorAll('.flame .frame'));
      assert.deepEqual(
        frames.map((f) => [f.textContent, f.className]),
        [
          ['root', 'frame grow'],
          [HOSTILE_NAMES[0], 'frame grow'],
          [HOSTILE_NAMES[1], 'frame shrink'],
        ],
      );
      assert.match(d.querySelector('.diff-note')!.textContent!, /#3 − #1 = 50B/);
      assert.equal((d.querySelector('#diff-base') as HTMLSelectElement).value, '1');
      assert.equal((d.querySelector('#diff-current') as HTMLSelectElement).value, '3');
    }
  });

  it('asks the host for a new diff when a snapshot is picked, and shows a pending or failed diff as text', () => {
    const log: string[] = [];
    const d = page(hostileModel(), { ...noDiff, baseSeq: 1, currentSeq: 3 }, log);
    assert.equal(d.querySelector('.diff .status')!.textContent, 'Computing the diff…');
    const base = d.querySelector('#diff-base') as HTMLSelectElement;
    // linkedom has no select.value setter; choosing an option is what the user's pick does.
    for (const o of Array.from(base.querySelectorAll('option'))) {
      if (o.getAttribute('value') === '3') o.setAttribute('selected', '');
      else o.removeAttribute('selected');
    }
    assert.equal(base.value, '3');
    base.dispatchEvent(new d.defaultView!.Event('change'));
    assert.deepEqual(log, ['diff 3 3']);
    const failed = page(hostileModel(), { ...noDiff, baseSeq: 1, currentSeq: 3, error: HOSTILE_NAMES[0]! });
    assert.equal(failed.querySelectorAll('img').length, 0);
    assert.equal(failed.querySelector('.diff .error')!.textContent, HOSTILE_NAMES[0]);
  });

  it('sends source clicks to the host with the file and line', () => {
    const log: string[] = [];
    const d = page(hostileModel(), noDiff, log);
    (d.querySelector('.goroutine-table a.source') as HTMLElement).dispatchEvent(
      new d.defaultView!.Event('click', { cancelable: true }),
    );
    assert.deepEqual(log, [`open /src/${HOSTILE_NAMES[0]}.go:1`]);
  });
});

describe('seriesDiffFlame on the recorded demo series', () => {
  it('shows the planted session cache as growth between the first and the last snapshot', async function () {
    this.timeout(60000);
    const index = demoIndex();
    const first = index.snapshots[0]!.seq;
    const last = index.snapshots.at(-1)!.seq;
    const d = await seriesDiffFlame(demo, index, first, last);
    assert.equal(d.sampleType, 'inuse_space');
    assert.equal(d.unit, 'bytes');
    assert.ok(d.flame.value > 0);
    const find = (n: FlameNode, name: string): FlameNode | undefined =>
      n.name === name ? n : n.children.map((c) => find(c, name)).find((x) => x !== undefined);
    const store = find(d.flame, 'example.com/ecu-demo/cache.storeSession');
    assert.ok(store && store.value > 0);
    // The reverse diff is the exact negation.
    const back = await seriesDiffFlame(demo, index, last, first);
    assert.equal(back.flame.value, -d.flame.value);
  });

  it('refuses a snapshot without a heap file and a heap file outside the folder with a typed error', async () => {
    const index = demoIndex();
    await assert.rejects(seriesDiffFlame(demo, index, 1, 999), SeriesDiffError);
    const evil = structuredClone(index);
    evil.snapshots[0]!.files.heap = '../../package.json';
    await assert.rejects(seriesDiffFlame(demo, evil, 1, 2), /outside the folder/);
  });
});
