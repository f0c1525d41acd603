import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { AcquisitionTarget } from './acquisitionTarget';
import { httpGet, type HttpGetOptions, type HttpResponse } from './httpGet';
import type { RemoteProgram, SafeArg } from './remoteCommand';
import { validateHost, validatePort } from './remoteCommand';
import { EndpointUnreachableError, RemoteCommandError, RemoteTimeoutError } from './remoteErrors';
import type { ExecResult } from './sshConnection';
import { silentLogger, type TraceLogger } from './traceLogger';

/** A service on this machine reached over plain TCP (`http://host:port`); files are read directly. */
export class LocalTarget implements AcquisitionTarget {
  readonly local = true;
  readonly label: string;
  private readonly host: string;
  private readonly port: number;

  constructor(
    host: string,
    port: number,
    private readonly log: TraceLogger = silentLogger,
  ) {
    this.host = validateHost(host);
    this.port = validatePort(port);
    this.label = `http://${hostPort(this.host, this.port)}`;
  }

  /** GET over a fresh TCP connection. */
  httpGet(path: string, options?: HttpGetOptions): Promise<HttpResponse> {
    const open = (timeoutMs: number): Promise<Duplex> =>
      new Promise((resolve, reject) => {
        const sock = net.connect({ host: this.host, port: this.port, timeout: timeoutMs });
        sock.once('connect', () => {
          sock.setTimeout(0);
          resolve(sock);
        });
        sock.once('timeout', () => {
          sock.destroy();
          reject(new EndpointUnreachableError(`connect to ${this.label} timed out`));
        });
        sock.once('error', (e: NodeJS.ErrnoException) =>
          reject(new EndpointUnreachableError(`cannot connect to ${this.label}: ${e.code ?? e.message}`)),
        );
      });
    return httpGet(open, hostPort(this.host, this.port), path, options, this.log);
  }

  /** Reads each file directly. */
  async readFiles(paths: SafeArg[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    await Promise.all(
      paths.map(async (p) => {
        out.set(p.value, await fs.readFile(p.value, 'utf8').catch(() => null));
      }),
    );
    return out;
  }

  /** Runs the program directly with an argument vector (execFile, no shell). */
  run(
    program: RemoteProgram,
    args: SafeArg[],
    opts: { timeoutMs?: number; maxBytes?: number } = {},
  ): Promise<ExecResult> {
    const argv = args.map((a) => a.value);
    this.log.trace('exec', `${program} ${argv.join(' ')}`);
    return new Promise((resolve, reject) => {
      execFile(
        program,
        argv,
        { timeout: opts.timeoutMs ?? 15_000, maxBuffer: opts.maxBytes ?? 4 * 1024 * 1024, encoding: 'buffer' },
        (err, stdout, stderr) => {
          const e = err as { killed?: boolean; code?: unknown; message: string } | null;
          const code = e ? e.code : 0;
          if (typeof code !== 'number') {
            if (e?.killed) reject(new RemoteTimeoutError(`${program} timed out`));
            else reject(new RemoteCommandError(`cannot run ${program}: ${String(code ?? e?.message)}`, null, ''));
            return;
          }
          resolve({ code, stdout, stderr: stderr.toString('utf8') });
        },
      );
    });
  }

  /** Nothing to release. */
  async close(): Promise<void> {}
}

/** `host:port`, bracketing IPv6 literals. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
