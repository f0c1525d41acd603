import * as assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTargetConfigs, type TargetConfig } from '../../../src/core/editor/targetConfig';
import { WatchBusyError, WatchSession, type WatchSessionHost } from '../../../src/core/editor/watchSession';
import type { AcquisitionTarget } from '../../../src/core/remote/acquisitionTarget';
import { LocalTarget } from '../../../src/core/remote/localTarget';
import { LeakAnalyzer } from '../../../src/core/leak/leakAnalyzer';
import { loadSeriesInto } from '../../../src/core/leak/loadSeries';
import type { ConnectedHost, OpenedTarget } from '../../../src/core/remote/openTarget';
import { SshAuthError } from '../../../src/core/remote/remoteErrors';
import { readSeriesIndex } from '../../../src/core/series/seriesIndex';
import { SnapshotSeries } from '../../../src/core/series/snapshotSeries';
import { seriesFolderName } from '../../../src/core/editor/targetConfig';
import { corpusDir } from '../../fixtures/profileCorpus';

function target(name: string, url: string): TargetConfig {
  const t = parseTargetConfigs([{ name, url }]).targets[0];
  assert.ok(t);
  return t;
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A connection handed over by Connect to Target, counting its closes. */
function fakeHost(t: TargetConfig): ConnectedHost & { closes: number } {
  const h = {
    spec: t.spec,
    closes: 0,
    target: undefined as unknown as AcquisitionTarget,
    at: () => h.target,
    close: async () => {
      h.closes++;
    },
  };
  return h;
}

/**
 * The serialization, stop and failure logic of WatchSession. The target here is a STAND-IN: a Node HTTP server on
 * loopback that serves a real corpus heap profile (tinkerrogue-heap.pb.gz) slowly, or an injected opener; the real
 * demo service and sshd are exercised in test/integration/editor/watchSession.test.ts.
 */
describe('WatchSession serialization, stop and failures (stand-in pprof server)', function () {
  this.timeout(30_000);
  const heap = readFileSync(path.join(corpusDir, 'tinkerrogue-heap.pb.gz'));
  let server: http.Server;
  let url: string;
  let inFlight = 0;
  let maxInFlight = 0;
  let delayMs = 0;
  let requested: string[] = [];
  let storage: string;
  let changes: number;
  let errors: Error[];

  const host = (over: Partial<WatchSessionHost<string>> = {}): WatchSessionHost<string> => ({
    storageDir: storage,
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    progress: { run: (_t, _w, task) => task() },
    resolver: { resolve: async () => undefined },
    prompts: {
      auth: { passphrase: async () => undefined, password: async () => undefined },
      unknownHostKey: async () => false,
    },
    changed: () => changes++,
    stoppedByError: (_t, e) => errors.push(e),
    ...over,
  });

  before(async () => {
    server = http.createServer((req, res) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      requested.push(req.url ?? '');
      setTimeout(() => {
        inFlight--;
        if (req.url === '/debug/pprof/heap' || req.url === '/debug/pprof/heap?gc=1') {
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          res.end(heap);
        } else {
          res.writeHead(404);
          res.end('not here');
        }
      }, delayMs);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => new Promise<void>((r) => server.close(() => r())));
  beforeEach(async () => {
    storage = await fs.mkdtemp(path.join(os.tmpdir(), 'lh-watch-unit-'));
    inFlight = 0;
    maxInFlight = 0;
    delayMs = 0;
    requested = [];
    changes = 0;
    errors = [];
  });
  afterEach(async () => fs.rm(storage, { recursive: true, force: true }));

  it('manual snapshots never overlap scheduled ones; sequence numbers stay consecutive', async () => {
    delayMs = 40;
    const s = new WatchSession(host());
    await s.start(target('stand-in', url), { intervalMs: 50, window: 4 });
    const manual = await Promise.all([s.snapshotNow(), s.snapshotNow(), s.snapshotNow()]);
    await s.stop();
    assert.equal(maxInFlight, 1, 'one request at a time across scheduled and manual snapshots');
    const seqs = manual.map((e) => e.seq);
    assert.equal(new Set(seqs).size, 3);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    const index = await readSeriesIndex(s.seriesDir!);
    const all = index!.snapshots.map((e) => e.seq);
    assert.ok(all.length > 3, 'scheduled snapshots ran too');
    assert.deepEqual(
      all,
      all.map((_, i) => i + 1),
    );
    assert.equal(s.report?.snapshots, 4, 'the analysis window is full');
  });

  it('asks for heap?gc=1 for a target with forceGc, and for the plain heap profile otherwise', async () => {
    const gc = parseTargetConfigs([{ name: 'gc', url, forceGc: true }]).targets[0]!;
    const s = new WatchSession(host());
    await s.start(gc, { intervalMs: 60_000, window: 3 });
    await s.snapshotNow();
    await s.stop();
    assert.ok(requested.includes('/debug/pprof/heap?gc=1'), requested.join(' '));
    assert.ok(!requested.includes('/debug/pprof/heap'), requested.join(' '));
    requested = [];
    await s.start(target('plain', url), { intervalMs: 60_000, window: 3 });
    await s.snapshotNow();
    await s.stop();
    assert.ok(requested.includes('/debug/pprof/heap'), requested.join(' '));
    assert.ok(!requested.includes('/debug/pprof/heap?gc=1'), requested.join(' '));
  });

  it('a stop while connecting cancels the start and closes what was opened', async () => {
    const gate = deferred();
    let closed = 0;
    const s = new WatchSession(
      host({
        open: async () => {
          await gate.promise;
          const t = new LocalTarget('127.0.0.1', Number(new URL(url).port));
          return {
            target: Object.assign(t, {
              close: async () => {
                closed++;
              },
            }),
          } satisfies OpenedTarget;
        },
      }),
    );
    const started = s.start(target('slow', url), { intervalMs: 50, window: 3 });
    await until('connecting', () => s.states.get('slow')?.state === 'connecting');
    await s.stop();
    gate.resolve();
    await started;
    assert.equal(s.states.get('slow')?.state, 'stopped');
    assert.equal(s.watching, false);
    assert.equal(closed, 1);
    await assert.rejects(fs.stat(path.join(storage, 'series')), { code: 'ENOENT' });
    assert.equal(maxInFlight, 0, 'nothing was fetched');
  });

  it('a second start while connecting is refused and closes the connection it was handed', async () => {
    const gate = deferred<OpenedTarget>();
    const s = new WatchSession(host({ open: () => gate.promise }));
    const first = s.start(target('a', url), { intervalMs: 50, window: 3 });
    const handed = fakeHost(target('b', url));
    await assert.rejects(s.start(target('b', url), { intervalMs: 50, window: 3, host: handed }), WatchBusyError);
    assert.equal(handed.closes, 1);
    gate.resolve({ target: new LocalTarget('127.0.0.1', Number(new URL(url).port)) });
    await first;
    assert.equal(s.states.get('a')?.state, 'watching');
    await s.stop();
  });

  it('a failed connect rejects with its error, says error with the reason, and closes the handed-over connection', async () => {
    const refused = new SshAuthError('all authentication methods were rejected');
    const s = new WatchSession(
      host({
        open: async () => {
          throw refused;
        },
      }),
    );
    const handed = fakeHost(target('ecu', 'ssh://ecu'));
    await assert.rejects(s.start(target('ecu', 'ssh://ecu'), { intervalMs: 50, window: 3, host: handed }), refused);
    assert.deepEqual(s.states.get('ecu'), { state: 'error', detail: refused.message });
    assert.equal(handed.closes, 1);
    assert.equal(s.watching, false);
  });

  it('a refusal during the watch ends it once: state error, connection closed, later snapshots refused', async () => {
    let closed = 0;
    let calls = 0;
    const refusing: AcquisitionTarget = {
      label: 'refusing stand-in',
      local: true,
      httpGet: async () => {
        calls++;
        throw new SshAuthError('the key was removed from authorized_keys');
      },
      readFiles: async () => new Map(),
      run: async () => ({ code: 0, stdout: Buffer.alloc(0), stderr: '' }),
      close: async () => {
        closed++;
      },
    };
    const s = new WatchSession(host({ open: async () => ({ target: refusing }) }));
    await s.start(target('ecu', 'ssh://ecu'), { intervalMs: 50, window: 3 });
    await until('the watch to end', () => errors.length > 0);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.name, 'SshAuthError');
    assert.equal(s.states.get('ecu')?.state, 'error');
    assert.equal(closed, 1);
    assert.equal(calls, 1, 'the rest of the snapshot was skipped and no further snapshot was tried');
    assert.equal(s.watching, false);
    await assert.rejects(s.snapshotNow(), { name: 'NotWatchingError' });
    const index = await readSeriesIndex(s.seriesDir!);
    assert.equal(index?.snapshots.length, 1, 'the failed snapshot is recorded as a gap');
    assert.equal(index?.snapshots[0]?.status, 'gap');
  });

  it("a start prunes the target's old series to leakhunt.keepSeries, keeping the folder it writes", async () => {
    const t = target('stand in/1', url);
    const folder = path.join(storage, 'series', seriesFolderName(t.name));
    const old: string[] = [];
    for (const [i, minutes] of [90, 60, 30].entries()) {
      const dir = path.join(folder, `old-${i}`);
      await (await SnapshotSeries.open(dir, { target: 'x' })).close();
      const when = new Date(Date.now() - minutes * 60_000);
      await fs.utimes(path.join(dir, 'series.json'), when, when);
      old.push(dir);
    }
    const other = path.join(storage, 'series', 'other-target', 'old');
    await (await SnapshotSeries.open(other, { target: 'y' })).close();
    const s = new WatchSession(host());
    await s.start(t, { intervalMs: 60_000, window: 3, keepSeries: 2 });
    await s.stop();
    assert.ok(s.seriesDir?.startsWith(folder));
    assert.deepEqual((await fs.readdir(folder)).sort(), [path.basename(s.seriesDir!), 'old-2'].sort());
    assert.deepEqual(await fs.readdir(path.dirname(other)), ['old'], 'another target keeps its own series');
  });

  it("a new start clears the previous watch's report and no late report of it arrives", async () => {
    const gate = deferred();
    let opens = 0;
    const s = new WatchSession(
      host({
        open: async () => {
          // The second target connects slowly, leaving time for anything stale of the first to show up.
          if (++opens === 2) await gate.promise;
          return { target: new LocalTarget('127.0.0.1', Number(new URL(url).port)) };
        },
      }),
    );
    await s.start(target('first', url), { intervalMs: 30, window: 3 });
    await until('a report of the first watch', () => s.report !== undefined);
    const second = s.start(target('second', url), { intervalMs: 60_000, window: 3 });
    await until('the second start to connect', () => s.states.get('second')?.state === 'connecting');
    assert.equal(s.states.get('first')?.state, 'stopped');
    const seen: (string | undefined)[] = [];
    const before = changes;
    await new Promise((r) => setTimeout(r, 300));
    seen.push(s.report?.target, String(s.snapshots.length), String(s.sites.length));
    assert.deepEqual(seen, [undefined, '0', '0'], "the first watch's results were cleared and stayed cleared");
    assert.equal(changes, before, 'nothing of the stopped watch was published while the next one connects');
    gate.resolve();
    await second;
    await until('a report of the second watch', () => s.report !== undefined);
    assert.equal(s.target?.name, 'second');
    await s.stop();
  });

  it('a target that stops answering is reported as unreachable, as a reload of the series from disk says', async () => {
    // A second stand-in that can die mid-watch: its port then refuses connections, as a killed service's does.
    const dying = http.createServer((req, res) => {
      if (req.url === '/debug/pprof/heap') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(heap);
      } else {
        res.writeHead(404);
        res.end('not here');
      }
    });
    await new Promise<void>((r) => dying.listen(0, '127.0.0.1', r));
    const dyingUrl = `http://127.0.0.1:${(dying.address() as AddressInfo).port}`;
    const s = new WatchSession(host());
    await s.start(target('dying', dyingUrl), { intervalMs: 60_000, window: 4 });
    await s.snapshotNow();
    await s.snapshotNow();
    assert.equal(s.report?.lifecycle.state, 'running');
    dying.closeAllConnections();
    await new Promise<void>((r) => dying.close(() => r()));
    const gap = await s.snapshotNow();
    assert.equal(gap.status, 'gap');
    await s.snapshotNow();
    const live = s.report!;
    assert.equal(live.lifecycle.state, 'unreachable');
    assert.equal(live.lifecycle.unansweredSnapshots, 2);
    // The start's own snapshot and the two taken here answered; the last of them is the last good one.
    assert.deepEqual(
      s.snapshots.map((e) => e.status),
      ['partial', 'partial', 'partial', 'gap', 'gap'],
    );
    assert.equal(live.lifecycle.lastGoodSnapshot?.seq, 3);
    const reloaded = new LeakAnalyzer({ window: 4 });
    await loadSeriesInto(s.seriesDir!, reloaded, { window: 4 });
    assert.deepEqual(live.lifecycle, reloaded.report(live.target).lifecycle);
    await s.stop();
  });
});
