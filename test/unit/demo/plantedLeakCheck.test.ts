import assert from 'node:assert/strict';
import type { GoroutineSuspectJson, HeapSuspectJson, LeakReport } from '../../../src/core/leak/leakReport';
import type { Verdict } from '../../../src/core/leak/heapVerdict';
import { checkPlantedLeaks, type PlantedBehaviour, type SiteMatcher } from '../../../scripts/lib/plantedLeakCheck';
import type { PlantedSite } from '../../../scripts/lib/plantedSites';

// Synthetic reports: the check's failure outputs (missed leaks, false alarms, removed markers) cannot be produced on
// demand from the real demo service, whose leaks are always found (see test/integration/demo.test.ts).
const behaviours: PlantedBehaviour[] = [
  { id: 'g-leak', kind: 'goroutine', leak: true, what: 'blocked readers' },
  { id: 'h-leak', kind: 'heap', leak: true, what: 'a cache' },
  { id: 'h-churn', kind: 'heap', leak: false, what: 'churn' },
];
const site = (id: string, relFile: string, line: number): PlantedSite => ({
  id,
  file: `/src/mod/${relFile}`,
  relFile,
  line,
  function: `mod.${id}`,
});
const sites = new Map<string, PlantedSite>([
  ['g-leak', site('g-leak', 'can/reader.go', 78)],
  ['h-leak', site('h-leak', 'cache/c.go', 51)],
  ['h-churn', site('h-churn', 'churn/churn.go', 42)],
]);
const exact: SiteMatcher = (loc, s) => loc.file === s.file && loc.line === s.line;

function heap(file: string, line: number, verdict: Verdict): HeapSuspectJson {
  return {
    function: 'f',
    file,
    line,
    verdict,
    slopeBytesPerMin: 2 << 20,
    r2: 0.99,
    inuseBytes: 8 << 20,
    inuseObjects: 10,
    monotonic: 1,
    stackCount: 1,
    series: [],
    reason: '',
    stack: [],
    stacks: [],
    stacksInWindow: 0,
  };
}

function goroutine(file: string, line: number, verdict: Verdict, proven: boolean): GoroutineSuspectJson {
  return {
    function: 'g',
    file,
    line,
    state: 'chan receive',
    createdBy: null,
    count: 90,
    slopePerMin: 300,
    maxWaitMinutes: 0,
    proven,
    verdict,
    labels: {},
    series: [],
    reason: '',
    stacks: [],
    stacksInWindow: 0,
  };
}

function report(h: HeapSuspectJson[], g: GoroutineSuspectJson[]): LeakReport {
  return {
    target: 't',
    snapshots: 10,
    windowSeconds: 18,
    heap: { trendBytesPerMin: 0, totalInuseBytes: 0, totalVerdict: 'leak', epochs: 10, explainedShare: 1, suspects: h },
    goroutines: { total: 100, slopePerMin: 300, suspects: g },
  } as unknown as LeakReport;
}

describe('planted-leak check of the demo', () => {
  it('counts every planted leak found at its exact file:line and no false alarm', () => {
    const r = report(
      [heap('/src/mod/cache/c.go', 51, 'leak'), heap('/src/mod/churn/churn.go', 42, 'stable')],
      [goroutine('/src/mod/can/reader.go', 78, 'leak', true)],
    );
    const c = checkPlantedLeaks(r, sites, exact, behaviours);
    assert.deepEqual([c.found, c.missed, c.falseAlarms], [2, 0, 0]);
    assert.match(
      c.lines[0]!,
      /✓ leak found +can\/reader\.go:78 +blocked readers: LEAK \(proven by the GC\), 90 goroutines, \+300\/min/,
    );
    assert.match(c.lines[1]!, /✓ leak found +cache\/c\.go:51 +a cache: LEAK, \+2\.0 MiB\/min, 8\.0 MiB in use/);
    assert.match(c.lines[2]!, /✓ not a leak +churn\/churn\.go:42 +churn: STABLE/);
    assert.equal(c.lines[3], '2 of 2 planted leaks found at their file:line; 0 false alarms.');
  });

  it('reports a leak one line off, or not called leak, as missed, and churn called leak as a false alarm', () => {
    const r = report(
      [heap('/src/mod/cache/c.go', 52, 'leak'), heap('/src/mod/churn/churn.go', 42, 'leak')],
      [goroutine('/src/mod/can/reader.go', 78, 'growing', false)],
    );
    const c = checkPlantedLeaks(r, sites, exact, behaviours);
    assert.deepEqual([c.found, c.missed, c.falseAlarms], [0, 2, 1]);
    assert.match(c.lines[0]!, /✗ MISSED +can\/reader\.go:78 .*GROWING/);
    assert.match(c.lines[1]!, /✗ MISSED +cache\/c\.go:51 .*not among the suspects/);
    assert.match(c.lines[2]!, /✗ FALSE ALARM churn\/churn\.go:42/);
    assert.equal(c.lines[3], '0 of 2 planted leaks found at their file:line; 1 false alarm.');
  });

  it('counts a planted leak whose marker is gone as missed', () => {
    const c = checkPlantedLeaks(report([], []), new Map(), exact, behaviours);
    assert.equal(c.missed, 2);
    assert.match(c.lines[0]!, /✗ MISSED +g-leak +marker not found in the sources/);
  });
});
