import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { DelveRpcClient, defaultRpcTimeoutMs } from './delveRpcClient';
import {
  DelveNotFoundError,
  HotpatchError,
  NoDebugInfoError,
  PtraceDeniedError,
  UnsupportedGoVersionError,
} from './hotpatchErrors';

/** A program started on the target host: its output lines, a way to kill it, and its exit. */
export interface HostProcess {
  /** Called for each line the program writes to stdout or stderr. */
  onLine(cb: (line: string) => void): void;
  /** Kills the program (SIGKILL); safe to call twice. */
  kill(): void;
  /** Resolves when the program has exited; never rejects. */
  readonly exited: Promise<{ code: number | null; signal: string | null; spawnError?: Error }>;
}

/**
 * Where Delve runs and how we reach it: the local machine, or (later) a remote host over SSH `exec` plus a
 * `forwardOut` tunnel. Arguments are passed as an array, never as a shell string.
 */
export interface DelveHost {
  /**
   * Starts `file` with `args` on the host. `resumes` names a running process the program is about to stop (dlv's
   * attach): should this process die while the program still runs, the host resumes that process after killing the
   * program, where it can.
   */
  spawn(file: string, args: string[], resumes?: number): HostProcess;
  /** Opens a stream to `127.0.0.1:port` on the host. */
  connect(port: number): Promise<Duplex>;
  /** A short name for messages and the audit log, e.g. `local`. */
  readonly name: string;
  /**
   * Whether `pid` is in a job-control stop (state T). Optional, like {@link DelveHost.continueProcess}: a host that
   * cannot read the target's state leaves both out.
   */
  isStopped?(pid: number): Promise<boolean>;
  /** Sends SIGCONT to `pid` (see {@link startDelve} for why); never throws. */
  continueProcess?(pid: number): Promise<void>;
}

/** Whether a `/proc/PID/stat` line shows a stopped process (state T or t). */
export function isStoppedStat(stat: string): boolean {
  // The state follows the parenthesized command name, which may itself contain ") ".
  const i = stat.lastIndexOf(')');
  return /^[Tt]$/.test(stat.slice(i + 2, i + 3));
}

/**
 * dlv processes started here and still running, each with the process it attaches to when that was running before
 * (to resume): killed if this process exits, so none stays attached to a target.
 */
const liveChildren = new Map<ChildProcess, number | undefined>();
let exitHookInstalled = false;

// Synchronous sleep for the exit path, where nothing asynchronous runs any more.
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Whether `pid` has exited (gone, or a zombie): a dead tracer has released its tracee. */
function hasExited(pid: number | undefined): boolean {
  if (pid === undefined) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return true;
  }
}

/**
 * Kills every dlv still running, waits (up to 2 s) until the kernel has released their targets, then resumes the
 * targets that were running before their attach: dlv killed between PTRACE_ATTACH and its first wait leaves the
 * attach's SIGSTOP pending, and the release turns it into a stop nobody would ever continue (see startDelve).
 * Synchronous, because it also runs from the 'exit' event.
 */
function killChildren(): void {
  const children = [...liveChildren];
  for (const [c] of children) c.kill('SIGKILL');
  const until = Date.now() + 2000;
  for (const [c] of children) while (!hasExited(c.pid) && Date.now() < until) Atomics.wait(sleeper, 0, 0, 5);
  for (const [, target] of children) {
    if (target === undefined) continue;
    try {
      process.kill(target, 'SIGCONT');
    } catch {
      // gone, or not ours: nothing to resume
    }
  }
  liveChildren.clear();
}

/** On SIGINT/SIGTERM (which skip 'exit' handlers) kill dlv, then let the signal do what it would have done. */
function onSignal(sig: NodeJS.Signals): void {
  killChildren();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.kill(process.pid, sig);
}

