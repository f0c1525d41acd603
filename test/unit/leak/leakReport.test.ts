import assert from 'node:assert/strict';
import { LeakAnalyzer } from '../../../src/core/leak/leakAnalyzer';
import { renderReport, renderSarif } from '../../../src/core/leak/renderReport';
import { sparkline } from '../../../src/core/leak/sparkline';
import {
  formatBytes,
  parseByteRate,
  parseBytes,
  parseCountRate,
  parseRatio,
  UnitParseError,
} from '../../../src/core/leak/units';
import type { Goroutine, GoroutineDump } from '../../../src/core/pprof/goroutineText';
import { heapRow, syntheticProfile } from './syntheticProfile';

const P = 512 * 1024;
const MiB = 1024 * 1024;
const T0 = 1_700_000_000_000;
const LEAK = 'example.com/ecu/cache.storeSession@/src/ecu/cache/session.go:48';
const SMALL = 'example.com/ecu/cache.(*LRU).add@/src/ecu/cache/lru.go:20';
const CHURN = 'example.com/ecu/churn.Run@/src/ecu/churn/churn.go:30';
const MAIN = 'main.main@/src/ecu/main.go:20';

function readers(n: number): Goroutine[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    state: 'chan receive',
    waitMinutes: 0,
    lockedToThread: false,
    leaked: false,
    labels: { can_id: `0x${(0x100 + (i % 3)).toString(16)}` },
    frames: [
      { function: 'runtime.gopark', file: '/go/src/runtime/proc.go', line: 435 },
      { function: 'example.com/ecu/can.readFrames', file: '/src/ecu/can/reader.go', line: 57 },
    ],
    framesElided: false,
    createdBy: { function: 'example.com/ecu/can.Run', file: '/src/ecu/can/reader.go', line: 80 },
  }));
}

function analyzer(): LeakAnalyzer {
  const a = new LeakAnalyzer();
  for (let i = 0; i < 10; i++) {
    const dump: GoroutineDump = { goroutines: readers(5 + 10 * i) };
    a.add({
      timeMs: T0 + i * 2000,
      heap: syntheticProfile(
        [
          heapRow(
            ['runtime.mallocgc@/go/src/runtime/malloc.go:1', LEAK, MAIN],
            (4 + 4 * i) * P,
            100 * (i + 1),
            (4 + 4 * i) * P,
            100 * (i + 1),
          ),
          heapRow([SMALL, MAIN], (2 + 2 * i) * P, 10 * (i + 1), (2 + 2 * i) * P, 10 * (i + 1)),
          heapRow([CHURN, MAIN], 40 * P, 40, (1 + i) * 200 * P, (1 + i) * 200),
        ],
        { period: P },
      ),
      goroutineDump: dump,
      memStats: { HeapInuse: (100 + 2 * i) * MiB, HeapSys: 128 * MiB, Sys: 160 * MiB, other: {} },
      cgroup: {
        cgroup: 'v1',
        path: '/leakhunt-test',
        memoryCurrent: (150 + 3 * i) * MiB,
        memoryMax: 256 * MiB,
        stat: { rss: (140 + 3 * i) * MiB, cache: 10 * MiB, total_inactive_file: 5 * MiB },
        failcnt: 0,
      },
    });
  }
  return a;
}

