import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readAnyProfile } from '../../src/core/pprof/readAnyProfile';
import type { TopReport } from '../../src/core/pprof/topReport';
import type { EcuDemo } from '../fixtures/ecuDemo';
import { startEcuDemo } from '../fixtures/ecuDemo';
import { goPprofTop } from '../fixtures/goPprofTop';
import { runCliCaptured } from '../fixtures/runCliCaptured';

async function ours(args: string[]): Promise<TopReport> {
  const r = await runCliCaptured(args);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as TopReport;
}

function assertSameAsPprof(report: TopReport, file: string, sampleIndex: string, base?: string): void {
  const go = goPprofTop(file, { sampleIndex, unit: report.unit, ...(base ? { base } : {}) });
  assert.equal(report.total, go.total, 'total');
  assert.deepEqual(
    report.functions.map((f) => ({ name: f.name, flat: f.flat, cum: f.cum })),
    go.rows.map((r) => ({ name: r.name, flat: r.flat, cum: r.cum })),
  );
}

describe('leakhunt top/diff on live profiles of the demo ECU service agree with go tool pprof', function () {
  this.timeout(180_000);
  let demo: EcuDemo;
  let dir: string;
  const files: Record<string, string> = {};

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'leakhunt-demo-golden-'));
    // A low MemProfileRate gives many heap samples, so the comparison covers many functions.
    demo = await startEcuDemo({ flags: ['-mem-profile-rate', '4096', '-can-leak-per-sec', '20'] });
    const save = async (name: string, query: string): Promise<void> => {
      files[name] = path.join(dir, name);
      writeFileSync(files[name], await demo.get(query));
    };
    await new Promise((r) => setTimeout(r, 1500));
    await save('heap1.pb.gz', '/debug/pprof/heap?gc=1');
    await save('goroutine.pb.gz', '/debug/pprof/goroutine');
    await save('goroutine1.txt', '/debug/pprof/goroutine?debug=1');
    await save('goroutine2.txt', '/debug/pprof/goroutine?debug=2');
    await save('heap1.txt', '/debug/pprof/heap?debug=1');
    await new Promise((r) => setTimeout(r, 2500));
    await save('heap2.pb.gz', '/debug/pprof/heap?gc=1');
    await save('allocs.pb.gz', '/debug/pprof/allocs');
  });

  after(async () => {
    await demo?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const name of ['heap1.pb.gz', 'heap2.pb.gz', 'allocs.pb.gz', 'goroutine.pb.gz']) {
    it(`top ${name}, every sample type`, async () => {
      const p = readAnyProfile(readFileSync(files[name]!)).profile;
      assert.ok(p.samples.count > 0);
      for (const t of p.sampleTypes) {
        const report = await ours(['top', '--format', 'json', '--sample-index', t.type, files[name]!]);
        assertSameAsPprof(report, files[name]!, t.type);
      }
    });
  }

  it('diff heap1 → heap2 equals go tool pprof -base, and shows the planted leaks growing', async () => {
    for (const t of ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space']) {
      const report = await ours([
        'diff',
        '--format',
        'json',
        '--sample-index',
        t,
        files['heap1.pb.gz']!,
        files['heap2.pb.gz']!,
      ]);
      assertSameAsPprof(report, files['heap2.pb.gz']!, t, files['heap1.pb.gz']!);
      if (t === 'inuse_space') {
        // The session sync.Map never evicts, so its allocation site grows between the two snapshots.
        const store = report.functions.find((f) => f.name === 'example.com/ecu-demo/cache.storeSession');
        assert.ok(store && store.cum > 0, `storeSession in the inuse_space diff: ${JSON.stringify(store)}`);
      }
    }
  });

  it('goroutine debug=1 and debug=2 text give the same user-code counts as the proto', async () => {
    // Captured in this order: proto, debug=1, debug=2, from a live process. The leaking CAN readers only grow in
    // between; the demo's long-lived loop goroutines (its Run functions and main) are there in every capture, while
    // what they call at the instant of capture (e.g. can.plugAndUnplug) comes and goes, so only those are compared.
    const [p0, p1, p2] = await Promise.all(
      ['goroutine.pb.gz', 'goroutine1.txt', 'goroutine2.txt'].map((n) => ours(['top', '--format', 'json', files[n]!])),
    );
    const reader = 'example.com/ecu-demo/can.readFrames';
    const loops = (r: TopReport): [string, number][] =>
      r.functions
        .filter((f) => /^example\.com\/ecu-demo\/\w+\.Run\w*$/.test(f.name) || f.name === 'main.main')
        .map((f): [string, number] => [f.name, f.cum])
        .sort((x, y) => (x[0] < y[0] ? -1 : 1));
    const want = loops(p0!);
    assert.ok(want.length >= 5, JSON.stringify(want));
    assert.deepEqual(loops(p1!), want, 'debug=1 vs proto');
    assert.deepEqual(loops(p2!), want, 'debug=2 vs proto');
    const readers = [p0!, p1!, p2!].map((r) => r.functions.find((f) => f.name === reader)?.cum ?? 0);
    assert.ok(readers[0]! > 0, 'leaked CAN readers present');
    assert.ok(readers[0]! <= readers[1]! && readers[1]! <= readers[2]!, `readers only grow: ${readers.join(' ')}`);
  });

  it('top reads heap debug=1 text of the live service', async () => {
    const r = await ours(['top', '--format', 'json', '--sample-index', 'inuse_space', files['heap1.txt']!]);
    assert.equal(r.unit, 'bytes');
    assert.ok(r.total > 0 && r.functions.length > 0);
  });
});
