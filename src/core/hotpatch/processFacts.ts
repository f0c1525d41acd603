import { readFile, readlink } from 'node:fs/promises';
import { ForeignProcessError, HotpatchError, PtraceDeniedError } from './hotpatchErrors';

/** What the kernel says about a target process and about us, as far as attaching a debugger is concerned. */
export interface ProcessFacts {
  pid: number;
  /** Real uid owning the target. */
  ownerUid: number;
  /** PID of a debugger already tracing the target (0 when none). */
  tracerPid: number;
  /** Process state letter from /proc/PID/status (R, S, t, T, Z...). */
  state: string;
  /** Path of the running executable (may end in " (deleted)"). */
  exe: string;
  /** Start time in clock ticks since boot (/proc/PID/stat field 22): tells a restarted process from the patched one. */
  startTime: string;
  /** Our effective uid. */
  ourUid: number;
  /** Whether we hold CAP_SYS_PTRACE in our effective set. */
  capSysPtrace: boolean;
  /** /proc/sys/kernel/yama/ptrace_scope, or undefined without Yama. */
  yamaScope: number | undefined;
}

const CAP_SYS_PTRACE = 19n;

function statusField(status: string, key: string): string | undefined {
  return new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(status)?.[1];
}

/** Reads ProcessFacts for a local process from /proc; a missing process is a typed error. */
export async function localProcessFacts(pid: number): Promise<ProcessFacts> {
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new HotpatchError('no-such-process', `bad pid ${pid}`);
  let status: string;
  try {
    status = await readFile(`/proc/${pid}/status`, 'utf8');
  } catch {
    throw new HotpatchError('no-such-process', `no process with pid ${pid}`);
  }
  const self = await readFile('/proc/self/status', 'utf8');
  let exe = '';
  try {
    exe = await readlink(`/proc/${pid}/exe`);
  } catch {
    // another user's process: the owner check below explains it
  }
  let yamaScope: number | undefined;
  try {
    yamaScope = Number((await readFile('/proc/sys/kernel/yama/ptrace_scope', 'utf8')).trim());
  } catch {
    yamaScope = undefined;
  }
  let startTime = '';
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    startTime = '';
  }
  const capEff = BigInt(`0x${statusField(self, 'CapEff') ?? '0'}`);
  return {
    pid,
    ownerUid: Number(statusField(status, 'Uid')?.split(/\s+/)[0] ?? -1),
    tracerPid: Number(statusField(status, 'TracerPid') ?? 0),
    state: statusField(status, 'State')?.[0] ?? '?',
    exe,
    startTime,
    ourUid: Number(statusField(self, 'Uid')?.split(/\s+/)[1] ?? -1),
    capSysPtrace: ((capEff >> CAP_SYS_PTRACE) & 1n) === 1n,
    yamaScope,
  };
}

/**
 * Throws the typed error that explains why Delve could not attach, or returns when attaching should work:
 * another user's process without CAP_SYS_PTRACE, Yama restrictions, or a debugger already attached.
 */
export function assertAttachable(f: ProcessFacts): void {
  if (f.state === 'Z') throw new HotpatchError('no-such-process', `process ${f.pid} is a zombie`);
  if (f.ownerUid !== f.ourUid && !f.capSysPtrace) throw new ForeignProcessError(f.pid, f.ownerUid, f.ourUid);
  if (f.yamaScope === 3) throw new PtraceDeniedError(f.pid, 'Yama ptrace_scope is 3: ptrace is disabled on this host');
  if ((f.yamaScope === 1 || f.yamaScope === 2) && !f.capSysPtrace)
    throw new PtraceDeniedError(f.pid, `Yama ptrace_scope is ${f.yamaScope} and CAP_SYS_PTRACE is missing`);
  if (f.tracerPid !== 0)
    throw new PtraceDeniedError(f.pid, `it is already traced by pid ${f.tracerPid} (another debugger is attached)`);
}
