import type { AcquisitionTarget } from './acquisitionTarget';
import { httpGet, type HttpGetOptions, type HttpResponse } from './httpGet';
import { catFilesCommand, splitCatOutput } from './catFiles';
import { hostPort } from './localTarget';
import { RemoteCommand, type RemoteProgram, type SafeArg, validateHost, validatePort } from './remoteCommand';
import type { ExecResult } from './sshConnection';
import { ConnectionLostError, RemoteCommandError } from './remoteErrors';
import type { SshSession } from './sshSession';
import { silentLogger, type TraceLogger } from './traceLogger';

/** A pprof endpoint as seen from an SSH host, reached through direct-tcpip channels; files are read with one exec. */
export class SshTarget implements AcquisitionTarget {
  readonly local = false;
  readonly label: string;
  private readonly host: string;
  private readonly port: number;

  constructor(
    readonly session: SshSession,
    sshLabel: string,
    endpointHost: string,
    endpointPort: number,
    private readonly log: TraceLogger = silentLogger,
  ) {
    this.host = validateHost(endpointHost);
    this.port = validatePort(endpointPort);
    this.label = `${sshLabel} → ${hostPort(this.host, this.port)}`;
  }

  /** GET through a fresh direct-tcpip channel on the (re)connected session. */
  async httpGet(path: string, options?: HttpGetOptions): Promise<HttpResponse> {
    const conn = await this.session.connection();
    try {
      return await httpGet(
        (t) => conn.forwardOut(this.host, this.port, t),
        hostPort(this.host, this.port),
        path,
        options,
        this.log,
      );
    } catch (e) {
      // A request cut by a dropped SSH connection is a transport failure, not a fault of the endpoint.
      if (conn.closed && !(e instanceof ConnectionLostError)) {
        throw new ConnectionLostError(`SSH connection lost during GET ${path}: ${(e as Error).message}`);
      }
      throw e;
    }
  }

  /** ONE exec of `cat` over all the files (see catFiles.ts for how the output is split); missing files map to null. */
  async readFiles(paths: SafeArg[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>(paths.map((p) => [p.value, null]));
    if (paths.length === 0) return out;
    const conn = await this.session.connection();
    const res = await conn.exec(catFilesCommand(paths), { timeoutMs: 15_000, maxBytes: 4 * 1024 * 1024 });
    const parts = splitCatOutput(res.stdout.toString('utf8'), paths.length);
    if (!parts) {
      throw new RemoteCommandError(
        `cannot split the output of cat (exit ${res.code}): ${res.stderr.trim().slice(0, 200)}`,
        res.code,
        res.stderr,
      );
    }
    paths.forEach((p, i) => out.set(p.value, parts[i] ?? null));
    return out;
  }

  /** Runs `program 'arg'...` with one SSH exec. */
  async run(
    program: RemoteProgram,
    args: SafeArg[],
    opts: { timeoutMs?: number; maxBytes?: number } = {},
  ): Promise<ExecResult> {
    const conn = await this.session.connection();
    return conn.exec(RemoteCommand.of(program, args), {
      timeoutMs: opts.timeoutMs ?? 15_000,
      maxBytes: opts.maxBytes ?? 4 * 1024 * 1024,
    });
  }

  /** Closes the SSH session. */
  async close(): Promise<void> {
    this.session.close();
  }
}
