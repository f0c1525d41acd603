import assert from 'node:assert/strict';
import {
  formatByteRate,
  formatCountRate,
  leakSitesOf,
  lensTitle,
  renderStackDocument,
  siteSeverity,
} from '../../../src/core/editor/leakSites';
import type { GoroutineSuspectJson, HeapSuspectJson, LeakReport } from '../../../src/core/leak/leakReport';

const MiB = 1 << 20;

function heap(line: number, verdict: HeapSuspectJson['verdict'], slope: number, inuse: number): HeapSuspectJson {
  return {
    function: 'example.com/ecu/cache.storeSession',
    file: '/build/ecu/cache/session_cache.go',
    line,
    verdict,
    slopeBytesPerMin: slope,
    r2: 0.99,
    inuseBytes: inuse,
    inuseObjects: 10,
    monotonic: 1,
    stackCount: 1,
    series: [1, 2, 3],
    reason: 'grows every epoch',
    stack: [
      { function: 'example.com/ecu/cache.storeSession', file: '/build/ecu/cache/session_cache.go', line },
      { function: 'example.com/ecu/cache.fill', file: '/build/ecu/cache/session_cache.go', line: 44 },
    ],
    stacks: [],
    stacksInWindow: 0,
  };
}

function group(count: number, slope: number, proven: boolean): GoroutineSuspectJson {
  return {
    function: 'example.com/ecu/can.readFrames',
    file: 'example.com/ecu/can/reader.go',
    line: 78,
    state: 'chan receive',
    createdBy: { function: 'example.com/ecu/can.Start', file: 'example.com/ecu/can/reader.go', line: 62 },
    count,
    slopePerMin: slope,
    maxWaitMinutes: 2,
    proven,
    verdict: 'leak',
    labels: {},
    series: [1, 2],
    reason: 'count grows',
    stacks: [],
    stacksInWindow: 0,
  };
}

function report(h: HeapSuspectJson[], g: GoroutineSuspectJson[]): LeakReport {
  return {
    target: 't',
    snapshots: 3,
    windowSeconds: 20,
    heap: { trendBytesPerMin: 0, totalInuseBytes: 0, totalVerdict: 'leak', epochs: 3, explainedShare: 1, suspects: h },
    goroutines: { total: 10, slopePerMin: 1, suspects: g },
  } as unknown as LeakReport;
}

