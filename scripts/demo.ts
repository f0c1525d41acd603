// `npm run demo`: the README's main command. Builds and starts the demo ECU service (testdata/ecu-demo) inside a
// memory-limited cgroup where the machine allows it, runs the real `leakhunt watch` (dist/cli.js) on it for about a
// minute, prints `leakhunt report` of the series, and checks the report against the leaks planted in the service.
// Without Go it replays the series recorded from such a run (testdata/demo-series) and says so.
//
// It is a repository script, not a CLI sub-command: it builds Go sources that only exist in this repository.
//
//   node --import tsx scripts/demo.ts [--seconds N] [--replay] [--out DIR] [--record DIR]
//   LEAKHUNT_DEMO_SECONDS=N    watch duration (default 60)
//   LEAKHUNT_DEMO_REPLAY=1     replay the recorded series even when Go is installed
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { LeakReport } from '../src/core/leak/leakReport';
import { readSeriesIndex } from '../src/core/series/seriesIndex';
import { ecuDemoDir, repoRoot, startEcuDemo, type EcuDemo } from './lib/ecuDemoService';
import { createMemoryCgroup, type MemoryCgroupFixture } from './lib/memoryCgroup';
import { checkPlantedLeaks, type SiteMatcher } from './lib/plantedLeakCheck';
import { plantedSites } from './lib/plantedSites';

const execFileP = promisify(execFile);

/** The series shipped for machines without Go, recorded with `--record testdata/demo-series`. */
const RECORDED_SERIES = path.join(repoRoot, 'testdata', 'demo-series');
const CLI = path.join(repoRoot, 'dist', 'cli.js');
const INTERVAL_SECONDS = 2;
const MEMORY_LIMIT_BYTES = 256 << 20;
/**
 * Leak rates for a one-minute watch at Go's default MemProfileRate (one sample per 512 KiB): each heap leak must
 * outgrow many samples within the window, and the sum must stay well inside the memory limit for the minute (at
 * 2000 pool gets/s the service was OOM-killed at 256 MiB within 45 s). Churn (16 MiB/s) and the CAN leak
 * (5 readers/s) keep the service's defaults. The bounded cache keeps its cap (2000 × 1 KiB, about 4 samples) but
 * takes 2000 puts/s, so it is at its cap within a second and any window sees it full: at the default 200 puts/s it
 * filled over the first 10 s, and a 4-sample site rising through half of a 20 s window (`LEAKHUNT_DEMO_SECONDS=20`,
 * as the tests run it) cannot be told from a slow leak by its samples; about 3% of such windows called it `leak`.
 */
const SERVICE_FLAGS = [
  '-map-leak-bytes-per-sec',
  String(512 << 10),
  '-pool-gets-per-sec',
  '250',
  '-bounded-puts-per-sec',
  '2000',
];

class DemoUsageError extends Error {}

interface DemoOptions {
  seconds: number;
  replay: boolean;
  replayReason: string;
  out: string | undefined;
  record: string | undefined;
}

function parseOptions(): DemoOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: {
        seconds: { type: 'string' },
        replay: { type: 'boolean', default: false },
        out: { type: 'string' },
        record: { type: 'string' },
      },
      strict: true,
    });
  } catch (e) {
    throw new DemoUsageError((e as Error).message);
  }
  const v = parsed.values;
  const rawSeconds = v.seconds ?? process.env['LEAKHUNT_DEMO_SECONDS'] ?? '60';
  if (!/^\d{1,5}$/.test(rawSeconds) || Number(rawSeconds) < 6 || Number(rawSeconds) > 3600) {
    throw new DemoUsageError(`the watch duration must be 6 to 3600 seconds, not ${JSON.stringify(rawSeconds)}`);
  }
  const envReplay = process.env['LEAKHUNT_DEMO_REPLAY'];
  const replay = v.replay || (envReplay !== undefined && envReplay !== '' && envReplay !== '0');
  if (replay && (v.out !== undefined || v.record !== undefined)) {
    throw new DemoUsageError('--out and --record need a live run, not a replay');
  }
  return {
    seconds: Number(rawSeconds),
    replay,
    replayReason: v.replay ? '--replay' : 'LEAKHUNT_DEMO_REPLAY is set',
    out: v.out,
    record: v.record,
  };
}

/** A path as the user would type it: relative when inside the current folder. */
function shown(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

// A reader that goes away (`npm run demo | head`) must not crash the demo before it stops the service.
let stdoutGone = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  stdoutGone = true;
});

const say = (line = ''): void => {
  if (!stdoutGone) process.stdout.write(`${line}\n`);
};

/** The Go toolchain's version (`go1.26.8`), or undefined when `go` cannot be run. */
async function goVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await execFileP('go', ['version'], { timeout: 30_000 });
    return /go version (go[\d.]+\S*)/.exec(stdout)?.[1] ?? 'go (unknown version)';
  } catch {
    return undefined;
  }
}

