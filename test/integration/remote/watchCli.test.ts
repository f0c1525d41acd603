import * as assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { runCli } from '../../../src/cli/runCli';
import type { WatchReport } from '../../../src/core/report/watchReport';
import type { SeriesIndex } from '../../../src/core/series/seriesIndex';
import { repoRoot, startEcuDemo, type EcuDemo } from '../../fixtures/ecuDemo';
import { createMemoryCgroup, type MemoryCgroupFixture } from '../../fixtures/memoryCgroup';
import { startSshAgent, type SshAgentFixture } from '../../fixtures/sshAgent';
import { startSshd, TEST_KEY_PASSPHRASE, type SshdFixture } from '../../fixtures/sshd';

const CLI = path.join(repoRoot, 'dist', 'cli.js');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment without the developer's agent, so only what a test gives is used. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('SSH_AUTH_SOCK' in extra)) delete env['SSH_AUTH_SOCK'];
  return env;
}

function startCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): { proc: ChildProcess; done: Promise<CliRun> } {
  const proc = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliRun>((resolve) => proc.on('close', (code) => resolve({ code, stdout, stderr })));
  return { proc, done };
}

function cli(args: string[], env?: NodeJS.ProcessEnv): Promise<CliRun> {
  return startCli(args, env).done;
}

async function readIndex(dir: string): Promise<SeriesIndex | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, 'series.json'), 'utf8')) as SeriesIndex;
  } catch {
    return undefined;
  }
}

async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits (up to 30 s) until the series index in `dir` lists at least `n` snapshots, and returns that index. */
function waitForSnapshots(dir: string, n: number, what: string): Promise<SeriesIndex> {
  return waitFor(
    async () => {
      const i = await readIndex(dir);
      return i && i.snapshots.length >= n ? i : undefined;
    },
    30000,
    what,
  );
}

/** Asserts that every file the given index entries name still has the sha256 the index recorded for it. */
async function assertSnapshotFilesIntact(dir: string, snapshots: SeriesIndex['snapshots']): Promise<void> {
  for (const s of snapshots) {
    for (const [k, file] of Object.entries(s.files)) {
      const data = await fs.readFile(path.join(dir, file));
      assert.equal(createHashHex(data), s.sha256[k as keyof typeof s.sha256], `${file} intact`);
    }
  }
}

