import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { LocalTarget } from '../../../src/core/remote/localTarget';
import { collectSnapshot } from '../../../src/core/series/collectSnapshot';
import { runSeries } from '../../../src/core/series/runSeries';
import { SnapshotSeries } from '../../../src/core/series/snapshotSeries';
import { buildGoProgram, repoRoot, startEcuDemo, startGoService, type EcuDemo } from '../../fixtures/ecuDemo';
import { corpusDir } from '../../fixtures/profileCorpus';

const execFileP = promisify(execFile);

describe('snapshot collection from the real demo service', function () {
  this.timeout(120000);
  let demo: EcuDemo;
  let leaky: EcuDemo;
  let dir: string;
  before(async () => {
    [demo, leaky] = await Promise.all([
      startEcuDemo(),
      startEcuDemo({ env: { GOEXPERIMENT: 'goroutineleakprofile' } }),
    ]);
  });
  after(async () => {
    await demo?.stop();
    await leaky?.stop();
  });
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lh-collect-'));
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  const target = (d: EcuDemo): LocalTarget => new LocalTarget('127.0.0.1', Number(d.addr.split(':')[1]));

  it('stores heap/goroutine protos readable by go tool pprof, debug=2 text, MemStats, and goroutineleak as not available', async () => {
    const series = await SnapshotSeries.open(dir, { target: demo.url });
    const res = await runSeries(() => collectSnapshot(series, { target: target(demo) }), { intervalMs: 300, count: 2 });
    assert.equal(res.stoppedBy, 'count');
    const [a, b] = series.snapshots;
    assert.ok(a && b);
    assert.equal(a.status, 'ok');
    // The demo does not import expvar, so /debug/vars is a 404 and must be "not available", not a gap.
    const varsStatus = (await fetch(`${demo.url}/debug/vars`)).status;
    assert.equal(varsStatus, 404);
    assert.deepEqual(a.notAvailable, ['goroutineleak', 'vars']);
    assert.deepEqual(a.gaps, []);
    assert.deepEqual(Object.keys(a.files).sort(), ['goroutine', 'goroutine-debug2', 'heap', 'heap-debug1']);
    assert.ok((a.summary.goroutines ?? 0) > 1);
    assert.ok((a.memStats?.HeapAlloc ?? 0) > 0);
    assert.ok(b.takenAtMs - a.takenAtMs >= 250);
    const heap = series.filePath(b, 'heap') ?? '';
    const raw = await fs.readFile(heap);
    assert.equal(raw[0], 0x1f, 'stored as served (gzip)');
    const top = await execFileP('go', ['tool', 'pprof', '-top', '-sample_index=inuse_space', heap], {
      maxBuffer: 1 << 24,
    });
    assert.match(top.stdout, /Type: inuse_space/);
    const base = await execFileP('go', [
      'tool',
      'pprof',
      '-top',
      '-base',
      series.filePath(a, 'goroutine') ?? '',
      series.filePath(b, 'goroutine') ?? '',
    ]);
    assert.match(base.stdout, /Type: goroutine/);
    assert.match(await fs.readFile(series.filePath(a, 'goroutine-debug2') ?? '', 'utf8'), /^goroutine \d+ \[/);
    assert.deepEqual(await series.verify(), []);
    await series.close();
  });

  it('fetches goroutineleak from a GOEXPERIMENT=goroutineleakprofile build and honours the prefix', async () => {
    const series = await SnapshotSeries.open(dir, { target: leaky.url });
    const e = await collectSnapshot(series, { target: target(leaky), kinds: ['goroutineleak'] });
    assert.deepEqual(e.notAvailable, []);
    assert.ok(e.files.goroutineleak);
    assert.equal(typeof e.summary.leakedGoroutines, 'number');
    const wrong = await collectSnapshot(series, { target: target(leaky), prefix: '/internal/pprof', kinds: ['heap'] });
    assert.equal(wrong.status, 'gap');
    assert.match(wrong.gaps[0]?.reason ?? '', /HTTP 404 for \/internal\/pprof\/heap/);
    await series.close();
  });

  it('records an endpoint that is down as a gap and goes on', async () => {
    const series = await SnapshotSeries.open(dir, { target: 'down' });
    const e = await collectSnapshot(series, { target: new LocalTarget('127.0.0.1', 1) });
    assert.equal(e.status, 'gap');
    assert.equal(e.gaps[0]?.error, 'EndpointUnreachableError');
    assert.match(e.gaps[1]?.reason ?? '', /^skipped: /);
    const ok = await collectSnapshot(series, { target: target(demo), kinds: ['heap'] });
    assert.equal(ok.seq, 2);
    assert.equal(ok.status, 'ok');
    await series.close();
  });
});

describe('snapshot collection from a real Go service with pprof under /internal/pprof and expvar', function () {
  this.timeout(120000);
  let svc: EcuDemo;
  let dir: string;
  before(async () => {
    const bin = await buildGoProgram({ dir: path.join(repoRoot, 'testdata', 'pprof-prefix-demo') });
    svc = await startGoService(bin, ['-addr', '127.0.0.1:0']);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lh-prefix-'));
  });
  after(async () => {
    await svc?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('fetches every kind under the configured prefix, /debug/vars as JSON, and reports the default prefix as gaps', async () => {
    const target = new LocalTarget('127.0.0.1', Number(svc.addr.split(':')[1]));
    const series = await SnapshotSeries.open(dir, { target: svc.url });
    const e = await collectSnapshot(series, { target, prefix: '/internal/pprof' });
    assert.equal(e.status, 'ok', JSON.stringify(e.gaps));
    assert.deepEqual(e.notAvailable, ['goroutineleak']);
    assert.ok(e.files.vars);
    const vars = JSON.parse(await fs.readFile(series.filePath(e, 'vars') ?? '', 'utf8')) as Record<string, unknown>;
    assert.equal(typeof vars['leakhunt_demo_ticks'], 'number');
    assert.ok('memstats' in vars);
    assert.ok((e.memStats?.HeapInuse ?? 0) > 0);
    const allocs = await collectSnapshot(series, { target, prefix: '/internal/pprof', kinds: ['allocs'] });
    assert.ok(allocs.files.allocs);
    const wrong = await collectSnapshot(series, { target, kinds: ['heap', 'goroutine'] });
    assert.equal(wrong.status, 'gap');
    assert.deepEqual(
      wrong.gaps.map((g) => g.reason),
      ['HTTP 404 for /debug/pprof/heap', 'HTTP 404 for /debug/pprof/goroutine'],
    );
    await series.close();
  });
});

/**
 * STAND-IN: a compressing reverse proxy in front of net/http/pprof (some services wrap every handler in gzip
 * middleware). A node HTTP server plays that middleware, serving REAL public profiles from the shared corpus with
 * `Content-Encoding: gzip` on top; the test checks the transport encoding is undone and the payload kept as served.
 */
describe('snapshot collection behind a gzip Content-Encoding middleware (stand-in)', () => {
  let server: http.Server;
  let port: number;
  let dir: string;
  const heapFile = path.join(corpusDir, 'easy-proxies-heap.pb.gz');
  const debug2File = path.join(corpusDir, 'goroutine-triplets', '1.net.http.pprof.goroutine.debug2.txt');
  before(async () => {
    server = http.createServer(async (req, res) => {
      const file =
        req.url === '/debug/pprof/heap'
          ? heapFile
          : req.url === '/debug/pprof/goroutine?debug=2'
            ? debug2File
            : undefined;
      if (!file) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'Content-Encoding': 'gzip' });
      res.end(gzipSync(await fs.readFile(file)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lh-gzip-'));
  });
  after(async () => {
    server?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('stores the .pb.gz exactly as the service wrote it and the text decoded', async () => {
    const series = await SnapshotSeries.open(dir, { target: 'gzip' });
    const e = await collectSnapshot(series, {
      target: new LocalTarget('127.0.0.1', port),
      kinds: ['heap', 'goroutine-debug2'],
    });
    assert.equal(e.status, 'ok', JSON.stringify(e.gaps));
    assert.deepEqual(await fs.readFile(series.filePath(e, 'heap') ?? ''), await fs.readFile(heapFile));
    assert.equal(
      await fs.readFile(series.filePath(e, 'goroutine-debug2') ?? '', 'utf8'),
      await fs.readFile(debug2File, 'utf8'),
    );
    assert.ok((e.summary.heapInuseBytes ?? 0) > 0);
    await series.close();
  });
});