/** Go 1.26 added the goroutine leak profile (GOEXPERIMENT=goroutineleakprofile), which proves the CAN leak. */
function hasGoroutineLeakProfile(version: string): boolean {
  const m = /^go(\d+)\.(\d+)/.exec(version);
  return m !== null && (Number(m[1]) > 1 || Number(m[2]) >= 26);
}

/** Runs the built CLI with stdout captured and stderr shown; resolves with its exit code and output. */
function runCli(
  args: string[],
  opts: { showStdout?: boolean; onSpawn?: (c: ChildProcess) => void } = {},
): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    opts.onSpawn?.(child);
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (opts.showStdout && !stdoutGone) process.stdout.write(d);
    });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout }));
  });
}

/** Prints `leakhunt report DIR` and the planted-leak check of the same report; returns whether the check passed. */
async function reportAndCheck(dir: string, matches: SiteMatcher): Promise<boolean> {
  say(`$ leakhunt report ${shown(dir)}`);
  const text = await runCli(['report', dir, '--format', 'text'], { showStdout: true });
  if (text.code !== 0) throw new Error(`leakhunt report exited with ${text.code}`);
  const json = await runCli(['report', dir, '--format', 'json']);
  if (json.code !== 0) throw new Error(`leakhunt report --format json exited with ${json.code}`);
  const check = checkPlantedLeaks(JSON.parse(json.stdout) as LeakReport, plantedSites(), matches);
  say();
  say('Planted in testdata/ecu-demo (sites from its // leakhunt:planted markers):');
  for (const l of check.lines.slice(0, -1)) say(l);
  say(check.lines[check.lines.length - 1]);
  return check.missed === 0 && check.falseAlarms === 0;
}

async function replay(reason: string): Promise<boolean> {
  const index = await readSeriesIndex(RECORDED_SERIES);
  if (!index) throw new Error(`the recorded series ${RECORDED_SERIES} is missing`);
  const recordedAt = index.snapshots[0]?.startedAt ?? index.createdAt;
  say(`leakhunt demo — REPLAY of a recorded series (${reason}); nothing is started or watched.`);
  say(
    `  testdata/demo-series: ${index.snapshots.length} snapshots every ${INTERVAL_SECONDS} s, recorded on ${recordedAt.slice(0, 10)} ` +
      'from a live `npm run demo` run (demo ECU service in a 256 MiB cgroup).',
  );
  say('  Install Go (https://go.dev/dl/) to watch the demo service live instead.');
  say();
  // The recorded paths are those of the recording machine; match by the path inside the module and the line.
  const matches: SiteMatcher = (loc, site) =>
    loc.line === site.line &&
    loc.file
      .split('\\')
      .join('/')
      .endsWith(`/ecu-demo/${site.relFile.split(path.sep).join('/')}`);
  const ok = await reportAndCheck(RECORDED_SERIES, matches);
  say();
  say('(REPLAY: this report comes from the recorded series in testdata/demo-series, not from a live service.)');
  return ok;
}

/** Resources of a live run, released by {@link cleanup} on every way out (normal end, error, Ctrl-C). */
interface LiveState {
  demo?: EcuDemo;
  cgroup?: MemoryCgroupFixture;
  watch?: ChildProcess;
  tempSeries?: string;
}

async function cleanup(s: LiveState): Promise<void> {
  if (s.watch && s.watch.exitCode === null && s.watch.signalCode === null) s.watch.kill('SIGKILL');
  await s.demo?.stop().catch(() => undefined);
  delete s.demo;
  if (s.cgroup) {
    const cg = s.cgroup;
    delete s.cgroup;
    await cg
      .remove()
      .catch((e: Error) => process.stderr.write(`leakhunt demo: could not remove ${cg.dir}: ${e.message}\n`));
  }
  if (s.tempSeries) {
    await fs.rm(s.tempSeries, { recursive: true, force: true });
    delete s.tempSeries;
  }
}

/** Why no memory limit could be set, in words for the user. */
function cgroupProblem(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS') {
    return `not permitted to create a memory cgroup (${err.code}; needs root on a cgroup v1 machine)`;
  }
  if (err.code === 'ENOENT') return 'no cgroup v1 memory hierarchy at /sys/fs/cgroup/memory';
  if (/no v1 memory controller/.test(err.message)) {
    return 'the memory controller is not cgroup v1 here (the demo creates v1 groups only)';
  }
  return err.message;
}