function track(child: ChildProcess, resumes: number | undefined): void {
  liveChildren.set(child, resumes);
  if (liveChildren.size === 1) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  child.once('exit', () => {
    liveChildren.delete(child);
    if (liveChildren.size === 0) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', killChildren);
}

/** Runs Delve on this machine with child_process.spawn and reaches it over loopback TCP. */
export class LocalDelveHost implements DelveHost {
  readonly name = 'local';

  spawn(file: string, args: string[], resumes?: number): HostProcess {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child, resumes);
    const listeners: ((line: string) => void)[] = [];
    const feed = (stream: NodeJS.ReadableStream | null): void => {
      let buf = '';
      stream?.on('data', (d: Buffer) => {
        buf += d.toString();
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          for (const l of listeners) l(line);
        }
      });
      // dlv's last message often lacks a newline; deliver it too.
      stream?.on('end', () => {
        if (buf) for (const l of listeners) l(buf);
        buf = '';
      });
    };
    feed(child.stdout);
    feed(child.stderr);
    const exited = new Promise<{ code: number | null; signal: string | null; spawnError?: Error }>((resolve) => {
      child.once('error', (err) => resolve({ code: null, signal: null, spawnError: err }));
      // 'close' (not 'exit') so every output line has been delivered before anyone reads the exit.
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    return {
      onLine: (cb) => listeners.push(cb),
      kill: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      },
      exited,
    };
  }

  isStopped(pid: number): Promise<boolean> {
    return readFile(`/proc/${pid}/stat`, 'utf8').then(isStoppedStat, () => false);
  }

  continueProcess(pid: number): Promise<void> {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // gone, or not ours: nothing to resume
    }
    return Promise.resolve();
  }

  connect(port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.setNoDelay(true);
        resolve(s);
      });
      s.once('error', reject);
    });
  }
}

/** Options for attaching Delve to a process. */
export interface StartDelveOptions {
  pid: number;
  /** Path of dlv on the host (default `dlv`). */
  dlvPath?: string;
  /** How long attaching may take before dlv is killed (which releases the target). */
  attachTimeoutMs?: number;
  /** Timeout of each JSON-RPC call. */
  rpcTimeoutMs?: number;
}

/** A Delve headless server attached to a process, with a connected JSON-RPC client. */
export interface DelveSession {
  client: DelveRpcClient;
  /** Loopback port Delve listens on, on the host. */
  port: number;
  /** Milliseconds from starting dlv until its API answered. */
  attachMs: number;
  /** The dlv process. Killing it makes the kernel release the target, which then runs on. */
  process: HostProcess;
  /** Output lines dlv wrote (warnings end up here). */
  output: string[];
  /** Closes the connection and kills dlv; use only after a detach or when giving up. */
  dispose(): Promise<void>;
}

/** Delve prints this when it serves. */
const listeningRe = /API server listening at: (?:\[[^\]]*\]|[^\s:]+):(\d+)/;

/** Maps dlv's failure output to a typed error. */
export function delveStartError(pid: number, output: string[], spawnError?: Error): HotpatchError {
  const text = output.join('\n');
  if (spawnError && (spawnError as NodeJS.ErrnoException).code === 'ENOENT') return new DelveNotFoundError('dlv');
  if (/operation not permitted|permission denied|does not own the process/i.test(text))
    return new PtraceDeniedError(pid, lastLine(text));
  if (/no such process/i.test(text)) return new HotpatchError('no-such-process', `no process with pid ${pid}`);
  if (/could not open debug info|no debug info found/i.test(text)) return new NoDebugInfoError(`process ${pid}`);
  // Delve's goversion messages: "Go version X is too old for this version of Delve (minimum ...)" and
  // "Version of Delve is too old for Go version X (maximum ...)".
  const go =
    /Go version (\S+) is too old for this version of Delve|Version of Delve is too old for Go version (\S+)/i.exec(
      text,
    );
  if (go) return new UnsupportedGoVersionError(go[1] ?? go[2] ?? 'this Go', lastLine(text));
  return new HotpatchError('dlv-start', `dlv could not attach to ${pid}: ${lastLine(text) || 'no output'}`);
}

