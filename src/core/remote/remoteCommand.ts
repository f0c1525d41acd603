import { InvalidArgumentError } from './remoteErrors';

const ARG = Symbol('validated-arg');

/** One command-line argument that passed validation; the only thing a `RemoteCommand` can be built from. */
export interface SafeArg {
  readonly [ARG]: true;
  readonly value: string;
}

function safe(value: string): SafeArg {
  return { [ARG]: true, value };
}

/** Programs leakhunt runs on the SSH host; nothing else can be executed. */
export type RemoteProgram = 'cat' | 'docker' | 'kill';

/** A remote command line assembled only from a fixed program and validated, single-quoted arguments. */
export class RemoteCommand {
  private constructor(
    /** The exact text sent in the SSH `exec` request. */
    readonly text: string,
  ) {}

  /** Builds `program 'arg1' 'arg2' ...`; every argument was validated, and quoting keeps the remote shell from interpreting it. */
  static of(program: RemoteProgram, args: SafeArg[]): RemoteCommand {
    for (const a of args) if (a[ARG] !== true) throw new InvalidArgumentError('unvalidated argument');
    return new RemoteCommand([program, ...args.map((a) => shellQuote(a.value))].join(' '));
  }

  /** Builds the command line of a long-running program (only Delve, see {@link dlvProgramArg}) from validated arguments. */
  static spawnable(program: ProgramArg, args: SafeArg[]): RemoteCommand {
    if (program[PROGRAM] !== true) throw new InvalidArgumentError('unvalidated program');
    for (const a of args) if (a[ARG] !== true) throw new InvalidArgumentError('unvalidated argument');
    return new RemoteCommand([program.value, ...args.map((a) => shellQuote(a.value))].join(' '));
  }
}

const PROGRAM = Symbol('validated-program');

/** A program that may be started as a long-running process on the SSH host; only {@link dlvProgramArg} makes one. */
export interface ProgramArg {
  readonly [PROGRAM]: true;
  /** The program word, already single-quoted when it is a path. */
  readonly value: string;
}

/** The Delve executable: `dlv` (looked up on the host's PATH) or an absolute plain path whose last segment is `dlv`. */
export function dlvProgramArg(p: string): ProgramArg {
  if (p === 'dlv') return { [PROGRAM]: true, value: 'dlv' };
  let quoted: string;
  try {
    quoted = shellQuote(pathArg(p).value);
  } catch {
    throw new InvalidArgumentError(`invalid dlv path '${p.slice(0, 60)}': 'dlv' or an absolute path is required`);
  }
  if (!p.endsWith('/dlv')) throw new InvalidArgumentError(`invalid dlv path '${p.slice(0, 60)}': it must name dlv`);
  return { [PROGRAM]: true, value: quoted };
}

/** Fixed flags of `dlv attach` (written in leakhunt's source, never user input). */
const DLV_FLAGS = new Set(['attach', '--headless', '--api-version=2', '--accept-multiclient']);

/** `--listen=127.0.0.1:PORT`: Delve may listen on loopback only (port 0 lets the kernel pick one). */
export function loopbackListenArg(port: number | string): SafeArg {
  const s = String(port);
  if (s !== '0') validatePort(s);
  return safe(`--listen=127.0.0.1:${s}`);
}

/**
 * Validates a dlv argument vector word by word: only the fixed `attach` flags, a PID, and a loopback listen
 * address; anything else is refused, so no user text can reach the remote shell through Delve.
 */
export function dlvArgs(args: string[]): SafeArg[] {
  return args.map((a) => {
    if (DLV_FLAGS.has(a)) return safe(a);
    if (/^[0-9]+$/.test(a)) return pidArg(a);
    const listen = /^--listen=127\.0\.0\.1:([0-9]{1,5})$/.exec(a);
    if (listen) return loopbackListenArg(listen[1] ?? '');
    throw new InvalidArgumentError(
      `refusing dlv argument '${a.slice(0, 40)}': not one of the allowed attach arguments`,
    );
  });
}