describe('leak/leakReport', () => {
  it('builds the report JSON with the shape of the issue, suspects ranked by severity', () => {
    const r = analyzer().report('http://127.0.0.1:6060');
    assert.equal(r.target, 'http://127.0.0.1:6060');
    assert.equal(r.snapshots, 10);
    assert.equal(r.windowSeconds, 18);
    assert.deepEqual(
      r.heap!.suspects.map((s) => [s.function, s.line, s.verdict]),
      [
        ['example.com/ecu/cache.storeSession', 48, 'leak'],
        ['example.com/ecu/cache.(*LRU).add', 20, 'leak'],
      ],
    );
    const top = r.heap!.suspects[0]!;
    for (const k of ['function', 'file', 'line', 'verdict', 'slopeBytesPerMin', 'r2', 'inuseBytes', 'stack'])
      assert.ok(k in top, k);
    assert.deepEqual(Object.keys(top.stack[0]!).sort(), ['file', 'function', 'line']);
    assert.ok(r.heap!.trendBytesPerMin > 0);
    const g = r.goroutines!.suspects[0]!;
    assert.deepEqual(
      [g.function, g.file, g.line, g.state, g.createdBy?.function, g.count, g.verdict, g.proven],
      [
        'example.com/ecu/can.readFrames',
        '/src/ecu/can/reader.go',
        57,
        'chan receive',
        'example.com/ecu/can.Run',
        95,
        'leak',
        false,
      ],
    );
    assert.deepEqual(g.labels, { can_id: ['0x100', '0x101', '0x102'] });
    assert.ok(Math.abs(g.slopePerMin - 300) < 1e-6);
    assert.equal(r.goroutines!.total, 95);
    assert.deepEqual(
      [r.container.cgroup, r.container.memoryCurrent, r.container.memoryMax],
      ['v1', 177 * MiB, 256 * MiB],
    );
    assert.ok(r.container.oomEtaSeconds !== null && r.container.oomEtaSeconds > 0);
    assert.equal(r.container.breakdown.goHeapInuse, 118 * MiB);
    // 200 samples of 512 KiB allocated per 2 s by churn alone: ~52 MB/s, above the 50 MB/s default.
    assert.equal(r.sli.allocBytesPerSec.breached, true);
    assert.equal(r.sli.heapInuseRatio.value, 118 / 128);
    assert.deepEqual(JSON.parse(renderReport(r, 'json')), JSON.parse(JSON.stringify(r)));
  });

  it('renders a text table with sparklines, markdown tables and SARIF results on file:line', () => {
    const r = analyzer().report('ssh://ecu-7');
    const text = renderReport(r, 'text');
    assert.match(
      text,
      /LEAK\s+\+60\.0 MiB\/min\s+20\.0 MiB\s+1\.00\s+▁▂▃▃▄▅▆▆▇█\s+example\.com\/ecu\/cache\.storeSession \/src\/ecu\/cache\/session\.go:48/,
    );
    assert.match(
      text,
      /LEAK\s+95\s+\+300\.0\/min\s+chan receive\s+\S+\s+example\.com\/ecu\/can\.readFrames \/src\/ecu\/can\/reader\.go:57 \(created by/,
    );
    assert.match(text, /alloc rate 5\d\.\d MB\/s \(threshold 50\.0 MB\/s\) FAIL/);
    const md = renderReport(r, 'markdown');
    assert.match(md, /^## leakhunt report: ssh:\/\/ecu-7$/m);
    assert.match(
      md,
      /\| \*\*leak\*\* \| \+60\.0 MiB\/min \| 20\.0 MiB \| 1\.00 \| example\.com\/ecu\/cache\.storeSession \/src\/ecu\/cache\/session\.go:48 \|/,
    );
    assert.match(md, /\| allocBytesPerSec \| .* \| 50000000 \| ❌ fail \|/);
    const sarif = JSON.parse(renderReport(r, 'sarif'));
    assert.equal(sarif.version, '2.1.0');
    const results = sarif.runs[0].results;
    assert.deepEqual(
      results.map(
        (x: {
          ruleId: string;
          level: string;
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
        }) => [
          x.ruleId,
          x.level,
          x.locations[0]!.physicalLocation.artifactLocation.uri,
          x.locations[0]!.physicalLocation.region.startLine,
        ],
      ),
      [
        ['heap-leak', 'error', 'file:///src/ecu/cache/session.go', 48],
        ['heap-leak', 'error', 'file:///src/ecu/cache/lru.go', 20],
        ['goroutine-leak', 'error', 'file:///src/ecu/can/reader.go', 57],
      ],
    );
  });

  it('prints the call paths of a suspect reached by several stacks, and gives SARIF one stack per path', () => {
    const r = analyzer().report('ssh://ecu-7');
    const site = r.heap!.suspects[0]!;
    const at = { function: site.function, file: site.file, line: site.line };
    const fr = (fn: string, file: string, line: number) => ({ function: fn, file, line });
    site.stacks = [
      {
        frames: [
          fr('runtime.mallocgc', '/go/malloc.go', 1),
          at,
          fr('example.com/ecu/can.onFrame', '/src/ecu/can/frame.go', 90),
          fr('main.main', '/src/ecu/main.go', 20),
        ],
        inuseBytes: 15 * MiB,
        slopeBytesPerMin: 45 * MiB,
        growthBytes: 14 * MiB,
      },
      {
        frames: [at, fr('example.com/ecu/diag.poll', '/src/ecu/diag/poll.go', 12)],
        inuseBytes: 5 * MiB,
        slopeBytesPerMin: 15 * MiB,
        growthBytes: 4 * MiB,
      },
    ];
    site.stacksInWindow = 9;
    const text = renderReport(r, 'text');
    assert.match(text, /storeSession \/src\/ecu\/cache\/session\.go:48 is reached by 9 stacks:/);
    assert.match(text, /\+45\.0 MiB\/min\s+15\.0 MiB\s+via can\.onFrame frame\.go:90 ← main\.main main\.go:20/);
    assert.match(text, /\+15\.0 MiB\/min\s+5\.0 MiB\s+via diag\.poll poll\.go:12\n/);
    assert.match(text, /… 4 more \(see the JSON report\)/);
    const sarif = renderSarif(r) as {
      runs: {
        results: {
          stacks?: {
            message: { text: string };
            frames: { location: { physicalLocation: { region?: { startLine: number } }; message: { text: string } } }[];
          }[];
        }[];
      }[];
    };
    const stacks = sarif.runs[0]!.results[0]!.stacks!;
    assert.deepEqual(
      stacks.map((st) => [st.message.text, st.frames.map((f) => f.location.physicalLocation.region?.startLine)]),
      [
        ['+45.0 MiB/min, 15.0 MiB in use', [1, 48, 90, 20]],
        ['+15.0 MiB/min, 5.0 MiB in use', [48, 12]],
      ],
    );
    assert.equal(stacks[1]!.frames[1]!.location.message.text, 'example.com/ecu/diag.poll');
  });

  it('escapes Markdown metacharacters from profile strings and keeps relative SARIF paths relative', () => {
    const r = analyzer().report('http://x|y');
    r.heap!.suspects[0]!.function = 'pkg.F[*T|U]';
    r.heap!.suspects[0]!.file = 'example.com/ecu dir/x.go';
    assert.match(renderReport(r, 'markdown'), /pkg\.F\\\[\\\*T\\\|U\\\]/);
    assert.match(renderReport(r, 'markdown'), /http:\/\/x\\\|y/);
    const sarif = renderSarif(r) as {
      runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
    };
    assert.equal(
      sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri,
      'example.com/ecu%20dir/x.go',
    );
  });

  it('reports missing sections plainly', () => {
    const a = new LeakAnalyzer();
    a.add({ timeMs: T0 });
    const r = a.report('t');
    assert.equal(r.heap, null);
    assert.equal(r.goroutines, null);
    assert.equal(r.container.cgroup, 'none');
    const text = renderReport(r, 'text');
    assert.match(text, /Heap: no heap profiles/);
    assert.match(text, /alloc rate n\/a/);
  });
});

describe('leak/sparkline and units', () => {
  it('draws sparklines scaled to the series', () => {
    assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
    assert.equal(sparkline([5, 5, 5]), '▁▁▁');
    assert.equal(sparkline([]), '');
    assert.equal(
      [
        ...sparkline(
          Array.from({ length: 100 }, (_, i) => i),
          10,
        ),
      ].length,
      10,
    );
  });

  it('parses sizes and rates with decimal and binary units, and rejects nonsense clearly', () => {
    assert.equal(parseBytes('512KiB'), 512 * 1024);
    assert.equal(parseBytes('1.5 GB'), 1.5e9);
    assert.equal(parseBytes('300'), 300);
    assert.equal(parseByteRate('1MB/min'), 1e6 / 60);
    assert.equal(parseByteRate('50MB/s'), 50e6);
    assert.equal(parseByteRate('2MiB/h'), (2 * MiB) / 3600);
    assert.equal(parseCountRate('10/min'), 10 / 60);
    assert.equal(parseRatio('0.9'), 0.9);
    assert.equal(parseRatio('85%'), 0.85);
    for (const [f, bad, re] of [
      [parseBytes, '12 parsecs', /unknown byte unit "parsecs"/],
      [parseBytes, '-1MB', /cannot parse/],
      [parseByteRate, '1MB', /expected SIZE\/TIME/],
      [parseByteRate, '1MB/fortnight', /unknown time unit "fortnight"/],
      [parseCountRate, 'ten/min', /expected COUNT\/TIME/],
      [parseRatio, '1.5', /above 1/],
      [parseRatio, 'lots', /cannot parse/],
    ] as const) {
      assert.throws(
        () => f(bad),
        (e: unknown) => e instanceof UnitParseError && re.test(e.message),
        bad,
      );
    }
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(-3 * MiB), '-3.0 MiB');
  });
});
