import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTargetConfigs, type TargetConfig } from '../../../src/core/editor/targetConfig';
import { WatchSession, type WatchSessionHost } from '../../../src/core/editor/watchSession';
import { LeakAnalyzer } from '../../../src/core/leak/leakAnalyzer';
import type { LeakReport } from '../../../src/core/leak/leakReport';
import { loadSeriesInto } from '../../../src/core/leak/loadSeries';
import { connectHost } from '../../../src/core/remote/openTarget';
import { listRemoteContainers } from '../../../src/core/remote/listRemoteContainers';
import { UnknownHostKeyError } from '../../../src/core/remote/remoteErrors';
import { readSeriesIndex } from '../../../src/core/series/seriesIndex';
import { startContainerHost } from '../../fixtures/containerHost';
import type { DockerStandIn } from '../../fixtures/dockerStandIn';
import { startEcuDemo, type EcuDemo } from '../../fixtures/ecuDemo';
import type { SshdFixture } from '../../fixtures/sshd';

/** A published report and the number of snapshots in the series when it was published. */
interface Published {
  snapshots: number;
  report: LeakReport;
}

function targetOf(raw: Record<string, unknown>): TargetConfig {
  const { targets, problems } = parseTargetConfigs([raw]);
  assert.deepEqual(problems, []);
  const t = targets[0];
  assert.ok(t);
  return t;
}

/**
 * The report the series folder gives when loaded from disk into a fresh analyzer, as the series stood after `n`
 * snapshots (a copy of the folder with the index cut at `n`): what the editor used to recompute after every snapshot.
 */
async function reportFromDisk(dir: string, n: number, window: number, label: string): Promise<LeakReport> {
  const index = await readSeriesIndex(dir);
  assert.ok(index);
  const copy = await fs.mkdtemp(path.join(os.tmpdir(), 'lh-watch-copy-'));
  try {
    for (const f of await fs.readdir(dir))
      if (f !== 'series.json' && f !== 'series.lock') await fs.copyFile(path.join(dir, f), path.join(copy, f));
    await fs.writeFile(
      path.join(copy, 'series.json'),
      JSON.stringify({ ...index, snapshots: index.snapshots.slice(0, n) }),
    );
    const analyzer = new LeakAnalyzer({ window });
    await loadSeriesInto(copy, analyzer, { window });
    return analyzer.report(label);
  } finally {
    await fs.rm(copy, { recursive: true, force: true });
  }
}

/** Counts the logins sshd accepted so far (its VERBOSE log has one "Accepted publickey" line per connection). */
async function acceptedLogins(f: SshdFixture): Promise<number> {
  const text = await fs.readFile(f.log, 'utf8');
  return text.split('\n').filter((l) => l.includes('Accepted publickey')).length;
}

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The editor's watch core (WatchSession) against the REAL demo service, over http and through a REAL loopback sshd.
 * The sshd host has no Docker engine, so `docker` there is a STAND-IN (test/fixtures/dockerStandIn.ts) printing the
 * recorded inspect output with the container's address and PID rewritten to the demo service on this machine.
 */