/** Single-quotes a value for a POSIX shell (the only quote style with no special characters inside). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A process id: a positive decimal integer below 2^22 (Linux pid_max limit). */
export function pidArg(pid: number | string): SafeArg {
  const s = String(pid);
  if (!/^[1-9][0-9]{0,6}$/.test(s) || Number(s) > 4_194_304) {
    throw new InvalidArgumentError(`invalid PID '${s.slice(0, 40)}': a positive integer is required`);
  }
  return safe(s);
}

/** The one signal leakhunt sends on a host: `-CONT`, to resume a target a failed dlv attach left stopped. */
export function continueSignalArg(): SafeArg {
  return safe('-CONT');
}

/** Validates a PID and returns it as a number. */
export function validatePid(pid: number | string): number {
  return Number(pidArg(pid).value);
}

/** A docker container name or id: `^[A-Za-z0-9][A-Za-z0-9_.-]*$` (docker's own rule), at most 128 characters. */
export function containerArg(ref: string): SafeArg {
  if (ref.length > 128 || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(ref)) {
    throw new InvalidArgumentError(
      `invalid container name or id '${ref.slice(0, 40)}': only letters, digits, '_', '.', '-' are allowed`,
    );
  }
  return safe(ref);
}

/**
 * An absolute file path with no `..` segments, control characters or shell-special characters outside a small
 * allow-list; it is also single-quoted when used, so this is defence in depth.
 */
export function pathArg(p: string): SafeArg {
  if (
    p.length === 0 ||
    p.length > 4096 ||
    !p.startsWith('/') ||
    !/^[A-Za-z0-9_./:@+,=-]+$/.test(p) ||
    p.split('/').some((seg) => seg === '..')
  ) {
    throw new InvalidArgumentError(
      `invalid path '${p.slice(0, 60)}': an absolute path of plain characters is required`,
    );
  }
  return safe(p);
}

/** A fixed option or sub-command written in leakhunt's source (never user input), e.g. `inspect`, `-H`. */
export function literalArg(s: 'inspect' | 'ps' | '--no-trunc' | '--format' | '{{json .}}' | '--'): SafeArg {
  return safe(s);
}

/** A host name or IP address to connect to: letters, digits, `.`, `-`, `:` (IPv6), at most 253 characters. */
export function validateHost(h: string): string {
  if (h.length === 0 || h.length > 253 || !/^[A-Za-z0-9.:-]+$/.test(h) || h.startsWith('-')) {
    throw new InvalidArgumentError(`invalid host '${h.slice(0, 40)}'`);
  }
  return h;
}

/** A TCP port 1..65535. */
export function validatePort(p: number | string): number {
  const s = String(p);
  if (!/^[0-9]{1,5}$/.test(s) || Number(s) < 1 || Number(s) > 65535) {
    throw new InvalidArgumentError(`invalid port '${s.slice(0, 20)}'`);
  }
  return Number(s);
}

/** Parses `HOST:PORT` (or `[v6]:PORT`) with both parts validated. */
export function parseHostPort(s: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:([^:]+)$/.exec(s) ?? /^([^:]+):([^:]+)$/.exec(s);
  if (!m) throw new InvalidArgumentError(`invalid endpoint '${s.slice(0, 40)}': HOST:PORT expected`);
  return { host: validateHost(m[1] ?? ''), port: validatePort(m[2] ?? '') };
}

/** A pprof path prefix such as `/debug/pprof`: starts with `/`, URL path characters only. */
export function validatePathPrefix(p: string): string {
  if (!/^\/[A-Za-z0-9_.~\/-]*$/.test(p) || p.includes('//') || p.split('/').includes('..')) {
    throw new InvalidArgumentError(`invalid pprof path prefix '${p.slice(0, 40)}'`);
  }
  return p.replace(/\/+$/, '');
}
