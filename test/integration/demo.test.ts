import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { plantedSites, repoRoot, type PlantedSite } from '../fixtures/ecuDemo';

const execFileP = promisify(execFile);

/** The outcome of one run of the demo script. */
interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `npm run demo`'s script (scripts/demo.ts, which runs the built dist/cli.js) as its own process. `during` may
 * act on the running process once its stdout matches `waitFor`.
 */
function runDemo(
  env: Record<string, string>,
  opts: { during?: (pid: number) => void; waitFor?: RegExp; args?: string[] } = {},
): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('scripts', 'demo.ts'), ...(opts.args ?? [])], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let acted = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!acted && opts.during && opts.waitFor?.test(stdout)) {
        acted = true;
        opts.during(child.pid ?? -1);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Report table rows (text format) whose verdict column says LEAK. */
const leakRows = (out: string): string[] => out.split('\n').filter((l) => /^\s+LEAK\b/.test(l));

/** Whether a line names `file:line` (not `file:line0`). */
const names = (line: string, file: string, lineNo: number): boolean =>
  new RegExp(`${escape(file)}:${lineNo}(?!\\d)`).test(line);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `npm run demo` end to end: the real demo ECU service (built from testdata/ecu-demo with Go), a real v1 memory
 * cgroup, the real built CLI (`leakhunt watch`, then `leakhunt report`), and the replay of the recorded series
 * shipped in testdata/demo-series. Expected sites come from the `// leakhunt:planted ID` markers, never from
 * hard-coded line numbers: the CAN reader goroutine leak (can-reader-block), the sync.Map unsafe.Pointer cache
 * (map-unsafe-alloc) and the retaining sync.Pool New (pool-leaky-new); churn-alloc, bounded-alloc and
 * pool-fixed-new must never be called a leak.
 */
describe('npm run demo (scripts/demo.ts)', function () {
  this.timeout(240_000);
  const sites = plantedSites();
  const site = (id: string): PlantedSite => {
    const s = sites.get(id);
    assert.ok(s, `planted marker ${id} missing from testdata/ecu-demo`);
    return s;
  };
  const leakIds = ['can-reader-block', 'map-unsafe-alloc', 'pool-leaky-new'];
  const notLeakIds = ['churn-alloc', 'bounded-alloc', 'pool-fixed-new'];

  before(async () => {
    // Build the bundle the way `npm run build` does: the demo runs dist/cli.js, as users get it.
    await execFileP(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { cwd: repoRoot });
  });

  /** Asserts the report rows and the demo's own check name every planted leak, and no churn or bounded site. */
  function assertPlantedLeaks(run: DemoRun, fileOf: (s: PlantedSite) => string): void {
    const rows = leakRows(run.stdout);
    for (const id of leakIds) {
      const s = site(id);
      assert.ok(
        rows.some((r) => names(r, fileOf(s), s.line)),
        `${id} (${s.relFile}:${s.line}) is not a LEAK row of the report:\n${run.stdout}`,
      );
      assert.match(run.stdout, new RegExp(`✓ leak found +${escape(s.relFile)}:${s.line} `));
    }
    for (const id of notLeakIds) {
      const s = site(id);
      const bad = rows.filter((r) => names(r, fileOf(s), s.line));
      assert.deepEqual(bad, [], `${id} (${s.relFile}:${s.line}) must not be a leak`);
      assert.match(run.stdout, new RegExp(`✓ not a leak +${escape(s.relFile)}:${s.line} `));
    }
    assert.match(run.stdout, /3 of 3 planted leaks found at their file:line; 0 false alarms\./);
  }

  it('watches the live demo service in a memory-limited cgroup, names every planted leak at its file:line, and cleans up', async () => {
    const run = await runDemo({ LEAKHUNT_DEMO_SECONDS: '20', LEAKHUNT_DEMO_REPLAY: '' });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^leakhunt demo — live:/);
    assert.doesNotMatch(run.stdout, /REPLAY/);
    assert.match(run.stdout, /\$ leakhunt watch http:\/\/127\.0\.0\.1:\d+ --pid \d+ --interval 2s --count 10 --out /);
    assert.match(run.stdout, /leakhunt report for http:\/\/127\.0\.0\.1:\d+: 10 snapshots/);
    // The proof from the GC (Go 1.26 goroutine leak profile) and the cgroup figures are in the report.
    assert.match(run.stdout, /LEAK \(proven\)/);
    assert.match(run.stdout, /Container \(cgroup v1\): [\d.]+ MiB of 256\.0 MiB/);
    assertPlantedLeaks(run, (s) => s.file);

    const pid = Number(/started pid (\d+)/.exec(run.stdout)?.[1]);
    const cg = /cgroup v1 (\S+)/.exec(run.stdout)?.[1];
    assert.ok(pid > 0 && cg, run.stdout);
    assert.equal(alive(pid), false, `demo service ${pid} still runs`);
    assert.equal(existsSync(path.join('/sys/fs/cgroup/memory', cg)), false, `cgroup ${cg} left behind`);
  });

  it('on Ctrl-C stops watching after the current snapshot, reports what it has, and removes the service and cgroup', async () => {
    const started = Date.now();
    const run = await runDemo(
      { LEAKHUNT_DEMO_SECONDS: '60', LEAKHUNT_DEMO_REPLAY: '' },
      { waitFor: /\$ leakhunt watch/, during: (pid) => setTimeout(() => process.kill(pid, 'SIGINT'), 7000) },
    );
    assert.ok(Date.now() - started < 45_000, `took ${Date.now() - started} ms after Ctrl-C at ~7 s`);
    assert.match(run.stderr, /stopping early/);
    assert.match(run.stdout, /Stopped early with Ctrl-C/);
    assert.ok(run.code === 0 || run.code === 1, `exit ${run.code} ${run.signal}\n${run.stderr}`);
    const n = Number(/leakhunt report for \S+: (\d+) snapshots/.exec(run.stdout)?.[1]);
    assert.ok(n >= 2 && n < 30, `${n} snapshots:\n${run.stdout}`);
    const pid = Number(/started pid (\d+)/.exec(run.stdout)?.[1]);
    const cg = /cgroup v1 (\S+)/.exec(run.stdout)?.[1];
    assert.ok(pid > 0 && cg, run.stdout);
    assert.equal(alive(pid), false, `demo service ${pid} still runs`);
    assert.equal(existsSync(path.join('/sys/fs/cgroup/memory', cg)), false, `cgroup ${cg} left behind`);
  });

  it('on SIGTERM exits 143 at once, with the service stopped and the cgroup removed', async () => {
    const run = await runDemo(
      { LEAKHUNT_DEMO_SECONDS: '60', LEAKHUNT_DEMO_REPLAY: '' },
      { waitFor: /\$ leakhunt watch/, during: (pid) => setTimeout(() => process.kill(pid, 'SIGTERM'), 3000) },
    );
    assert.equal(run.code, 143, run.stderr);
    assert.doesNotMatch(run.stdout, /leakhunt report for/);
    const pid = Number(/started pid (\d+)/.exec(run.stdout)?.[1]);
    const cg = /cgroup v1 (\S+)/.exec(run.stdout)?.[1];
    assert.ok(pid > 0 && cg, run.stdout);
    assert.equal(alive(pid), false, `demo service ${pid} still runs`);
    assert.equal(existsSync(path.join('/sys/fs/cgroup/memory', cg)), false, `cgroup ${cg} left behind`);
  });

  // The recorded paths are the recording machine's; the replay matches the path inside the module and the line.
  const recordedFile = (s: PlantedSite): string => `/ecu-demo/${s.relFile}`;

  it('replays the recorded series when LEAKHUNT_DEMO_REPLAY=1, says so, and names every planted leak', async () => {
    const run = await runDemo({ LEAKHUNT_DEMO_REPLAY: '1' });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^leakhunt demo — REPLAY of a recorded series \(LEAKHUNT_DEMO_REPLAY is set\)/);
    assert.match(run.stdout, /not from a live service/);
    assert.doesNotMatch(run.stdout, /started pid/);
    assert.match(run.stdout, /\$ leakhunt report testdata\/demo-series/);
    assertPlantedLeaks(run, recordedFile);
  });

  it('replays on a machine without Go (no `go` on PATH)', async () => {
    const run = await runDemo({ PATH: path.join(repoRoot, '.cache', 'no-such-dir'), LEAKHUNT_DEMO_REPLAY: '' });
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /REPLAY of a recorded series \(no Go toolchain found/);
    assertPlantedLeaks(run, recordedFile);
  });

  it('refuses a nonsense duration with one line and exit 2', async () => {
    const run = await runDemo({ LEAKHUNT_DEMO_SECONDS: 'a minute' });
    assert.equal(run.code, 2);
    assert.equal(run.stderr, 'leakhunt demo: the watch duration must be 6 to 3600 seconds, not "a minute"\n');
    assert.equal(run.stdout, '');
  });
});
