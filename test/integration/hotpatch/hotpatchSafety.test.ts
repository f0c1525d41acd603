import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { LocalDelveHost, startDelve, type HostProcess } from '../../../src/core/hotpatch/delveProcess';
import { HotpatchError, NoDebugInfoError, PtraceDeniedError } from '../../../src/core/hotpatch/hotpatchErrors';
import { hotpatchPool } from '../../../src/core/hotpatch/patchPool';
import { dlvPath, procStatus, runsFreely, waitFor } from '../../fixtures/delve';
import { buildEcuDemo, ecuDemoDir, repoRoot, startEcuDemo, startGoService, type EcuDemo } from '../../fixtures/ecuDemo';
import { startEcuDemoAsNobody } from '../../fixtures/foreignEcuDemo';
import { runCliCaptured } from '../../fixtures/runCliCaptured';

const execFileP = promisify(execFile);

/** Runs dlv (or any host program) with CAP_SYS_PTRACE dropped from every set, through setpriv (argv, no shell). */
class NoPtraceCapHost extends LocalDelveHost {
  override spawn(file: string, args: string[]): HostProcess {
    return super.spawn('setpriv', ['--inh-caps=-sys_ptrace', '--bounding-set=-sys_ptrace', '--', file, ...args]);
  }
}