async function live(o: DemoOptions, go: string, state: LiveState, interrupted: () => boolean): Promise<boolean> {
  const count = Math.max(3, Math.round(o.seconds / INTERVAL_SECONDS));
  const leakProfile = hasGoroutineLeakProfile(go);
  say(
    `leakhunt demo — live: the demo ECU service (testdata/ecu-demo) watched for ~${(count - 1) * INTERVAL_SECONDS} s.`,
  );
  say(
    `  building with ${go}${leakProfile ? ' and GOEXPERIMENT=goroutineleakprofile (the GC proves goroutine leaks)' : ' (no goroutine leak profile before Go 1.26)'}`,
  );
  state.demo = await startEcuDemo({
    flags: SERVICE_FLAGS,
    ...(leakProfile ? { env: { GOEXPERIMENT: 'goroutineleakprofile' } } : {}),
  });
  const demo = state.demo;
  say(`  started pid ${demo.pid} on ${demo.url} with ${SERVICE_FLAGS.join(' ')}`);
  try {
    state.cgroup = await createMemoryCgroup(MEMORY_LIMIT_BYTES, 'leakhunt-demo');
    await state.cgroup.add(demo.pid);
    say(`  memory limit 256 MiB: cgroup v1 ${state.cgroup.path}`);
  } catch (e) {
    say(`  no memory limit: ${cgroupProblem(e)}; the container section of the report stays empty`);
    if (state.cgroup) await cleanup({ cgroup: state.cgroup });
    delete state.cgroup;
  }
  if (interrupted()) return false;

  const keep = o.record ?? o.out;
  const dir = keep
    ? path.resolve(keep)
    : (state.tempSeries = await fs.mkdtemp(path.join(os.tmpdir(), 'leakhunt-demo-series-')));
  if (keep && existsSync(path.join(dir, 'series.json'))) {
    throw new DemoUsageError(`${keep} already holds a series; choose a new folder`);
  }
  const watchArgs = ['watch', demo.url, '--pid', String(demo.pid), '--interval', `${INTERVAL_SECONDS}s`];
  watchArgs.push('--count', String(count), '--out', dir);
  say();
  say(`$ leakhunt ${watchArgs.join(' ').replace(dir, shown(dir))}`);
  const w = await runCli(watchArgs, { onSpawn: (c) => (state.watch = c) });
  delete state.watch;
  if (w.code !== 0) {
    if (!stdoutGone) process.stdout.write(w.stdout);
    throw new Error(`leakhunt watch exited with ${w.code}`);
  }
  if (!interrupted() && (demo.proc.exitCode !== null || demo.proc.signalCode !== null)) {
    const oom = state.cgroup
      ? /oom_kill (\d+)/.exec(
          await fs.readFile(path.join(state.cgroup.dir, 'memory.oom_control'), 'utf8').catch(() => ''),
        )
      : null;
    say(
      `  the demo service exited during the watch (${demo.proc.signalCode ?? `code ${demo.proc.exitCode}`}` +
        `${oom && oom[1] !== '0' ? `; the cgroup's OOM killer fired ${oom[1]} time(s)` : ''}); later snapshots are gaps`,
    );
  }
  // The report is computed offline from the series folder, so the service can go now.
  await demo.stop();
  if (o.record) await trimForShipping(dir);
  say();
  const ok = await reportAndCheck(dir, (loc, site) => path.resolve(loc.file) === site.file && loc.line === site.line);
  if (interrupted()) {
    say("(Stopped early with Ctrl-C: a window shorter than the demo's minute may not call every planted leak yet.)");
  }
  if (keep) say(`\nSeries kept in ${shown(dir)}; \`npx leakhunt report ${shown(dir)}\` prints this report again.`);
  return ok;
}

/**
 * Drops what `leakhunt report` does not read from a recorded series, to keep testdata/ small: the heap `debug=1`
 * texts (their MemStats figures are already copied into series.json by `watch`).
 */
async function trimForShipping(dir: string): Promise<void> {
  const indexFile = path.join(dir, 'series.json');
  const index = JSON.parse(await fs.readFile(indexFile, 'utf8')) as {
    snapshots: { files: Record<string, string>; sha256?: Record<string, string> }[];
  };
  for (const s of index.snapshots) {
    const f = s.files['heap-debug1'];
    if (f === undefined) continue;
    await fs.rm(path.join(dir, f), { force: true });
    delete s.files['heap-debug1'];
    delete s.sha256?.['heap-debug1'];
  }
  await fs.writeFile(indexFile, `${JSON.stringify(index, null, 1)}\n`);
}

async function main(): Promise<number> {
  const o = parseOptions();
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (\`npm run demo\` does)`);
  if (!existsSync(ecuDemoDir)) throw new Error(`${ecuDemoDir} is missing`);
  const go = o.replay ? undefined : await goVersion();
  if (o.replay || go === undefined) {
    if (o.out !== undefined || o.record !== undefined) throw new DemoUsageError('--out and --record need Go');
    return (await replay(o.replay ? o.replayReason : 'no Go toolchain found: `go version` failed')) ? 0 : 1;
  }
  const state: LiveState = {};
  let interrupts = 0;
  const onInterrupt = (signal: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts === 1 && signal === 'SIGINT' && state.watch) {
      // watch stops after the current snapshot and the demo still reports on what it has.
      process.stderr.write('\nleakhunt demo: stopping early; Ctrl-C again to quit without a report\n');
      state.watch.kill('SIGINT');
      return;
    }
    process.stderr.write(`\nleakhunt demo: ${signal}: stopping the demo service and removing its cgroup\n`);
    void cleanup(state).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  process.on('SIGHUP', onInterrupt);
  try {
    return (await live(o, go, state, () => interrupts > 0)) ? 0 : 1;
  } finally {
    await cleanup(state);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`leakhunt demo: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = e instanceof DemoUsageError ? 2 : 1;
  },
);
