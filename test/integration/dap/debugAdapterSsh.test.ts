import assert from 'node:assert/strict';
import net from 'node:net';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { HotpatchResult } from '../../../src/core/hotpatch/patchPool';
import { LeakhuntDebugSession } from '../../../src/dap/leakhuntDebugSession';
import { dlvPath, procStatus, runsFreely, waitFor } from '../../fixtures/delve';
import { ecuDemoDir, startEcuDemo, type EcuDemo } from '../../fixtures/ecuDemo';
import { startSshd, type SshdFixture } from '../../fixtures/sshd';
import { createDockerStandIn, recordedContainerAt, type DockerStandIn } from '../../fixtures/dockerStandIn';

describe('leakhunt debug adapter on an ssh:// target (DebugClient → adapter → real sshd → real dlv → real Go process)', function () {
  this.timeout(180_000);
  let sshd: SshdFixture;
  let server: net.Server;
  let dc: DebugClient;
  let demo: EcuDemo;

  let docker: DockerStandIn;

  before(async () => {
    // STAND-IN for docker on the SSH host (no Docker engine here): answers `docker inspect -- ecu-telemetry` with the
    // recorded real output of testdata/recorded, its State.Pid pointed at the demo started for each test.
    docker = await createDockerStandIn({}, '');
    sshd = await startSshd({ pathPrefix: docker.binDir });
  });
  after(async () => {
    await sshd?.stop();
    await docker?.remove();
  });
  beforeEach(async () => {
    demo = await startEcuDemo({ flags: ['-pool-gets-per-sec', '200'] });
    await docker.answer({ 'ecu-telemetry': [recordedContainerAt('ecu-telemetry', demo.pid)] }, '');
    // The host injects how to log in (here the fixture's ssh config with alias `ecu` and its known_hosts file).
    server = net.createServer((socket) => {
      const session = new LeakhuntDebugSession({ sshConfig: sshd.sshConfig, knownHosts: sshd.knownHosts });
      session.setRunAsServer(true);
      session.start(socket, socket);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dc = new DebugClient('node', 'unused-when-connecting-to-a-port', 'leakhunt');
    await dc.start((server.address() as net.AddressInfo).port);
  });
  afterEach(async () => {
    await dc.stop().catch(() => undefined);
    server.close();
    await demo.stop();
  });

  it('attaches through ssh://ecu, pauses, evaluates, hot-patches through the custom request, and detaches', async () => {
    await dc.initializeRequest();
    await Promise.all([
      dc.waitForEvent('initialized'),
      dc.attachRequest({
        target: 'ssh://ecu',
        pid: demo.pid,
        dlvPath: dlvPath(),
      } as DebugProtocol.AttachRequestArguments),
    ]);
    await dc.configurationDoneRequest();
    await waitFor(() => procStatus(demo.pid).tracerPid !== 0, 5000, 'dlv (started over SSH) to trace the target');
    const s0 = await demo.state();
    await new Promise((r) => setTimeout(r, 300));
    assert.ok((await demo.state()).pool_gets > s0.pool_gets, 'the target runs while attached');

    const [stopped] = await Promise.all([dc.waitForEvent('stopped'), dc.pauseRequest({ threadId: 0 })]);
    assert.equal((stopped.body as { reason: string }).reason, 'pause');
    assert.ok((await dc.threadsRequest()).body.threads.length > 5);
    const ev = await dc.evaluateRequest({ expression: 'pool.BufPool.New' });
    assert.equal(ev.body.result, 'example.com/ecu-demo/pool.leakyNew');
    await dc.continueRequest({ threadId: 0 });

    const r = (await dc.customRequest('hotPatchPool', {
      pool: 'pool.BufPool',
      with: 'pool.FixedNew',
      source: ecuDemoDir,
    })) as DebugProtocol.Response & { body: HotpatchResult };
    assert.equal(r.body.applied, true, r.body.error);
    assert.equal((await demo.state()).pool_new, 'example.com/ecu-demo/pool.fixedNew');

    await dc.disconnectRequest({ terminateDebuggee: true });
    await waitFor(() => runsFreely(demo.pid) === undefined, 5000, 'the target to run untraced');
    const s1 = await demo.state();
    await new Promise((res) => setTimeout(res, 300));
    assert.ok((await demo.state()).pool_gets > s1.pool_gets, 'disconnect never kills');
  });

  it('answers an unreachable or unknown ssh target with an error and attaches nothing', async () => {
    await dc.initializeRequest();
    await assert.rejects(
      dc.attachRequest({
        target: 'ssh://no-such-alias.invalid',
        pid: demo.pid,
        dlvPath: dlvPath(),
      } as DebugProtocol.AttachRequestArguments),
      /attach failed/,
    );
    await assert.rejects(
      dc.attachRequest({ target: 'http://127.0.0.1:1', pid: demo.pid } as DebugProtocol.AttachRequestArguments),
      /target must be "local" or ssh:\/\//,
    );
    assert.equal(procStatus(demo.pid).tracerPid, 0);
  });

  it('attaches by container: docker inspect on the SSH host gives the pid; bad names are refused before any command', async () => {
    await dc.initializeRequest();
    await assert.rejects(
      dc.attachRequest({ target: 'ssh://ecu', container: 'x; touch /tmp/pwn' } as DebugProtocol.AttachRequestArguments),
      /invalid container name/,
    );
    await assert.rejects(
      dc.attachRequest({
        target: 'ssh://ecu',
        container: 'no-such',
        dlvPath: dlvPath(),
      } as DebugProtocol.AttachRequestArguments),
      /attach failed: .*No such object: no-such/,
    );
    assert.equal(procStatus(demo.pid).tracerPid, 0);
    await Promise.all([
      dc.waitForEvent('initialized'),
      dc.attachRequest({
        target: 'ssh://ecu',
        container: 'ecu-telemetry',
        dlvPath: dlvPath(),
      } as DebugProtocol.AttachRequestArguments),
    ]);
    await waitFor(() => procStatus(demo.pid).tracerPid !== 0, 5000, 'dlv to trace the container main process');
    assert.deepEqual((await docker.calls()).at(-1), ['inspect', '--', 'ecu-telemetry']);
    await dc.disconnectRequest({});
    await waitFor(() => runsFreely(demo.pid) === undefined, 5000, 'the target to run untraced');
  });
});
