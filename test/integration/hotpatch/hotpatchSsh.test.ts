import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hotpatchPool, rollbackPool } from '../../../src/core/hotpatch/patchPool';
import { remoteAccess } from '../../../src/core/hotpatch/remoteAccess';
import { dlvPath, procStatus, runsFreely, waitFor } from '../../fixtures/delve';
import { ecuDemoDir, startEcuDemo, type EcuDemo } from '../../fixtures/ecuDemo';
import { connectSsh2Shell } from '../../fixtures/ssh2Shell';
import { startSshd, type SshdFixture } from '../../fixtures/sshd';

describe('hot patch through SSH: dlv started by exec on the host, JSON-RPC through forwardOut (real sshd, real dlv)', function () {
  this.timeout(180_000);
  let sshd: SshdFixture;
  let shell: Awaited<ReturnType<typeof connectSsh2Shell>>;
  let demo: EcuDemo;
  let out: string;

  before(async () => {
    sshd = await startSshd();
    shell = await connectSsh2Shell(sshd);
  });
  after(async () => {
    shell?.close();
    await sshd?.stop();
  });
  beforeEach(async () => {
    demo = await startEcuDemo({ flags: ['-pool-gets-per-sec', '200', '-can-leak-per-sec', '1'] });
    out = mkdtempSync(path.join(tmpdir(), 'lh-ssh-'));
  });
  afterEach(async () => {
    await demo.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it('patches the demo pool on the SSH host, retention stops, then rolls back; the target ends untraced', async () => {
    const access = remoteAccess(shell);
    const r = await hotpatchPool({
      pid: demo.pid,
      pool: 'pool.BufPool',
      with: 'pool.FixedNew',
      source: ecuDemoDir,
      dlvPath: dlvPath(),
      access,
      auditDir: out,
    });
    assert.equal(r.applied, true, r.error);
    assert.ok(r.checks.every((c) => c.passed));
    assert.equal(r.after?.function, 'example.com/ecu-demo/pool.fixedNew');
    await waitFor(() => runsFreely(demo.pid) === undefined, 5000, 'the target to run untraced');
    const s1 = await demo.state();
    assert.equal(s1.pool_new, 'example.com/ecu-demo/pool.fixedNew');
    await new Promise((res) => setTimeout(res, 1000));
    const s2 = await demo.state();
    assert.ok(s2.pool_gets > s1.pool_gets);
    assert.equal(s2.pool_buffers_retained, s1.pool_buffers_retained);
    const audit = JSON.parse(readFileSync(path.join(out, 'audit.jsonl'), 'utf8').trim()) as {
      target: { host: string };
    };
    assert.match(audit.target.host, /^ssh:\/\/.*@127\.0\.0\.1:\d+$/);

    const rb = await rollbackPool({ pid: demo.pid, auditDir: out, dlvPath: dlvPath(), access });
    assert.equal(rb.applied, true, rb.error);
    assert.equal((await demo.state()).pool_new, 'example.com/ecu-demo/pool.leakyNew');
    await waitFor(() => runsFreely(demo.pid) === undefined, 5000, 'the target to run untraced');
  });

  it('dropping the SSH channel of dlv mid-patch (pty hang-up) leaves the target running, unpatched', async () => {
    let haltedState = '';
    const r = await hotpatchPool({
      pid: demo.pid,
      pool: 'pool.BufPool',
      with: 'pool.FixedNew',
      source: ecuDemoDir,
      dlvPath: dlvPath(),
      access: remoteAccess(shell),
      rpcTimeoutMs: 3000,
      onHalted: async (session) => {
        haltedState = procStatus(demo.pid).state;
        session.process.kill();
        await session.process.exited;
      },
    });
    assert.equal(haltedState, 't');
    assert.equal(r.applied, false);
    assert.ok(r.error);
    await waitFor(() => runsFreely(demo.pid) === undefined, 10_000, 'the target to run untraced');
    const s1 = await demo.state();
    assert.equal(s1.pool_new, 'example.com/ecu-demo/pool.leakyNew');
    await new Promise((res) => setTimeout(res, 300));
    assert.ok((await demo.state()).pool_gets > s1.pool_gets);
  });
});