describe('editor/leakSites (lens titles, stack documents, severities from the leak report)', () => {
  it('keeps only leak and growing sites, heap first', () => {
    const r = report(
      [heap(51, 'leak', 3.1 * MiB, 42 * MiB), heap(60, 'stable', 0, MiB), heap(70, 'growing', 1000, 5000)],
      [group(1204, 20, false)],
    );
    const sites = leakSitesOf(r);
    assert.deepEqual(
      sites.map((s) => `${s.kind}:${s.line}:${s.verdict}`),
      ['heap:51:leak', 'heap:70:growing', 'goroutine:78:leak'],
    );
    assert.notEqual(sites[0]!.id, sites[1]!.id);
  });

  it('words the lenses as the issue shows them, always with "show leak stack"', () => {
    const [h, g] = leakSitesOf(report([heap(51, 'leak', 3.1 * MiB, 42 * MiB)], [group(1204, 20, false)]));
    assert.equal(lensTitle(h!), '⚠ leak +3.1 MiB/min · 42.0 MiB in use · show leak stack');
    assert.equal(lensTitle(g!), '⚠ 1,204 goroutines blocked (chan receive) +20/min · show leak stack');
    const [p] = leakSitesOf(report([], [group(5, 2.5, true)]));
    assert.equal(lensTitle(p!), '⚠ 5 goroutines blocked (chan receive) (proven leak) +2.5/min · show leak stack');
    assert.equal(formatByteRate(-2048), '−2.0 KiB/min');
    assert.equal(formatCountRate(-12.4), '−12/min');
  });

  it('renders each stack with its growth and every frame as function, then tab file:line', () => {
    const [h, g] = leakSitesOf(report([heap(51, 'leak', 3.1 * MiB, 42 * MiB)], [group(7, 20, false)]));
    const text = renderStackDocument('ecu-7', [h!, g!]);
    const lines = text.split('\n');
    assert.equal(lines[0], 'leak site /build/ecu/cache/session_cache.go:51 [leak] on ecu-7');
    assert.ok(lines.includes('stack 1 of 1: growth +3.1 MiB/min (42.0 MiB in use)'), text);
    const i = lines.indexOf('example.com/ecu/cache.fill');
    assert.equal(lines[i + 1], '\t/build/ecu/cache/session_cache.go:44');
    // Without per-stack figures the goroutine group's stack is its blocking frame, then the go statement, as Go prints it.
    const j = lines.indexOf('example.com/ecu/can.readFrames');
    assert.deepEqual(lines.slice(j + 1, j + 4), [
      '\texample.com/ecu/can/reader.go:78',
      'created by example.com/ecu/can.Start',
      '\texample.com/ecu/can/reader.go:62',
    ]);
  });

  it('lists every stack of a site with its own growth, fastest first, and says when some were left out', () => {
    const f = (fn: string, line: number) => ({ function: `example.com/ecu/${fn}`, file: '/build/ecu/x.go', line });
    const h = heap(51, 'leak', 3 * MiB, 40 * MiB);
    h.stacks = [
      {
        frames: [f('cache.put', 51), f('can.onFrame', 90)],
        inuseBytes: 30 * MiB,
        slopeBytesPerMin: 2.5 * MiB,
        growthBytes: 25 * MiB,
      },
      {
        frames: [f('cache.put', 51), f('diag.poll', 12)],
        inuseBytes: 10 * MiB,
        slopeBytesPerMin: 0.5 * MiB,
        growthBytes: -MiB,
      },
    ];
    h.stacksInWindow = 7;
    const g = group(300, 20, false);
    g.stacks = [
      { frames: [f('can.readFrames', 78), f('can.run', 70)], count: 280, slopePerMin: 19, growth: 190 },
      { frames: [f('can.readFrames', 78), f('can.retry', 99)], count: 20, slopePerMin: 1, growth: 10 },
    ];
    g.stacksInWindow = 2;
    const [hs, gs] = leakSitesOf(report([h], [g]));
    assert.equal(hs!.stacks.length, 2);
    assert.equal(hs!.stacksInWindow, 7);
    assert.deepEqual(
      hs!.stacks.map((s) => s.ratePerMin),
      [2.5 * MiB, 0.5 * MiB],
    );
    const lines = renderStackDocument('ecu-7', [hs!, gs!]).split('\n');
    assert.ok(lines.includes('# showing the 2 fastest-growing of 7 stacks that reached this site'), lines.join('\n'));
    assert.ok(lines.includes('stack 1 of 2: growth +2.5 MiB/min (30.0 MiB in use, +25.0 MiB over the window)'));
    assert.ok(lines.includes('stack 2 of 2: growth +512.0 KiB/min (10.0 MiB in use, −1.0 MiB over the window)'));
    assert.equal(lines[lines.indexOf('example.com/ecu/diag.poll') + 1], '\t/build/ecu/x.go:12');
    assert.ok(lines.includes('stack 1 of 2: growth +19/min (280 goroutines, +190 over the window)'));
    // Every goroutine stack ends with the go statement that started the group.
    const starts = lines.flatMap((l, i) => (l === 'created by example.com/ecu/can.Start' ? [i] : []));
    assert.equal(starts.length, 2);
    assert.equal(gs!.createdBy?.line, 62);
    // Only the goroutine group's document mentions left-out stacks when some were: here none were.
    assert.equal(lines.filter((l) => l.startsWith('# showing')).length, 1);
  });

  it('grades severity by rate: fast or proven leaks are errors, slow ones warnings, growing ones information', () => {
    const sev = (h: HeapSuspectJson[], g: GoroutineSuspectJson[]): string[] =>
      leakSitesOf(report(h, g)).map((s) => siteSeverity(s));
    assert.deepEqual(sev([heap(1, 'leak', 2 * MiB, 0), heap(2, 'leak', 1000, 0), heap(3, 'growing', 5 * MiB, 0)], []), [
      'error',
      'warning',
      'info',
    ]);
    assert.deepEqual(sev([], [group(3, 1, true), group(3, 1, false), group(3, 50, false)]), [
      'error',
      'warning',
      'error',
    ]);
  });
});
