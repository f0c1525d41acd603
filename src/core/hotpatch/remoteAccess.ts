import type { Duplex } from 'node:stream';
import { dlvArgs, dlvProgramArg, type ProgramArg, type SafeArg } from '../remote/remoteCommand';
import type { SshConnection } from '../remote/sshConnection';
import { isStoppedStat, type DelveHost, type HostProcess } from './delveProcess';
import type { ByteSource } from './elfFile';
import { HotpatchError } from './hotpatchErrors';
import type { TargetAccess } from './patchPool';
import { parseProcessFacts } from './processFacts';

/**
 * What a hot patch needs from an SSH host: start a program (with a pty, so closing the channel hangs it up and the
 * kernel releases a tracee), open a tunnel to a loopback port there, and read files. {@link sshShell} implements it
 * over the product's SshConnection.
 */
export interface RemoteShell {
  /** A label for messages and the audit log, e.g. `ssh://ecu`. */
  readonly name: string;
  /** Starts a validated program on the host; kill() closes the channel (SIGHUP with a pty) after a KILL signal. */
  spawn(program: ProgramArg, args: SafeArg[], opts: { pty: boolean }): HostProcess;
  /** Opens a direct-tcpip channel to host:port as seen from the SSH host. */
  forwardOut(host: string, port: number, timeoutMs: number): Promise<Duplex>;
  /** Reads a whole file (at most maxBytes); null when it does not exist or cannot be read. */
  readFile(path: string, maxBytes: number): Promise<Buffer | null>;
  /** Sends SIGCONT to `pid` on the host; never throws. */
  continueProcess(pid: number): Promise<void>;
}

const safePath = /^\/[A-Za-z0-9._+\-/]*$/;

/** The RemoteShell of one open SSH connection (one connection for the whole patch: a drop must not be retried). */
export function sshShell(conn: SshConnection, name: string): RemoteShell {
  return {
    name,
    spawn: (program, args, opts) => conn.spawn(program, args, opts),
    forwardOut: (host, port, timeoutMs) => conn.forwardOut(host, port, timeoutMs),
    readFile: (path, maxBytes) => conn.readFile(path, maxBytes),
    continueProcess: (pid) => conn.continueProcess(pid),
  };
}

/** A Delve host on the far side of SSH: dlv runs through `exec`, and the JSON-RPC port is reached by `forwardOut`. */
export class RemoteDelveHost implements DelveHost {
  constructor(private readonly shell: RemoteShell) {}

  get name(): string {
    return this.shell.name;
  }

  spawn(file: string, args: string[]): HostProcess {
    // Every word is validated against the dlv allow-list and single-quoted, so the remote shell runs exactly this argv.
    let program: ProgramArg;
    let safeArgs: SafeArg[];
    try {
      program = dlvProgramArg(file);
      safeArgs = dlvArgs(args);
    } catch (e) {
      throw new HotpatchError('dlv-start', (e as Error).message);
    }
    return this.shell.spawn(program, safeArgs, { pty: true });
  }

  connect(port: number): Promise<Duplex> {
    return this.shell.forwardOut('127.0.0.1', port, 10_000);
  }

  // A dlv killed mid-attach can leave the target in a job-control stop with no tracer; startDelve resumes it.
  async isStopped(pid: number): Promise<boolean> {
    const stat = (await this.shell.readFile(`/proc/${pid}/stat`, 4096))?.toString('utf8');
    return stat !== undefined && isStoppedStat(stat);
  }

  continueProcess(pid: number): Promise<void> {
    return this.shell.continueProcess(pid);
  }
}

function bufferSource(buf: Buffer): ByteSource {
  return {
    read: (offset, length) => Promise.resolve(buf.subarray(offset, offset + length)),
    close: () => Promise.resolve(),
  };
}

/**
 * TargetAccess for a process on an SSH host: /proc read with `cat` (our uid and capabilities come from the `cat`
 * process's own /proc/self/status, which runs as the SSH login user), the binary read whole through /proc/PID/exe,
 * and dlv started remotely, reached through the tunnel. Nothing listens beyond the host's loopback.
 */
export function remoteAccess(shell: RemoteShell, opts: { maxBinaryBytes?: number } = {}): TargetAccess {
  const maxBinary = opts.maxBinaryBytes ?? 512 << 20;
  const text = async (p: string): Promise<string | undefined> => (await shell.readFile(p, 1 << 20))?.toString('utf8');
  return {
    host: new RemoteDelveHost(shell),
    async facts(pid) {
      if (!Number.isSafeInteger(pid) || pid <= 0) throw new HotpatchError('no-such-process', `bad pid ${pid}`);
      const status = await text(`/proc/${pid}/status`);
      if (status === undefined)
        throw new HotpatchError('no-such-process', `no process with pid ${pid} on ${shell.name}`);
      const cmdline = (await text(`/proc/${pid}/cmdline`)) ?? '';
      const argv0 = cmdline.split('\0')[0] ?? '';
      const facts = parseProcessFacts({
        pid,
        status,
        stat: (await text(`/proc/${pid}/stat`)) ?? '',
        selfStatus: (await text('/proc/self/status')) ?? '',
        yama: await text('/proc/sys/kernel/yama/ptrace_scope'),
        exe: argv0.startsWith('/') ? argv0 : '',
      });
      // dlv runs as the SSH login user and its server only serves that user's connections (our forwardOut comes
      // from that user's sshd), so the process must be the login user's own, even when the login is root.
      if (facts.ownerUid !== facts.ourUid)
        throw new HotpatchError(
          'foreign-process',
          `process ${pid} on ${shell.name} belongs to uid ${facts.ownerUid}, but the SSH login is uid ${facts.ourUid}; ` +
            `log in as the process's owner (ssh://OWNER@host) so dlv runs as that user`,
        );
      return facts;
    },
    async openBinary(pid) {
      const bin = await shell.readFile(`/proc/${pid}/exe`, maxBinary);
      if (!bin) throw new HotpatchError('no-debug-info', `cannot read /proc/${pid}/exe on ${shell.name}`);
      return bufferSource(bin);
    },
    async debugFileExists(exe, link) {
      if (!exe) return false;
      const dir = exe.slice(0, exe.lastIndexOf('/')) || '/';
      for (const p of [`${dir}/${link}`, `${dir}/.debug/${link}`, `/usr/lib/debug${dir}/${link}`])
        if (safePath.test(p) && (await shell.readFile(p, 64 << 20)) !== null) return true;
      return false;
    },
  };
}