function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim());
  return lines[lines.length - 1]?.trim() ?? '';
}

/**
 * Starts `dlv attach PID --headless --listen=127.0.0.1:0 --api-version=2 --accept-multiclient` on the host, waits for
 * its listen address and connects. The target is stopped from the attach on, until someone continues or detaches.
 * On any failure dlv is killed, so the kernel releases the target. Never uses `dlv exec` (it kills on detach).
 */
export async function startDelve(host: DelveHost, opts: StartDelveOptions): Promise<DelveSession> {
  if (!Number.isSafeInteger(opts.pid) || opts.pid <= 0)
    throw new HotpatchError('no-such-process', `bad pid ${opts.pid}`);
  const dlvPath = opts.dlvPath ?? 'dlv';
  const attachTimeoutMs = opts.attachTimeoutMs ?? 30_000;
  const t0 = performance.now();
  // dlv killed in the middle of its attach (after PTRACE_ATTACH queued a SIGSTOP, before dlv waited for it) leaves
  // that SIGSTOP pending; the kernel's detach at dlv's death then puts the whole target in a job-control stop, with
  // no tracer left to resume it (seen with a 200 ms attach timeout: the target stayed in state T for good). So a
  // failed start sends SIGCONT, which also discards a still-pending stop, unless the target was stopped before.
  const stoppedBefore = host.isStopped ? await host.isStopped(opts.pid) : true;
  const proc = host.spawn(
    dlvPath,
    ['attach', String(opts.pid), '--headless', '--listen=127.0.0.1:0', '--api-version=2', '--accept-multiclient'],
    stoppedBefore ? undefined : opts.pid,
  );
  const output: string[] = [];
  let noDebugInfo = false;
  let client: DelveRpcClient | undefined;
  const dispose = async (): Promise<void> => {
    client?.close();
    proc.kill();
    await proc.exited;
  };
  // One deadline covers the whole start (listen line, connect, first answer): the target is stopped meanwhile.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      proc.kill();
      reject(new HotpatchError('dlv-start', `dlv did not attach to ${opts.pid} within ${attachTimeoutMs} ms`));
    }, attachTimeoutMs);
  });
  deadline.catch(() => undefined);
  let port = 0;
  try {
    port = await Promise.race([
      deadline,
      new Promise<number>((resolve, reject) => {
        proc.onLine((line) => {
          output.push(line);
          if (/no debug info found/i.test(line)) noDebugInfo = true;
          const m = listeningRe.exec(line);
          if (m?.[1]) resolve(Number(m[1]));
        });
        void proc.exited.then(({ spawnError }) => {
          reject(
            spawnError && (spawnError as NodeJS.ErrnoException).code === 'ENOENT'
              ? new DelveNotFoundError(dlvPath)
              : delveStartError(opts.pid, output, spawnError),
          );
        });
      }),
    ]);
    client = new DelveRpcClient(
      await Promise.race([deadline, host.connect(port)]),
      opts.rpcTimeoutMs ?? defaultRpcTimeoutMs,
    );
    // Delve prints its "no debug info" warning right after the listen line.
    await Promise.race([deadline, client.getVersion()]);
    if (noDebugInfo || output.some((l) => /no debug info found/i.test(l)))
      throw new NoDebugInfoError(`process ${opts.pid}`);
  } catch (err) {
    // dlv listens before it attaches; when the attach fails it exits and drops our connection. Its output says why.
    const exitedSoon = await Promise.race([
      proc.exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 1000)),
    ]);
    await dispose();
    if (!stoppedBefore) await host.continueProcess?.(opts.pid);
    if (exitedSoon && !(err instanceof HotpatchError && err.code !== 'connection-lost' && err.code !== 'rpc-timeout')) {
      const mapped = delveStartError(opts.pid, output);
      if (mapped.code !== 'dlv-start') throw mapped;
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return { client, port, attachMs: performance.now() - t0, process: proc, output, dispose };
}
