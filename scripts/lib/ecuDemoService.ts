import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

// Building and starting the Go services of testdata/ (the demo ECU service above all). Shared by the test fixture
// test/fixtures/ecuDemo.ts and by `npm run demo` (scripts/demo.ts), so both run the service the same way.

const execFileP = promisify(execFile);

/** Repository root, found from this file's location (scripts/lib/ → ../..). */
export const repoRoot = path.resolve(__dirname, '..', '..');

/** Source directory of the demo ECU service (a Go module). */
export const ecuDemoDir = path.join(repoRoot, 'testdata', 'ecu-demo');

/** Options for building a Go program from testdata/. */
export interface GoBuildOptions {
  /** Module directory to build; defaults to the demo ECU service. */
  dir?: string;
  /** Extra `go build` flags, e.g. `['-ldflags=-s -w']` for a stripped binary. */
  buildFlags?: string[];
  /** Extra environment, e.g. `{ GOEXPERIMENT: 'goroutineleakprofile' }`. */
  env?: Record<string, string>;
}

/** Lists every file of a Go module that affects its build, in a stable order. */
export function goSources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.go') || name === 'go.mod' || name === 'go.sum') out.push(p);
    }
  };
  walk(dir);
  return out;
}

/**
 * Builds a Go program from testdata/ into `.cache/bin/`, reusing the binary when the sources, flags and environment
 * are unchanged (keyed by a hash of all three), and returns the binary's path.
 */
export async function buildGoProgram(opts: GoBuildOptions = {}): Promise<string> {
  const dir = opts.dir ?? ecuDemoDir;
  const flags = opts.buildFlags ?? [];
  const env = opts.env ?? {};
  const h = createHash('sha256');
  h.update(JSON.stringify({ flags, env }));
  for (const f of goSources(dir)) {
    h.update(path.relative(dir, f));
    h.update(readFileSync(f));
  }
  const binDir = path.join(repoRoot, '.cache', 'bin');
  mkdirSync(binDir, { recursive: true });
  const bin = path.join(binDir, `${path.basename(dir)}-${h.digest('hex').slice(0, 16)}`);
  if (existsSync(bin)) return bin;
  // Build to a temporary name and rename, so a parallel test never runs a half-written binary.
  const tmp = `${bin}.tmp${process.pid}`;
  await execFileP('go', ['build', ...flags, '-o', tmp, '.'], {
    cwd: dir,
    env: { ...process.env, ...env },
    maxBuffer: 16 << 20,
  });
  renameSync(tmp, bin);
  return bin;
}

/** Builds the demo ECU service (see {@link buildGoProgram}) and returns the binary's path. */
export function buildEcuDemo(opts: Omit<GoBuildOptions, 'dir'> = {}): Promise<string> {
  return buildGoProgram({ ...opts, dir: ecuDemoDir });
}

/** Options for starting the demo ECU service. */
export interface StartEcuDemoOptions extends Omit<GoBuildOptions, 'dir'> {
  /** Extra command-line flags, e.g. `['-pool-gets-per-sec', '200']`. */
  flags?: string[];
  /** A prebuilt binary to run instead of building one. */
  binary?: string;
  /** How long to wait for the "listening on" line. */
  startTimeoutMs?: number;
  /** Extra environment of the running service (not of its build), e.g. `{ GOGC: 'off' }`. */
  runEnv?: Record<string, string>;
}

/** The /state document of the demo ECU service. */
export interface EcuDemoState {
  pid: number;
  mem_profile_rate: number;
  goroutines: number;
  can_readers_started: number;
  can_readers_blocked: number;
  can_frames_read: number;
  map_entries: number;
  map_bytes: number;
  pool_gets: number;
  pool_misses: number;
  pool_leaky_new_calls: number;
  pool_fixed_new_calls: number;
  pool_buffers_retained: number;
  pool_new: string;
  pool_fixed_new_available: boolean;
  churn_bytes: number;
  bounded_cache_size: number;
  heap_alloc_bytes: number;
}

/** A running demo ECU service started by a test. */
export interface EcuDemo {
  /** Base URL, e.g. `http://127.0.0.1:PORT`. */
  url: string;
  /** Listen address `127.0.0.1:PORT`. */
  addr: string;
  pid: number;
  /** The binary that runs. */
  binary: string;
  proc: ChildProcess;
  /** Fetches and parses `/state`. */
  state(): Promise<EcuDemoState>;
  /** Fetches a path (e.g. `/debug/pprof/heap`) and returns the body bytes; throws on a non-2xx status. */
  get(pathAndQuery: string): Promise<Buffer>;
  /** Kills the process (SIGKILL after a grace period) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Every process a fixture started, killed on exit so no orphan outlives the test run. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of running) {
    try {
      p.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Starts a Go program that prints `listening on ADDR` and returns once it serves. */
export async function startGoService(
  bin: string,
  args: string[],
  startTimeoutMs = 20_000,
  runEnv?: Record<string, string>,
): Promise<EcuDemo> {
  const proc = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(runEnv ? { env: { ...process.env, ...runEnv } } : {}),
  });
  running.add(proc);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.once('exit', () => running.delete(proc));
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const addr = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${bin} did not print its listen address within ${startTimeoutMs} ms: ${stderr}`));
    }, startTimeoutMs);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`${bin} exited (${code ?? sig}) before listening: ${stderr}`));
    });
  });
  const url = `http://${addr}`;
  const get = async (p: string): Promise<Buffer> => {
    const res = await fetch(url + p);
    if (!res.ok) throw new Error(`GET ${p}: HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
  return {
    url,
    addr,
    pid: proc.pid ?? -1,
    binary: bin,
    proc,
    get,
    state: async () => JSON.parse((await get('/state')).toString()) as EcuDemoState,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Builds (or reuses) and starts the demo ECU service on a free loopback port. */
export async function startEcuDemo(opts: StartEcuDemoOptions = {}): Promise<EcuDemo> {
  const bin = opts.binary ?? (await buildEcuDemo(opts));
  return startGoService(bin, ['-addr', '127.0.0.1:0', ...(opts.flags ?? [])], opts.startTimeoutMs, opts.runEnv);
}
