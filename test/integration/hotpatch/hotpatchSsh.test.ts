import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hotpatchPool, rollbackPool } from '../../../src/core/hotpatch/patchPool';
import { RemoteDelveHost, remoteAccess, sshShell } from '../../../src/core/hotpatch/remoteAccess';
import type { OpenedSsh } from '../../../src/core/remote/openSshSession';
import { dlvPath, procStatus, runsFreely, waitFor } from '../../fixtures/delve';
import { ecuDemoDir, startEcuDemo, type EcuDemo } from '../../fixtures/ecuDemo';
import { startEcuDemoAsNobody } from '../../fixtures/foreignEcuDemo';
import { runCliCaptured } from '../../fixtures/runCliCaptured';
import { sweepAttachTimeouts } from '../../fixtures/attachTimeoutSweep';
import { startSshd, type SshdFixture } from '../../fixtures/sshd';
import { loginTo } from '../../fixtures/sshLogin';

interface CliJson {
  applied: boolean;
  refused: boolean;
  checks: { name: string; passed: boolean; detail: string }[];
  before: { function: string } | null;
  after: { function: string } | null;
  frozenMs: number | null;
  error?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('hot patch through SSH: dlv started by exec (pty) on the host as the login user, JSON-RPC through forwardOut (real sshd, real dlv, product SshConnection)', function () {
  this.timeout(240_000);
  let sshd: SshdFixture;
  let ssh: OpenedSsh;
  let demo: EcuDemo;
  let out: string;

  const open = (): Promise<OpenedSsh> => loginTo(sshd);

  before(async () => {
    sshd = await startSshd();
    ssh = await open();
  });
  after(async () => {
    ssh?.session.close();
    await sshd?.stop();
  });
  beforeEach(async () => {
    demo = await startEcuDemo({ flags: ['-pool-gets-per-sec', '200', '-can-leak-per-sec', '1'] });
    out = mkdtempSync(path.join(tmpdir(), 'lh-ssh-'));
    await waitFor(async () => (await demo.state()).pool_buffers_retained > 0, 10_000, 'first pool misses');
  });
  afterEach(async () => {
    await demo.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it('patches the demo pool on the SSH host, retention stops, then rolls back; the target ends untraced', async () => {
    const access = remoteAccess(sshShell(ssh.connection, ssh.label));
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
    await sleep(1000);
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

  it('leakhunt hotpatch ssh://... and leakhunt rollback ssh://... (CLI, same SSH options as watch)', async () => {
    const target = `ssh://${sshd.user}@${sshd.host}:${sshd.port}`;
    const sshArgs = ['--identity', sshd.clientKey, '--known-hosts', sshd.knownHosts, '--ssh-config', sshd.sshConfig];
    const common = ['--pid', String(demo.pid), '--out', out, '--format', 'json', '--dlv', dlvPath(), '--yes'];
    const before = await demo.state();
    const r = await runCliCaptured([
      'hotpatch',
      target,
      ...sshArgs,
      ...common,
      '--pool',
      'pool.BufPool',
      '--with',
      'pool.FixedNew',
      '--source',
      ecuDemoDir,
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const json = JSON.parse(r.stdout) as CliJson;
    assert.equal(json.applied, true);
    assert.equal(json.before?.function, 'example.com/ecu-demo/pool.leakyNew');
    assert.equal(json.after?.function, 'example.com/ecu-demo/pool.fixedNew');
    assert.ok(typeof json.frozenMs === 'number' && json.frozenMs > 0);
    await waitFor(() => procStatus(demo.pid).tracerPid === 0, 5000, 'TracerPid: 0');
    assert.match(readFileSync(`/proc/${demo.pid}/status`, 'utf8'), /^TracerPid:\s+0$/m);
    const s1 = await demo.state();
    assert.ok(s1.pool_buffers_retained >= before.pool_buffers_retained);
    await sleep(1000);
    const s2 = await demo.state();
    assert.ok(s2.pool_gets > s1.pool_gets, 'the pool is still used');
    assert.equal(s2.pool_buffers_retained, s1.pool_buffers_retained, 'retention stopped');
    const audit = readFileSync(path.join(out, 'audit.jsonl'), 'utf8').trim().split('\n');
    assert.match((JSON.parse(audit[0] ?? '{}') as { target: { host: string } }).target.host, /^ssh:\/\//);

    const rb = await runCliCaptured(['rollback', target, ...sshArgs, ...common]);
    assert.equal(rb.code, 0, rb.stdout + rb.stderr);
    assert.equal((JSON.parse(rb.stdout) as CliJson).applied, true);
    assert.equal((await demo.state()).pool_new, 'example.com/ecu-demo/pool.leakyNew');
    await waitFor(() => procStatus(demo.pid).tracerPid === 0, 5000, 'TracerPid: 0 after rollback');
    const s3 = await demo.state();
    await sleep(1000);
    assert.ok((await demo.state()).pool_buffers_retained > s3.pool_buffers_retained, 'the leak is back after rollback');
  });

  it('an unknown host key is refused by the CLI unless --accept-new-host-key (nothing is attached)', async () => {
    const empty = path.join(out, 'known_hosts');
    const args = (extra: string[]): string[] => [
      'hotpatch',
      `ssh://${sshd.user}@${sshd.host}:${sshd.port}`,
      '--identity',
      sshd.clientKey,
      '--known-hosts',
      empty,
      '--ssh-config',
      sshd.sshConfig,
      '--pid',
      String(demo.pid),
      '--pool',
      'pool.BufPool',
      '--with',
      'pool.FixedNew',
      '--source',
      ecuDemoDir,
      '--dlv',
      dlvPath(),
      '--dry-run',
      ...extra,
    ];
    const r = await runCliCaptured(args([]));
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /host key/i);
    assert.equal(procStatus(demo.pid).tracerPid, 0);
    assert.equal(existsSync(empty), false);

    const ok = await runCliCaptured(args(['--accept-new-host-key', '--format', 'json']));
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stderr, /recording new host key/);
    assert.match(readFileSync(empty, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 `, 'm'));
    const json = JSON.parse(ok.stdout) as CliJson;
    assert.equal(json.applied, false);
    assert.ok(json.checks.every((c) => c.passed));
    assert.equal((await demo.state()).pool_new, 'example.com/ecu-demo/pool.leakyNew');
    await waitFor(() => procStatus(demo.pid).tracerPid === 0, 5000, 'TracerPid: 0 after the dry run');
  });

  it('dropping the SSH channel of dlv mid-patch (pty hang-up) leaves the target running, unpatched', async () => {
    let haltedState = '';
    const r = await hotpatchPool({
      pid: demo.pid,
      pool: 'pool.BufPool',
      with: 'pool.FixedNew',
      source: ecuDemoDir,
      dlvPath: dlvPath(),
      access: remoteAccess(sshShell(ssh.connection, ssh.label)),
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
    await sleep(300);
    assert.ok((await demo.state()).pool_gets > s1.pool_gets);
  });

  it('killing the whole SSH connection mid-patch (target halted) leaves the target running, unpatched', async () => {
    const own = await open();
    let haltedState = '';
    const r = await hotpatchPool({
      pid: demo.pid,
      pool: 'pool.BufPool',
      with: 'pool.FixedNew',
      source: ecuDemoDir,
      dlvPath: dlvPath(),
      access: remoteAccess(sshShell(own.connection, own.label)),
      rpcTimeoutMs: 3000,
      onHalted: async () => {
        haltedState = procStatus(demo.pid).state;
        own.session.close();
      },
    });
    assert.equal(haltedState, 't');
    assert.equal(r.applied, false);
    assert.ok(r.error);
    await waitFor(() => runsFreely(demo.pid) === undefined, 10_000, 'the target to run untraced');
    assert.equal(procStatus(demo.pid).tracerPid, 0);
    const s1 = await demo.state();
    assert.equal(s1.pool_new, 'example.com/ecu-demo/pool.leakyNew');
    await sleep(300);
    assert.ok((await demo.state()).pool_gets > s1.pool_gets);
  });
  // The SSH twin of attachKilledMidway.test.ts: a remote dlv killed by the attach timeout between PTRACE_ATTACH and
  // its first wait leaves the target in a job-control stop with no tracer; startDelve resumes it with `kill -CONT`.
  it('an attach that times out on the SSH host at any moment never leaves the target stopped', async () => {
    const host = new RemoteDelveHost(sshShell(ssh.connection, ssh.label));
    await sweepAttachTimeouts(host, demo, { fromMs: 100, toMs: 900, stepMs: 40, settleMs: 5000 });
  });
});

describe("hot patch through SSH refuses another user's process (dlv would run as the login user)", function () {
  this.timeout(120_000);
  let sshd: SshdFixture;
  let foreign: EcuDemo;
  before(async () => {
    sshd = await startSshd();
    foreign = await startEcuDemoAsNobody();
  });
  after(async () => {
    await foreign?.stop();
    await sshd?.stop();
  });

  it('says to log in as the owner, even when the login (root here) could trace it; nothing is attached', async () => {
    const pid = (await foreign.state()).pid;
    const r = await runCliCaptured([
      'hotpatch',
      `ssh://${sshd.user}@${sshd.host}:${sshd.port}`,
      '--identity',
      sshd.clientKey,
      '--known-hosts',
      sshd.knownHosts,
      '--ssh-config',
      sshd.sshConfig,
      '--pid',
      String(pid),
      '--pool',
      'pool.BufPool',
      '--with',
      'pool.FixedNew',
      '--source',
      ecuDemoDir,
      '--dlv',
      dlvPath(),
      '--yes',
      '--format',
      'json',
    ]);
    const json = JSON.parse(r.stdout) as CliJson;
    assert.equal(json.applied, false);
    assert.match(json.error ?? '', /belongs to uid 65534, but the SSH login is uid \d+; log in as the process's owner/);
    assert.equal(procStatus(pid).tracerPid, 0);
  });
});
