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

/** The /proc texts ProcessFacts are read from; the same on a local and a remote host. */
export interface ProcTexts {
  pid: number;
  /** /proc/PID/status */
  status: string;
  /** /proc/PID/stat, or '' when unreadable. */
  stat: string;
  /** /proc/self/status of a process running as us (our uid and capabilities). */
  selfStatus: string;
  /** /proc/sys/kernel/yama/ptrace_scope, or undefined without Yama. */
  yama: string | undefined;
  /** The executable's path, or '' when unknown. */
  exe: string;
}

/** Builds ProcessFacts from /proc texts. */
export function parseProcessFacts(t: ProcTexts): ProcessFacts {
  const capEff = BigInt(`0x${statusField(t.selfStatus, 'CapEff') ?? '0'}`);
  const yama = t.yama === undefined ? undefined : Number(t.yama.trim());
  return {
    pid: t.pid,
    ownerUid: Number(statusField(t.status, 'Uid')?.split(/\s+/)[0] ?? -1),
    tracerPid: Number(statusField(t.status, 'TracerPid') ?? 0),
    state: statusField(t.status, 'State')?.[0] ?? '?',
    exe: t.exe,
    startTime: t.stat ? (t.stat.slice(t.stat.lastIndexOf(')') + 2).split(' ')[19] ?? '') : '',
    ourUid: Number(statusField(t.selfStatus, 'Uid')?.split(/\s+/)[1] ?? -1),
    capSysPtrace: ((capEff >> CAP_SYS_PTRACE) & 1n) === 1n,
    yamaScope: yama !== undefined && Number.isFinite(yama) ? yama : undefined,
  };
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
  const opt = (p: string): Promise<string | undefined> => readFile(p, 'utf8').catch(() => undefined);
  return parseProcessFacts({
    pid,
    status,
    stat: (await opt(`/proc/${pid}/stat`)) ?? '',
    selfStatus: (await opt('/proc/self/status')) ?? '',
    yama: await opt('/proc/sys/kernel/yama/ptrace_scope'),
    // Another user's process hides its exe link; the owner check explains that case.
    exe: await readlink(`/proc/${pid}/exe`).catch(() => ''),
  });
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
