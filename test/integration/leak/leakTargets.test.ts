import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LeakReport } from '../../../src/core/leak/leakReport';
import { buildGoProgram, plantedSites, repoRoot, startGoService, type PlantedSite } from '../../fixtures/ecuDemo';
import { runCliCaptured } from '../../fixtures/runCliCaptured';

const targetsDir = path.join(repoRoot, 'testdata', 'leak-targets');

/**
 * More leak shapes, in one real Go program (testdata/leak-targets) watched for 10 snapshots 2 s apart, each with
 * its expected verdict. The program profiles every allocation (MemProfileRate=1), so a slow leak is visible in
 * 18 s; the default-rate behaviour is covered by the demo test.
 */
describe('leak verdicts on more Go leak shapes (testdata/leak-targets)', function () {
  this.timeout(240_000);
  let report: LeakReport;
  let dir: string;
  const sites = plantedSites(targetsDir);
  const site = (id: string): PlantedSite => {
    const s = sites.get(id);
    assert.ok(s, `planted marker ${id} missing`);
    return s;
  };
  const at = (x: { file: string; line: number }, s: PlantedSite) =>
    path.resolve(x.file) === s.file && x.line === s.line;

  before(async () => {
    const bin = await buildGoProgram({ dir: targetsDir });
    // GOGC 10 so that the 128 MiB stable heap does not postpone every GC (and so every heap profile update) for
    // 128 MiB of allocation; the GC-epoch handling itself is tested on the parca series.
    const svc = await startGoService(bin, ['-addr', '127.0.0.1:0', '-gc-percent', '10']);
    dir = mkdtempSync(path.join(os.tmpdir(), 'leakhunt-targets-'));
    try {
      const w = await runCliCaptured([
        'watch',
        svc.url,
        '--interval',
        '2s',
        '--count',
        '10',
        '--out',
        dir,
        '--format',
        'json',
      ]);
      assert.equal(w.code, 0, w.stderr);
    } finally {
      await svc.stop();
    }
    const r = await runCliCaptured(['report', dir, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    report = JSON.parse(r.stdout) as LeakReport;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const heapVerdict = (id: string) => report.heap!.suspects.find((x) => at(x, site(id)))?.verdict ?? 'stable';
  const describeHeap = () =>
    JSON.stringify(report.heap!.suspects.map((x) => [path.basename(x.file), x.line, x.verdict, x.reason]));

  it('finds a slow leak (32 KiB/s of 512-byte records)', () => {
    assert.equal(heapVerdict('slow-leak-alloc'), 'leak', describeHeap());
  });

  it('finds a small leak next to a 128 MiB stable heap, and leaves the big heap alone', () => {
    assert.equal(heapVerdict('hidden-leak-alloc'), 'leak', describeHeap());
    assert.equal(heapVerdict('hidden-big-alloc'), 'stable', describeHeap());
    assert.ok(report.heap!.totalInuseBytes > 128 * 1024 * 1024);
  });

  it('never calls churn (alloc_space grows, in-use flat) a leak', () => {
    assert.notEqual(heapVerdict('churn-alloc'), 'leak', describeHeap());
  });

  it('calls a cache that fills to its cap and evicts not a leak', () => {
    assert.notEqual(heapVerdict('plateau-alloc'), 'leak', describeHeap());
    assert.notEqual(heapVerdict('plateau-alloc'), 'growing', describeHeap());
  });

  it('calls goroutines piling up on a never-released mutex a leak, blocked in sync.Mutex.Lock', () => {
    const g = report.goroutines!.suspects.find((x) => at(x, site('mutex-block')));
    assert.ok(g, JSON.stringify(report.goroutines!.suspects));
    assert.equal(g.verdict, 'leak');
    assert.equal(g.state, 'sync.Mutex.Lock');
    assert.ok(g.slopePerMin > 200 && g.slopePerMin < 400, String(g.slopePerMin)); // 5 per second
  });

  it('never calls a worker pool that grows and shrinks a leak', () => {
    const g = report.goroutines!.suspects.find((x) => at(x, site('wave-worker-block')));
    assert.notEqual(g?.verdict, 'leak', JSON.stringify(g));
    assert.deepEqual(
      report.goroutines!.suspects.filter((x) => x.verdict === 'leak').map((x) => x.line),
      [site('mutex-block').line],
    );
  });
});