describe('leakhunt watch / collect over a real sshd against the real demo service', function () {
  this.timeout(180000);
  let f: SshdFixture;
  let demo: EcuDemo;
  let cg: MemoryCgroupFixture;
  let tmp: string;
  const LIMIT = 448 * 1024 * 1024;

  before(async () => {
    if (!existsSync(CLI)) execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'ignore' });
    [f, demo] = await Promise.all([startSshd(), startEcuDemo()]);
    cg = await createMemoryCgroup(LIMIT);
    await cg.add(demo.pid);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'lh-watch-'));
  });
  after(async () => {
    await cg?.remove();
    await demo?.stop();
    await f?.stop();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  const endpoint = (): string => demo.addr;
  const common = (): string[] => ['--ssh-config', f.sshConfig, '--known-hosts', f.knownHosts, '--endpoint', endpoint()];
  const out = (name: string): string => path.join(tmp, name);

  it('direct: collects over SSH and reports snapshots and the real v1 cgroup read over SSH', async () => {
    const dir = out('direct');
    const r = await cli([
      'watch',
      'ssh://ecu',
      ...common(),
      '--pid',
      String(demo.pid),
      '--interval',
      '300ms',
      '--count',
      '2',
      '--out',
      dir,
      '--format',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as WatchReport;
    assert.equal(rep.snapshots, 2);
    assert.equal(rep.gaps, 0);
    assert.equal(rep.container.cgroup, 'v1');
    assert.equal(rep.container.cgroupPath, cg.path);
    assert.equal(rep.container.memoryMax, LIMIT);
    assert.ok((rep.container.memoryCurrent ?? 0) > 0);
    // watch ends with the leak analysis of what it collected (collect does not).
    const leak = rep.sections.find((s) => s.id === 'leak')?.data as
      { snapshots: number; goroutines: { total: number } | null } | undefined;
    assert.ok(leak, 'watch report has a leak section');
    assert.equal(leak.snapshots, 2);
    assert.ok((leak.goroutines?.total ?? 0) > 0);
    const idx = await readIndex(dir);
    assert.equal(idx?.snapshots.length, 2);
    assert.ok(idx?.snapshots.every((s) => s.files.heap && existsSync(path.join(dir, s.files.heap))));
    assert.equal(existsSync(path.join(dir, 'series.lock')), false);
  });

  it('local http:// target with --pid reads the same cgroup directly; markdown and text formats', async () => {
    const r = await cli([
      'collect',
      demo.url,
      '--pid',
      String(demo.pid),
      '--interval',
      '200ms',
      '--count',
      '1',
      '--out',
      out('local'),
      '--format',
      'markdown',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^# leakhunt collect report/);
    assert.ok(!r.stdout.includes('Leak analysis'), 'collect does no analysis');
    assert.match(r.stdout, /\| cgroup \| v1 /);
    assert.ok(r.stdout.includes(`| snapshots | 1 (1 this run`));
    const t = await cli(['watch', demo.url, '--count', '1', '--interval', '100ms']);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /snapshots +1 \(1 this run/);
    assert.match(t.stdout, /cgroup +none \(no PID known/);
    const tempDir = /→ (\S+)/.exec(t.stderr)?.[1] ?? '';
    assert.match(tempDir, /leakhunt-series-/, 'names the temp folder it wrote');
    assert.equal((await readIndex(tempDir))?.snapshots.length, 1);
    await fs.rm(tempDir, { recursive: true, force: true });
  });

  it('ProxyJump through an alias of the same server', async () => {
    const r = await cli([
      'watch',
      'ssh://ecu-via-gw',
      ...common(),
      '--count',
      '1',
      '--out',
      out('jump'),
      '--format',
      'json',
      '--trace',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as WatchReport).snapshots, 1);
    assert.match(r.stderr, /forwarding to hop ecu-via-gw .* through gw/);
  });

  it('agent authentication with a real ssh-agent', async () => {
    let agent: SshAgentFixture | undefined;
    try {
      agent = await startSshAgent();
      await agent.add(f.clientKey);
      const args = [
        'watch',
        `ssh://${f.user}@127.0.0.1:${f.port}`,
        '--ssh-config',
        '/dev/null',
        '--known-hosts',
        f.knownHosts,
      ];
      const r = await cli(
        [...args, '--endpoint', endpoint(), '--count', '1', '--out', out('agent'), '--trace'],
        cleanEnv({ SSH_AUTH_SOCK: agent.sock }),
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /authenticated to .* \(agent\)/);
      // Same command without the agent cannot log in: the agent was what authenticated.
      const no = await cli([...args, '--endpoint', endpoint(), '--count', '1', '--out', out('agent-none')]);
      assert.equal(no.code, 1);
      assert.match(no.stderr, /SshAuthError/);
    } finally {
      await agent?.stop();
    }
  });

  it('key with a passphrase (from LEAKHUNT_SSH_PASSPHRASE, never echoed)', async () => {
    const args = [
      'watch',
      `ssh://${f.user}@127.0.0.1:${f.port}`,
      '--ssh-config',
      '/dev/null',
      '--known-hosts',
      f.knownHosts,
      '--identity',
      f.passphraseKey,
    ];
    const r = await cli(
      [...args, '--endpoint', endpoint(), '--count', '1', '--out', out('pass'), '--trace'],
      cleanEnv({ LEAKHUNT_SSH_PASSPHRASE: TEST_KEY_PASSPHRASE }),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stderr.includes(TEST_KEY_PASSPHRASE) && !r.stdout.includes(TEST_KEY_PASSPHRASE));
    const idx = JSON.stringify(await readIndex(out('pass')));
    assert.ok(!idx.includes(TEST_KEY_PASSPHRASE));
    const wrong = await cli(
      [...args, '--endpoint', endpoint(), '--count', '1', '--out', out('pass-wrong')],
      cleanEnv({ LEAKHUNT_SSH_PASSPHRASE: 'nope' }),
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /SshAuthError/);
  });

  it('changed host key: refused with a clear error, nothing collected', async () => {
    const dir = out('changed');
    const r = await cli([
      'watch',
      'ssh://ecu',
      '--ssh-config',
      f.sshConfig,
      '--known-hosts',
      f.changedKnownHosts,
      '--accept-new-host-key',
      '--endpoint',
      endpoint(),
      '--count',
      '1',
      '--out',
      dir,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /HostKeyMismatchError: REMOTE HOST KEY HAS CHANGED for \[127\.0\.0\.1\]:\d+/);
    assert.equal(existsSync(dir), false);
    assert.equal(r.stdout, '');
  });

  it('unknown host key: refused, then accepted and recorded with --accept-new-host-key', async () => {
    const kh = path.join(tmp, 'kh-empty');
    await fs.writeFile(kh, '');
    const base = [
      'watch',
      'ssh://ecu',
      '--ssh-config',
      f.sshConfig,
      '--known-hosts',
      kh,
      '--endpoint',
      endpoint(),
      '--count',
      '1',
    ];
    const r1 = await cli([...base, '--out', out('unknown1')]);
    assert.equal(r1.code, 1);
    assert.match(r1.stderr, /UnknownHostKeyError: .*--accept-new-host-key/);
    assert.equal(existsSync(out('unknown1')), false);
    const r2 = await cli([...base, '--out', out('unknown2'), '--accept-new-host-key']);
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stderr, /recording new host key for \[127\.0\.0\.1\]:\d+ \(ssh-ed25519 SHA256:/);
    assert.equal((await fs.readFile(kh, 'utf8')).trim(), `[127.0.0.1]:${f.port} ${f.hostPublicKey}`);
    const r3 = await cli([...base, '--out', out('unknown3')]);
    assert.equal(r3.code, 0, r3.stderr);
  });

  it('unknown host keys on a ProxyJump route: refused on the jump hop, recorded once with the flag', async () => {
    const kh = path.join(tmp, 'kh-jump');
    await fs.writeFile(kh, '');
    const base = [
      'watch',
      'ssh://ecu-via-gw',
      '--ssh-config',
      f.sshConfig,
      '--known-hosts',
      kh,
      '--endpoint',
      endpoint(),
    ];
    const r1 = await cli([...base, '--count', '1', '--out', out('jump-unknown1')]);
    assert.equal(r1.code, 1);
    assert.match(r1.stderr, /UnknownHostKeyError/);
    const r2 = await cli([...base, '--count', '1', '--out', out('jump-unknown2'), '--accept-new-host-key']);
    assert.equal(r2.code, 0, r2.stderr);
    // Jump and target are the same server here, so the second hop finds the key the first hop recorded.
    assert.equal((await fs.readFile(kh, 'utf8')).trim().split('\n').length, 1);
  });

  it('a missing --identity file is a usage error, before any connection', async () => {
    const r = await cli([
      'watch',
      'ssh://ecu',
      ...common(),
      '--identity',
      path.join(tmp, 'no-such-key'),
      '--count',
      '1',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--identity: no such file .*no-such-key/);
  });

  it('wrong key: SshAuthError', async () => {
    const r = await cli([
      'watch',
      `ssh://${f.user}@127.0.0.1:${f.port}`,
      '--ssh-config',
      '/dev/null',
      '--known-hosts',
      f.knownHosts,
      '--identity',
      f.wrongKey,
      '--endpoint',
      endpoint(),
      '--count',
      '1',
      '--out',
      out('wrongkey'),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /SshAuthError: authentication failed for .* \(tried: publickey .*id_wrong/);
    assert.equal(existsSync(out('wrongkey')), false);
  });

  it('endpoint down: every snapshot is a gap with its reason, the run completes', async () => {
    const r = await cli([
      'watch',
      'ssh://ecu',
      '--ssh-config',
      f.sshConfig,
      '--known-hosts',
      f.knownHosts,
      '--endpoint',
      '127.0.0.1:1',
      '--count',
      '2',
      '--interval',
      '100ms',
      '--out',
      out('down'),
      '--format',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as WatchReport;
    assert.equal(rep.snapshots, 2);
    assert.equal(rep.gaps, 2);
    const idx = await readIndex(out('down'));
    assert.equal(idx?.snapshots[0]?.gaps[0]?.error, 'EndpointUnreachableError');
    assert.match(idx?.snapshots[0]?.gaps[0]?.reason ?? '', /127\.0\.0\.1:1 is not reachable from ecu/);
  });

  it('sshd killed mid-series and restarted: the series resumes, earlier snapshots intact on disk and in the index', async () => {
    const dir = out('resume');
    const run = startCli([
      'collect',
      'ssh://ecu',
      ...common(),
      '--interval',
      '700ms',
      '--count',
      '9',
      '--out',
      dir,
      '--format',
      'json',
    ]);
    const before = await waitForSnapshots(dir, 3, 'three snapshots');
    const earlier = before.snapshots.slice(0, 3);
    await f.kill();
    await new Promise((r) => setTimeout(r, 1600));
    await f.restart();
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    const idx = await readIndex(dir);
    assert.ok(idx);
    assert.equal(idx.snapshots.length, 9);
    assert.deepEqual(idx.snapshots.slice(0, 3), earlier, 'earlier entries unchanged in the index');
    await assertSnapshotFilesIntact(dir, earlier);
    const gaps = idx.snapshots.filter((s) => s.status === 'gap');
    assert.ok(gaps.length >= 1, 'the outage is recorded as gaps');
    assert.ok(gaps.every((g) => g.gaps.length > 0 && g.gaps[0]?.reason));
    const lastOk = idx.snapshots[idx.snapshots.length - 1];
    assert.equal(lastOk?.status, 'ok', 'collection resumed after sshd came back');
    // A second run into the same folder continues the series.
    const again = await cli(['collect', 'ssh://ecu', ...common(), '--count', '1', '--out', dir, '--format', 'json']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /resuming after 9 snapshots/);
    const idx2 = await readIndex(dir);
    assert.equal(idx2?.snapshots.length, 10);
    assert.equal(idx2?.snapshots[9]?.seq, 10);
    assert.equal(idx2?.runs.length, 2);
  });

  it('a collector killed with SIGKILL loses nothing; the next run takes over the stale lock and resumes', async () => {
    const dir = out('crash');
    const run = startCli([
      'collect',
      'ssh://ecu',
      ...common(),
      '--interval',
      '300ms',
      '--out',
      dir,
      '--format',
      'json',
    ]);
    const before = await waitForSnapshots(dir, 2, 'two snapshots');
    run.proc.kill('SIGKILL');
    await run.done;
    assert.ok(existsSync(path.join(dir, 'series.lock')), 'the crashed run left its lock behind');
    const kept = (await readIndex(dir))?.snapshots ?? [];
    assert.ok(kept.length >= before.snapshots.length);
    const again = await cli(['collect', 'ssh://ecu', ...common(), '--count', '1', '--out', dir, '--format', 'json']);
    assert.equal(again.code, 0, again.stderr);
    const idx = await readIndex(dir);
    assert.equal(idx?.snapshots.length, kept.length + 1);
    assert.deepEqual(idx?.snapshots.slice(0, kept.length), kept);
    await assertSnapshotFilesIntact(dir, kept);
    assert.equal((await fs.readdir(dir)).filter((n) => n.includes('.tmp-')).length, 0);
  });

  it('a host key that changes across a reconnect stops the series with HostKeyMismatchError, earlier snapshots kept', async () => {
    const dir = out('rekey');
    const kh = path.join(tmp, 'kh-rekey');
    await fs.copyFile(f.knownHosts, kh);
    const args = ['collect', 'ssh://ecu', '--ssh-config', f.sshConfig, '--known-hosts', kh, '--endpoint', endpoint()];
    const run = startCli([...args, '--interval', '400ms', '--count', '20', '--out', dir, '--format', 'json']);
    await waitForSnapshots(dir, 2, 'two snapshots');
    await f.kill();
    // While the server is down, the recorded key is replaced: on reconnect the server's key no longer matches.
    await fs.copyFile(f.changedKnownHosts, kh);
    await f.restart();
    const r = await run.done;
    assert.equal(r.code, 1);
    assert.match(r.stderr, /HostKeyMismatchError: REMOTE HOST KEY HAS CHANGED/);
    const rep = JSON.parse(r.stdout) as WatchReport;
    assert.equal(rep.stoppedBy, 'error');
    const idx = await readIndex(dir);
    assert.ok(idx && idx.snapshots.length < 20);
    assert.ok(idx.snapshots.filter((s) => s.status === 'ok').length >= 2);
    assert.equal(idx.snapshots.at(-1)?.gaps[0]?.error, 'HostKeyMismatchError');
    assert.equal(await fs.readFile(kh, 'utf8'), await fs.readFile(f.changedKnownHosts, 'utf8'), 'never overridden');
  });

  it('collect stops cleanly on SIGINT with the index intact', async () => {
    const dir = out('sigint');
    const run = startCli([
      'collect',
      'ssh://ecu',
      ...common(),
      '--interval',
      '300ms',
      '--out',
      dir,
      '--format',
      'json',
    ]);
    await waitForSnapshots(dir, 2, 'two snapshots');
    run.proc.kill('SIGINT');
    const r = await run.done;
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as WatchReport;
    assert.equal(rep.stoppedBy, 'signal');
    const idx = await readIndex(dir);
    assert.equal(idx?.snapshots.length, rep.snapshots);
    assert.equal(existsSync(path.join(dir, 'series.lock')), false);
    assert.equal((await fs.readdir(dir)).filter((n) => n.includes('.tmp-')).length, 0);
  });

  it('prints one progress line per snapshot when stderr is a TTY (in-process runCli)', async () => {
    const sink = (tty: boolean) => {
      const chunks: string[] = [];
      const w = new Writable({
        write(c: Buffer, _e, cb) {
          chunks.push(c.toString());
          cb();
        },
      }) as Writable & { isTTY?: boolean };
      w.isTTY = tty;
      return { w, text: () => chunks.join('') };
    };
    const run = async (tty: boolean): Promise<string> => {
      const err = sink(tty);
      const o = sink(false);
      const code = await runCli(
        [
          'watch',
          demo.url,
          '--pid',
          String(demo.pid),
          '--count',
          '2',
          '--interval',
          '200ms',
          '--out',
          out(`tty-${tty}`),
        ],
        { stdout: o.w, stderr: err.w, stdin: process.stdin, env: cleanEnv(), cwd: tmp },
      );
      assert.equal(code, 0, err.text());
      return err.text();
    };
    const tty = await run(true);
    const lines = tty.split('\n').filter((l) => /^\[\d+\/2\]/.test(l));
    assert.equal(lines.length, 2, tty);
    assert.match(
      lines[0] ?? '',
      /^\[1\/2\] {2}\d\d:\d\d:\d\d {2}ok {2}heap [\d.]+ \w+ {2}goroutines \d+ {2}cgroup [\d.]+ \w+\/448\.0 MiB$/,
    );
    const plain = await run(false);
    assert.equal(plain.split('\n').filter((l) => /^\[\d+\/2\]/.test(l)).length, 0);
  });

  it('shell metacharacters in every user-supplied field never reach a shell', async () => {
    const canary = path.join(tmp, 'canary');
    const evil = `x;touch ${canary}`;
    const sub = `$(touch ${canary})`;
    const cases: string[][] = [
      ['watch', 'ssh://ecu', ...common(), '--container', evil],
      ['watch', 'ssh://ecu', ...common(), '--container', sub],
      ['watch', 'ssh://ecu', ...common(), '--pid', `1;touch ${canary}`],
      [
        'watch',
        'ssh://ecu',
        '--ssh-config',
        f.sshConfig,
        '--known-hosts',
        f.knownHosts,
        '--endpoint',
        `127.0.0.1;touch ${canary}:6060`,
      ],
      ['watch', 'ssh://ecu', ...common(), '--pprof-prefix', `/debug/${sub}`],
      ['watch', `ssh://ecu;touch ${canary}`, ...common()],
      ['watch', `ssh://${sub}@ecu`, ...common()],
      ['watch', `http://127.0.0.1;touch ${canary}:6060`],
      ['watch', demo.url, '--container', evil],
    ];
    for (const args of cases) {
      const r = await cli([...args, '--count', '1', '--out', out('evil')]);
      assert.equal(r.code, 1, `${args.join(' ')}\n${r.stderr}`);
      assert.match(r.stderr, /invalid|must be/i, r.stderr);
    }
    // A valid container name reaches docker over SSH as one quoted argument (this host has no Docker engine).
    const ok = await cli([
      'watch',
      'ssh://ecu',
      ...common(),
      '--container',
      'ecu-app',
      '--count',
      '1',
      '--out',
      out('evil'),
    ]);
    assert.equal(ok.code, 1);
    assert.match(ok.stderr, /RemoteCommandError: docker inspect failed/);
    assert.equal(existsSync(canary), false);
    assert.equal(existsSync(out('evil')), false);
  });
});

function createHashHex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
