import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTargetConfigs } from '../../../src/core/editor/targetConfig';
import { WatchSession, type WatchSessionHost } from '../../../src/core/editor/watchSession';
import { LeakAnalyzer } from '../../../src/core/leak/leakAnalyzer';
import { loadSeriesInto } from '../../../src/core/leak/loadSeries';
import { startContainerHost, type ContainerHost } from '../../fixtures/containerHost';
import { startEcuDemo, type EcuDemo } from '../../fixtures/ecuDemo';
import { oomKilledState, recordedInspectWithState } from '../../fixtures/recordedContainerStates';

/**
 * The editor's watch core gets docker's word too: a container target watched by WatchSession through the REAL sshd,
 * whose `docker` is the docker STAND-IN (test/fixtures/dockerStandIn.ts; no Docker engine here) answering the recorded
 * inspect for the real demo process. The process is SIGKILLed and the stand-in switched to docker's record of an OOM
 * kill: the live report says oom-killed from docker's state, as a reload of the series from disk does.
 */
describe('WatchSession: a container OOM-killed mid-watch (real sshd, docker STAND-IN)', function () {
  this.timeout(60_000);
  let demo: EcuDemo;
  let host: ContainerHost;
  let storage: string;
  let session: WatchSession<string>;

  before(async () => {
    demo = await startEcuDemo();
    host = await startContainerHost('ecu', demo.pid);
    storage = await fs.mkdtemp(path.join(os.tmpdir(), 'lh-watch-oom-'));
  });
  after(async () => {
    await session?.stop();
    await host?.stop();
    await demo?.stop();
    await fs.rm(storage, { recursive: true, force: true });
  });

  it("the live report is oom-killed on docker's word, equal to a reload from disk", async () => {
    const sessionHost: WatchSessionHost<string> = {
      storageDir: storage,
      log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      progress: { run: (_title, _where, task) => task() },
      resolver: { resolve: async () => undefined },
      prompts: {
        auth: { passphrase: async () => undefined, password: async () => undefined },
        unknownHostKey: async () => false,
      },
      changed: () => undefined,
    };
    session = new WatchSession(sessionHost);
    const { targets, problems } = parseTargetConfigs([
      {
        name: 'ecu',
        url: `ssh://${host.sshd.user}@127.0.0.1:${host.sshd.port}`,
        endpoint: demo.addr,
        identityFile: host.sshd.clientKey,
        container: 'ecu',
      },
    ]);
    assert.deepEqual(problems, []);
    await session.start(targets[0]!, { intervalMs: 60_000, window: 6, knownHostsFile: host.sshd.knownHosts });
    await session.snapshotNow();
    assert.equal(session.report?.lifecycle.state, 'running');

    await new Promise<void>((resolve) => {
      demo.proc.once('exit', () => resolve());
      process.kill(demo.pid, 'SIGKILL');
    });
    const diedAt = new Date().toISOString();
    await host.docker.answer(
      { ecu: [recordedInspectWithState('ecu', '127.0.0.1', oomKilledState('2019-03-07T03:59:12Z', diedAt))] },
      '',
    );
    const gap = await session.snapshotNow();
    assert.equal(gap.status, 'gap');
    assert.equal(gap.container?.state?.oomKilled, true);
    const live = session.report!;
    assert.equal(live.lifecycle.state, 'oom-killed', JSON.stringify(live.lifecycle, null, 1));
    assert.ok(live.lifecycle.evidence.some((e) => e.code === 'docker-oom-killed'));

    const dir = session.seriesDir!;
    const reloaded = new LeakAnalyzer({ window: 6 });
    await loadSeriesInto(dir, reloaded, { window: 6 });
    assert.deepEqual(reloaded.report('x').lifecycle, live.lifecycle);
  });
});