describe('hot patch safety: the target is never left stopped (real dlv, real Go processes)', function () {
  this.timeout(240_000);
  let out: string;
  before(() => {
    out = mkdtempSync(path.join(tmpdir(), 'lh-safety-'));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  describe('on the demo service', () => {
    let demo: EcuDemo;
    beforeEach(async () => {
      demo = await startEcuDemo({ flags: ['-pool-gets-per-sec', '200', '-can-leak-per-sec', '1'] });
    });
    afterEach(async () => demo?.stop());

    it('killing dlv in the middle of the patch (target halted) leaves the target running, unpatched', async () => {
      let haltedState = '';
      let killed: Promise<unknown> | undefined;
      const r = await hotpatchPool({
        pid: demo.pid,
        pool: 'pool.BufPool',
        with: 'pool.FixedNew',
        source: ecuDemoDir,
        dlvPath: dlvPath(),
        auditDir: out,
        rpcTimeoutMs: 3000,
        onHalted: async (session) => {
          haltedState = procStatus(demo.pid).state;
          session.process.kill();
          killed = session.process.exited;
          await killed;
        },
      });
      assert.equal(haltedState, 't', 'the target really was halted when dlv died');
      assert.equal(r.applied, false);
      assert.ok(r.error, 'the failure is reported');
      assert.equal(r.errorCode, 'connection-lost');
      await waitFor(() => runsFreely(demo.pid) === undefined, 5000, 'the target to run untraced');
      const s1 = await demo.state();
      assert.equal(s1.pool_new, 'example.com/ecu-demo/pool.leakyNew');
      await new Promise((res) => setTimeout(res, 500));
      assert.ok((await demo.state()).pool_gets > s1.pool_gets, 'the target makes progress');
    });

    it('a leakhunt process that exits while attached takes its dlv with it, so the target ends untraced', async () => {
      const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
      const { stdout } = await execFileP(tsx, [
        path.join(repoRoot, 'test', 'fixtures', 'attachAndExit.ts'),
        String(demo.pid),
        dlvPath(),
      ]);
      assert.equal(stdout.trim(), 'attached');
      await waitFor(() => runsFreely(demo.pid) === undefined, 5000, 'the target to be released');
      const s1 = await demo.state();
      await new Promise((res) => setTimeout(res, 300));
      assert.ok((await demo.state()).pool_gets > s1.pool_gets);
    });

    it('a leakhunt process killed by SIGTERM while attached takes its dlv with it', async () => {
      // node itself (no tsx wrapper process in between), so the signal reaches the process that owns dlv.
      const child = spawn(process.execPath, [
        '--import',
        'tsx',
        path.join(repoRoot, 'test', 'fixtures', 'attachAndExit.ts'),
        String(demo.pid),
        dlvPath(),
        'sigterm',
      ]);
      const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, sig) => r(sig)));
      await new Promise<void>((resolve) =>
        child.stdout.on('data', (d: Buffer) => d.toString().includes('attached') && resolve()),
      );
      assert.ok(runsFreely(demo.pid) !== undefined, 'dlv traces the target');
      child.kill('SIGTERM');
      await exited;
      await waitFor(() => runsFreely(demo.pid) === undefined, 5000, 'the target to be released');
    });

    it('an attach that times out kills dlv and the target runs on', async () => {
      // Delve listens within ~20 ms but needs ~0.7 s to attach and load DWARF here; 100 ms cuts it off mid-attach.
      const outcome = await startDelve(new LocalDelveHost(), {
        pid: demo.pid,
        dlvPath: dlvPath(),
        attachTimeoutMs: 100,
      }).then(
        async (session) => {
          await session.dispose(); // never leave it attached, even if this machine attached in time
          return undefined;
        },
        (e: unknown) => e,
      );
      assert.ok(
        outcome instanceof HotpatchError && outcome.code === 'dlv-start' && /within 100 ms/.test(outcome.message),
        String(outcome),
      );
      await waitFor(() => runsFreely(demo.pid) === undefined, 5000, 'the target to run untraced');
      assert.ok((await demo.state()).pool_gets >= 0);
    });

    it('reports a missing dlv with how to install it', async () => {
      const r = await hotpatchPool({
        pid: demo.pid,
        pool: 'pool.BufPool',
        with: 'pool.FixedNew',
        source: ecuDemoDir,
        dlvPath: path.join(out, 'no-such-dlv'),
      });
      assert.equal(r.errorCode, 'dlv-missing');
      assert.match(r.error ?? '', /go install github\.com\/go-delve\/delve\/cmd\/dlv@v1\.27\.2/);
      assert.equal(runsFreely(demo.pid), undefined);
    });
  });

  it('a stripped binary gets the clear error before any attach and runs on', async () => {
    const stripped = await startEcuDemo({ buildFlags: ['-ldflags=-s -w'] });
    try {
      const r = await runCliCaptured([
        'hotpatch',
        'local',
        '--pid',
        String(stripped.pid),
        '--pool',
        'pool.BufPool',
        '--with',
        'pool.FixedNew',
        '--source',
        ecuDemoDir,
        '--yes',
        '--format',
        'json',
        '--out',
        out,
        '--dlv',
        dlvPath(),
      ]);
      const json = JSON.parse(r.stdout) as { checks: { name: string; passed: boolean; detail: string }[] };
      assert.equal(r.code, 2, r.stdout);
      const dbg = json.checks.find((c) => c.name === 'debug-info');
      assert.equal(dbg?.passed, false);
      assert.match(dbg.detail, /no debug info \(DWARF\).*-s -w.*objcopy --only-keep-debug.*--add-gnu-debuglink/);
      assert.equal(runsFreely(stripped.pid), undefined);
      assert.ok((await stripped.state()).pool_gets >= 0, 'still serving');

      // Delve 1.27.2 itself attaches to a stripped binary with only a warning; startDelve maps it and lets go.
      await assert.rejects(
        startDelve(new LocalDelveHost(), { pid: stripped.pid, dlvPath: dlvPath() }),
        NoDebugInfoError,
      );
      await waitFor(() => runsFreely(stripped.pid) === undefined, 5000, 'the stripped target to run untraced');
      assert.ok((await stripped.state()).pool_gets >= 0, 'still serving after the refused attach');
    } finally {
      await stripped.stop();
    }
  });

  it('a binary with split debug info (objcopy + .gnu_debuglink) passes the debug-info check', async () => {
    const bin = await buildEcuDemo();
    const dir = mkdtempSync(path.join(tmpdir(), 'lh-split-'));
    try {
      const split = path.join(dir, 'ecu-demo');
      await execFileP('objcopy', ['--only-keep-debug', bin, `${split}.debug`]);
      await execFileP('objcopy', ['--strip-debug', `--add-gnu-debuglink=${split}.debug`, bin, split]);
      const svc = await startGoService(split, ['-addr', '127.0.0.1:0']);
      try {
        const r = await hotpatchPool({
          pid: svc.pid,
          pool: 'pool.BufPool',
          with: 'pool.FixedNew',
          source: ecuDemoDir,
          dlvPath: dlvPath(),
          dryRun: true,
        });
        const dbg = r.checks.find((c) => c.name === 'debug-info');
        assert.equal(dbg?.passed, true, JSON.stringify(r.checks));
        assert.match(dbg.detail, /split debug info found \(ecu-demo\.debug\)/);
        assert.equal(r.error, undefined, r.error);
        assert.ok(r.checks.find((c) => c.name === 'pool-type')?.passed, 'Delve read the pool through the debug link');
        assert.equal(runsFreely(svc.pid), undefined);
      } finally {
        await svc.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("another user's process (demo run as nobody through setpriv)", () => {
    let foreign: EcuDemo;
    before(async () => {
      foreign = await startEcuDemoAsNobody();
    });
    after(async () => foreign?.stop());

    it('names CAP_SYS_PTRACE when dlv may not trace it', async () => {
      // setpriv execs the demo, so the pid is the demo's; ask /state which pid serves.
      const pid = (await foreign.state()).pid;
      await assert.rejects(
        startDelve(new NoPtraceCapHost(), { pid, dlvPath: dlvPath() }),
        (e: unknown) =>
          e instanceof PtraceDeniedError && /CAP_SYS_PTRACE/.test(e.message) && /--cap-add=SYS_PTRACE/.test(e.message),
      );
      assert.equal(runsFreely(pid), undefined);
    });

    it("refuses before attaching when leakhunt lacks CAP_SYS_PTRACE for another user's process", async () => {
      const pid = (await foreign.state()).pid;
      const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
      const res = await execFileP(
        'setpriv',
        [
          '--inh-caps=-sys_ptrace',
          '--bounding-set=-sys_ptrace',
          '--',
          tsx,
          path.join(repoRoot, 'src', 'cli', 'main.ts'),
          'hotpatch',
          'local',
          '--pid',
          String(pid),
          '--pool',
          'pool.BufPool',
          '--with',
          'pool.FixedNew',
          '--source',
          ecuDemoDir,
          '--yes',
          '--format',
          'json',
          '--dlv',
          dlvPath(),
        ],
        { cwd: out },
      ).then(
        (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      assert.equal(res.code, 1, `${res.stdout}${res.stderr}`);
      const json = JSON.parse(res.stdout) as { error: string; errorCode: string };
      assert.equal(json.errorCode, 'foreign-process');
      assert.match(json.error, /belongs to uid 65534.*without CAP_SYS_PTRACE/);
      assert.equal(runsFreely(pid), undefined);
    });
  });
});