describe('WatchSession against the real demo service', function () {
  this.timeout(180_000);
  let demo: EcuDemo;
  let sshd: SshdFixture;
  let docker: DockerStandIn;
  let storage: string;
  let published: Published[];
  let changes: number;
  let session: WatchSession<string>;
  let logs: string[];

  const makeHost = (over: Partial<WatchSessionHost<string>> = {}): WatchSessionHost<string> => ({
    storageDir: storage,
    log: {
      debug: () => undefined,
      info: (m) => logs.push(`info ${m}`),
      warn: (m) => logs.push(`warn ${m}`),
      error: (m) => logs.push(`error ${m}`),
    },
    progress: { run: (_title, _where, task) => task() },
    // Only sites in the demo's own source map "into the workspace".
    resolver: { resolve: async (f) => (/ecu-demo\/.*\.go$/.test(f) ? `ws:${path.basename(f)}` : undefined) },
    prompts: {
      auth: { passphrase: async () => undefined, password: async () => undefined },
      unknownHostKey: async () => false,
    },
    changed: () => {
      changes++;
      if (session?.report && !published.some((p) => p.report === session.report)) {
        published.push({ snapshots: session.snapshots.length, report: session.report });
      }
    },
    ...over,
  });

  before(async () => {
    demo = await startEcuDemo();
    ({ docker, sshd } = await startContainerHost('ecu-telemetry', demo.pid));
  });
  after(async () => {
    await sshd?.stop();
    await docker?.remove();
    await demo?.stop();
  });
  beforeEach(async () => {
    storage = await fs.mkdtemp(path.join(os.tmpdir(), 'lh-watch-'));
    published = [];
    changes = 0;
    logs = [];
    session = new WatchSession(makeHost());
  });
  afterEach(async () => {
    await session.stop();
    await fs.rm(storage, { recursive: true, force: true });
  });

  const sshTarget = (extra: Record<string, unknown> = {}): TargetConfig =>
    targetOf({
      name: 'ecu over ssh',
      url: `ssh://${sshd.user}@127.0.0.1:${sshd.port}`,
      endpoint: demo.addr,
      identityFile: sshd.clientKey,
      ...extra,
    });

  it('over http: every report fed one snapshot at a time equals the report loaded from disk, past the window', async () => {
    const window = 3;
    await session.start(targetOf({ name: 'demo', url: demo.url }), { intervalMs: 250, window });
    assert.equal(session.states.get('demo')?.state, 'watching');
    await until('6 reports', () => published.length >= 6);
    await session.stop();
    assert.equal(session.states.get('demo')?.state, 'stopped');
    const dir = session.seriesDir;
    assert.ok(dir);
    assert.match(dir, new RegExp(`^${storage}/series/demo/`));
    const index = await readSeriesIndex(dir);
    assert.equal(index?.snapshots.length, session.snapshots.length);
    assert.ok(published.length >= 6);
    for (const p of published) {
      const disk = await reportFromDisk(dir, p.snapshots, window, index!.target);
      assert.deepEqual(p.report, disk, `report after ${p.snapshots} snapshots`);
    }
    // The window slid (more snapshots than it holds) and the analysis saw heap sites of the demo's own code.
    const last = published.at(-1)!;
    assert.equal(last.report.snapshots, window);
    assert.ok((last.report.heap?.totalInuseBytes ?? 0) > 0, 'the heap of the demo was analysed');
    assert.ok((last.report.goroutines?.total ?? 0) > 0, 'its goroutines too');
    // Each report covers a different stretch of the series, so the comparison above compared different things.
    assert.equal(new Set(published.map((p) => JSON.stringify(p.report))).size, published.length);
    assert.ok(session.sites.every((s) => s.uri === undefined || s.uri.startsWith('ws:')));
    // The lock is released after the stop.
    await assert.rejects(fs.stat(path.join(dir, 'series.lock')), { code: 'ENOENT' });
  });

  it('through the real sshd into the (stand-in) container: the same equality, cgroup figures read over SSH', async () => {
    const window = 4;
    await session.start(sshTarget({ container: 'ecu-telemetry' }), {
      intervalMs: 300,
      window,
      knownHostsFile: sshd.knownHosts,
    });
    await until('3 reports', () => published.length >= 3);
    await session.stop();
    const dir = session.seriesDir!;
    const index = await readSeriesIndex(dir);
    assert.match(index?.target ?? '', /^ssh:\/\/.* → 127\.0\.0\.1:\d+$/);
    for (const p of published) {
      assert.deepEqual(p.report, await reportFromDisk(dir, p.snapshots, window, index!.target));
    }
    assert.ok(
      index!.snapshots.some((s) => s.cgroup !== undefined),
      'the container PID was found with docker inspect and its cgroup read',
    );
  });

  it('reuses a connection handed over by Connect to Target: one login instead of two', async () => {
    const open = {
      target: sshTarget().spec,
      endpoint: demo.addr,
      identity: [sshd.clientKey],
      knownHosts: sshd.knownHosts,
      auth: makeHost().prompts.auth,
      logger: { trace: () => undefined },
    };
    // Without a hand-over: Connect to Target's listing login plus the watch's own.
    let before = await acceptedLogins(sshd);
    assert.deepEqual(
      (await listRemoteContainers(open)).map((c) => c.name),
      ['ecu-telemetry', 'cen'],
    );
    await session.start(sshTarget({ container: 'ecu-telemetry' }), {
      intervalMs: 300,
      window: 3,
      knownHostsFile: sshd.knownHosts,
    });
    await until('a report', () => published.length >= 1);
    await session.stop();
    await until('sshd logged the logins', async () => (await acceptedLogins(sshd)) >= before + 2, 5000);
    assert.equal((await acceptedLogins(sshd)) - before, 2);

    // With the hand-over: one login serves the listing and the whole watch.
    published = [];
    before = await acceptedLogins(sshd);
    const host = await connectHost(open);
    await session.start(sshTarget({ container: 'ecu-telemetry' }), {
      intervalMs: 300,
      window: 3,
      knownHostsFile: sshd.knownHosts,
      host,
    });
    await until('2 reports', () => published.length >= 2);
    await session.stop();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await acceptedLogins(sshd)) - before, 1);
    assert.ok(logs.some((l) => l.includes('over the open connection')));
  });

  it('a refused unknown host key fails the start with a typed error, state error, and no series folder', async () => {
    const empty = path.join(storage, 'known_hosts_empty');
    await fs.writeFile(empty, '');
    const asked: string[] = [];
    session = new WatchSession(
      makeHost({
        prompts: {
          auth: { passphrase: async () => undefined, password: async () => undefined },
          unknownHostKey: async (info) => {
            asked.push(info.fingerprint);
            return false;
          },
        },
      }),
    );
    await assert.rejects(
      session.start(sshTarget(), { intervalMs: 300, window: 3, knownHostsFile: empty }),
      UnknownHostKeyError,
    );
    assert.equal(asked.length, 1, 'the user was asked once');
    assert.equal(session.states.get('ecu over ssh')?.state, 'error');
    assert.equal(session.watching, false);
    await assert.rejects(fs.stat(path.join(storage, 'series')), { code: 'ENOENT' });
  });

  it('a handed-over connection is closed when the start fails (unknown container)', async () => {
    const host = await connectHost({
      target: sshTarget().spec,
      endpoint: demo.addr,
      identity: [sshd.clientKey],
      knownHosts: sshd.knownHosts,
      auth: makeHost().prompts.auth,
      logger: { trace: () => undefined },
    });
    const conn = await (
      host.target as unknown as { session: { connection(): Promise<{ closed: boolean }> } }
    ).session.connection();
    assert.equal(conn.closed, false);
    await assert.rejects(
      session.start(sshTarget({ container: 'no-such-container' }), {
        intervalMs: 300,
        window: 3,
        knownHostsFile: sshd.knownHosts,
        host,
      }),
    );
    assert.equal(session.states.get('ecu over ssh')?.state, 'error');
    await until('the connection closed', () => conn.closed, 5000);
  });

  it('a stop during a snapshot waits for it, records it, releases the lock and sends no later change', async () => {
    let inProgress!: () => void;
    const started = new Promise<void>((r) => (inProgress = r));
    session = new WatchSession(
      makeHost({
        progress: {
          run: (_title, where, task) => {
            if (where === 'window') inProgress();
            return task();
          },
        },
      }),
    );
    await session.start(targetOf({ name: 'demo', url: demo.url }), { intervalMs: 60_000, window: 3 });
    await started;
    assert.equal(published.length, 0, 'the first snapshot is still in progress');
    await session.stop();
    assert.equal(published.length, 1, 'the snapshot in progress was finished and analysed before the stop returned');
    assert.equal(session.states.get('demo')?.state, 'stopped');
    const index = await readSeriesIndex(session.seriesDir!);
    assert.deepEqual(
      index?.snapshots.map((s) => [s.seq, s.status]),
      [[1, 'ok']],
    );
    await assert.rejects(fs.stat(path.join(session.seriesDir!, 'series.lock')), { code: 'ENOENT' });
    const after = changes;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(changes, after);
    await assert.rejects(session.snapshotNow(), { name: 'NotWatchingError' });
  });
});
