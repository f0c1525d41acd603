import { promises as fs } from 'node:fs';
import type { Duplex } from 'node:stream';
import {
  Client,
  utils as sshUtils,
  type AnyAuthMethod,
  type AuthenticationType,
  type ClientChannel,
  type ConnectConfig,
} from 'ssh2';
import { appendKnownHost, hostKeyFingerprint, KnownHosts, knownHostId, keyTypeOfBlob } from './knownHosts';
import { continueSignalArg, pathArg, pidArg, RemoteCommand, type ProgramArg, type SafeArg } from './remoteCommand';
import {
  ConnectionLostError,
  EndpointUnreachableError,
  HostKeyMismatchError,
  HostUnreachableError,
  RemoteCommandError,
  RemoteError,
  RemoteTimeoutError,
  RevokedHostKeyError,
  SshAuthError,
  UnknownHostKeyError,
} from './remoteErrors';
import type { SshEndpoint, SshRoute } from './resolveSshRoute';
import { silentLogger, type TraceLogger } from './traceLogger';

/** Callbacks that supply secrets on demand; their answers are used in memory only and never logged or stored. */
export interface SshAuthCallbacks {
  /** Passphrase for an encrypted private key file; `undefined` skips the key. */
  passphrase?(keyFile: string, attempt: number): Promise<string | undefined>;
  /** Password for `user@host`; `undefined` skips password authentication. */
  password?(user: string, host: string): Promise<string | undefined>;
  /** Answers for keyboard-interactive prompts; `undefined` skips the method. */
  keyboardInteractive?(
    prompts: { prompt: string; echo: boolean }[],
    info: { user: string; host: string; name: string; instructions: string },
  ): Promise<string[] | undefined>;
}

/** What the unknown-host-key callback is shown before it decides. */
export interface UnknownHostKeyInfo {
  hostId: string;
  keyType: string;
  fingerprint: string;
  /** Other key types already recorded for this host, if any. */
  otherTypesKnown: string[];
  /** The known_hosts file the key would be appended to. */
  knownHostsFile: string;
}

/** Everything needed to open one SSH connection (through its jump hops). */
export interface SshConnectOptions {
  route: SshRoute;
  /** ssh-agent socket (usually `SSH_AUTH_SOCK`); agent auth is skipped without it. */
  agentSocket?: string;
  auth?: SshAuthCallbacks;
  /** Decides on a host key missing from known_hosts; `true` appends it to the first known_hosts file. Absent = refuse. */
  onUnknownHostKey?(info: UnknownHostKeyInfo): Promise<boolean>;
  /** TCP connect + key exchange limit per hop, unless the ssh config's ConnectTimeout says otherwise. Default 15 s. */
  connectTimeoutMs?: number;
  /** Extra time allowed for authentication (passphrase prompts). Default 120 s. */
  authTimeoutMs?: number;
  /** Keepalive interval unless the config's ServerAliveInterval says otherwise. Default 10 s. */
  keepaliveIntervalMs?: number;
  logger?: TraceLogger;
}

/** A long-running program started on the SSH host by {@link SshConnection.spawn}. */
export interface RemoteProcess {
  /** Called for each line the program writes (with a pty, stdout and stderr arrive merged; CRs are dropped). */
  onLine(cb: (line: string) => void): void;
  /** Sends KILL, then closes the channel (with a pty that hangs the program up); safe to call twice. */
  kill(): void;
  /** Resolves when the channel has closed; never rejects (a failed start comes back as `spawnError`). */
  readonly exited: Promise<{ code: number | null; signal: string | null; spawnError?: Error }>;
}

/** Output of a finished remote command. */
export interface ExecResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET']);

function hostKeyAlgorithmsFor(types: string[]): string[] {
  return types.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
}

async function readKey(
  file: string,
  auth: SshAuthCallbacks | undefined,
  log: TraceLogger,
): Promise<ReturnType<typeof sshUtils.parseKey> | undefined> {
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch {
    return undefined;
  }
  let parsed = sshUtils.parseKey(data);
  if (!(parsed instanceof Error)) return parsed;
  if (!/encrypted|passphrase/i.test(parsed.message)) {
    log.trace('ssh', `skipping identity ${file}: ${parsed.message}`);
    return undefined;
  }
  for (let attempt = 1; attempt <= 3 && auth?.passphrase; attempt++) {
    const pass = await auth.passphrase(file, attempt);
    if (pass === undefined) return undefined;
    parsed = sshUtils.parseKey(data, pass);
    if (!(parsed instanceof Error)) return parsed;
    log.trace('ssh', `wrong passphrase for ${file} (attempt ${attempt})`);
  }
  return undefined;
}

/** One open SSH connection to the target (hop clients kept alive underneath); forwards TCP and runs validated commands. */
export class SshConnection {
  private closedFlag = false;
  private readonly closeListeners: ((reason: string) => void)[] = [];
  /** Spawns whose channel has not opened yet: settled when the connection goes away. */
  private readonly pendingSpawns = new Set<(reason: string) => void>();

  private constructor(
    private readonly clients: Client[],
    readonly route: SshRoute,
    private readonly log: TraceLogger,
  ) {
    for (const c of clients) {
      // ssh2 refuses writes ("Not connected") as soon as the peer ends the stream, a moment before 'close':
      // a request made in that moment must be blamed on the connection, not on the endpoint.
      c.on('end', () => this.markClosed('connection ended'));
      c.on('close', () => this.markClosed('connection closed'));
      c.on('error', (e: Error) => this.markClosed(e.message));
    }
  }

  /** Whether the connection (or any hop under it) has dropped. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Registers a listener called once when the connection drops. */
  onClose(fn: (reason: string) => void): void {
    this.closeListeners.push(fn);
  }

  private markClosed(reason: string): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.log.trace('ssh', `connection to ${this.route.target.alias} closed: ${reason}`);
    for (const fn of this.closeListeners) fn(reason);
    for (const fn of [...this.pendingSpawns]) fn(reason);
  }

  private get client(): Client {
    const c = this.clients[this.clients.length - 1];
    if (!c) throw new ConnectionLostError('no SSH client');
    return c;
  }

  /** Opens the connection hop by hop: each jump's `forwardOut` stream is the next hop's socket. */
  static async open(opts: SshConnectOptions): Promise<SshConnection> {
    const log = opts.logger ?? silentLogger;
    const hops = [...opts.route.jumps, opts.route.target];
    const clients: Client[] = [];
    try {
      for (const [i, ep] of hops.entries()) {
        let sock: Duplex | undefined;
        const prev = clients[i - 1];
        if (prev) {
          log.trace('ssh', `forwarding to hop ${ep.alias} (${ep.host}:${ep.port}) through ${hops[i - 1]?.alias}`);
          sock = await forwardOutOn(prev, ep.host, ep.port, opts.connectTimeoutMs ?? 15000).catch((e: unknown) => {
            throw new HostUnreachableError(
              `jump host ${hops[i - 1]?.alias} could not reach ${ep.host}:${ep.port}: ${(e as Error).message}`,
            );
          });
        }
        clients.push(await connectOne(ep, sock, opts, log));
      }
    } catch (e) {
      for (const c of clients.reverse()) c.end();
      throw e;
    }
    return new SshConnection(clients, opts.route, log);
  }

  /** Opens a direct-tcpip channel to `host:port` as seen from the SSH host (e.g. a container IP on the docker bridge). */
  async forwardOut(host: string, port: number, timeoutMs: number): Promise<Duplex> {
    if (this.closedFlag) throw new ConnectionLostError(`SSH connection to ${this.route.target.alias} is closed`);
    this.log.trace('ssh', `direct-tcpip to ${host}:${port}`);
    try {
      return await forwardOutOn(this.client, host, port, timeoutMs);
    } catch (e) {
      if (e instanceof RemoteError) throw e;
      if (this.closedFlag) throw new ConnectionLostError(`SSH connection lost: ${(e as Error).message}`);
      throw new EndpointUnreachableError(
        `${host}:${port} is not reachable from ${this.route.target.alias}: ${(e as Error).message}`,
      );
    }
  }

  /** Runs a command built from validated arguments; stdout is capped at `maxBytes`. */
  async exec(cmd: RemoteCommand, opts: { timeoutMs: number; maxBytes: number }): Promise<ExecResult> {
    if (this.closedFlag) throw new ConnectionLostError(`SSH connection to ${this.route.target.alias} is closed`);
    const text = cmd.text;
    this.log.trace('exec', `exec ${text}`);
    return new Promise<ExecResult>((resolve, reject) => {
      let done = false;
      const finish = (err: Error | undefined, res?: ExecResult): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else if (res) resolve(res);
      };
      const timer = setTimeout(
        () => finish(new RemoteTimeoutError(`remote command timed out after ${opts.timeoutMs} ms`)),
        opts.timeoutMs,
      );
      const onExec = (err: Error | undefined, ch: ClientChannel): void => {
        if (err) {
          finish(
            this.closedFlag ? new ConnectionLostError(err.message) : new RemoteCommandError(err.message, null, ''),
          );
          return;
        }
        const out: Buffer[] = [];
        let outLen = 0;
        let errText = '';
        let code: number | null = null;
        ch.on('data', (d: Buffer) => {
          outLen += d.length;
          if (outLen > opts.maxBytes) {
            ch.close();
            finish(new RemoteCommandError(`remote command output exceeded ${opts.maxBytes} bytes`, null, ''));
            return;
          }
          out.push(d);
        });
        // Without a listener a channel error would crash the process.
        ch.on('error', (e: Error) => finish(new ConnectionLostError(`command channel failed: ${e.message}`)));
        ch.stderr.on('data', (d: Buffer) => {
          if (errText.length < 4096) errText += d.toString('utf8');
        });
        ch.on('exit', (c: number | null) => {
          code = c;
        });
        ch.on('close', () => {
          if (this.closedFlag && code === null) finish(new ConnectionLostError('SSH connection lost during command'));
          else finish(undefined, { code, stdout: Buffer.concat(out), stderr: errText });
        });
      };
      try {
        this.client.exec(text, onExec);
      } catch (e) {
        // ssh2 throws synchronously when the connection went away between the check above and here.
        finish(new ConnectionLostError(`cannot run a command: ${(e as Error).message}`));
      }
    });
  }

  /**
   * Starts a long-running program built only from validated words (see `dlvProgramArg`/`dlvArgs`). With `pty`, closing
   * the channel (or losing the connection) hangs the program up, so a dropped link cannot leave it running.
   */
  spawn(program: ProgramArg, args: SafeArg[], opts: { pty: boolean }): RemoteProcess {
    const text = RemoteCommand.spawnable(program, args).text;
    const listeners: ((line: string) => void)[] = [];
    let channel: ClientChannel | undefined;
    let killed = false;
    let resolveExit!: (v: { code: number | null; signal: string | null; spawnError?: Error }) => void;
    const exited = new Promise<{ code: number | null; signal: string | null; spawnError?: Error }>(
      (r) => (resolveExit = r),
    );
    const kill = (): void => {
      killed = true;
      if (!channel) return;
      try {
        channel.signal('KILL');
      } catch {
        // OpenSSH ignores signal requests before 7.9 and ssh2 throws on a closed channel; the close below hangs up.
      }
      channel.close();
    };
    if (this.closedFlag) {
      resolveExit({ code: null, signal: null, spawnError: new ConnectionLostError('SSH connection is closed') });
    } else {
      // A connection that drops (or is closed here) before the channel opens may never call back; `exited` must settle.
      const onDrop = (reason: string): void =>
        resolveExit({ code: null, signal: null, spawnError: new ConnectionLostError(reason) });
      this.pendingSpawns.add(onDrop);
      void exited.then(() => this.pendingSpawns.delete(onDrop));
      this.log.trace('exec', `spawn ${text}${opts.pty ? ' (pty)' : ''}`);
      const onExec = (err: Error | undefined, ch: ClientChannel): void => {
        if (err) {
          resolveExit({ code: null, signal: null, spawnError: err });
          return;
        }
        channel = ch;
        this.pendingSpawns.delete(onDrop);
        let buf = '';
        let code: number | null = null;
        let signal: string | null = null;
        const feed = (d: Buffer): void => {
          buf += d.toString('utf8').replace(/\r/g, '');
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            for (const l of listeners) l(line);
          }
        };
        ch.on('data', feed);
        ch.stderr.on('data', feed);
        ch.on('error', () => undefined);
        ch.on('exit', (c: number | null, sig?: string) => {
          code = c;
          signal = sig ?? null;
        });
        ch.on('close', () => {
          if (buf) for (const l of listeners) l(buf);
          buf = '';
          resolveExit({ code, signal });
        });
        if (killed) kill();
      };
      try {
        if (opts.pty) this.client.exec(text, { pty: true }, onExec);
        else this.client.exec(text, onExec);
      } catch (e) {
        resolveExit({ code: null, signal: null, spawnError: new ConnectionLostError((e as Error).message) });
      }
    }
    return { onLine: (cb) => listeners.push(cb), kill, exited };
  }

  /** Reads a whole file with `cat`; null when it is missing, unreadable or larger than `maxBytes`. */
  async readFile(path: string, maxBytes: number, timeoutMs = 120_000): Promise<Buffer | null> {
    const cmd = RemoteCommand.of('cat', [pathArg(path)]);
    try {
      const r = await this.exec(cmd, { timeoutMs, maxBytes });
      return r.code === 0 ? r.stdout : null;
    } catch (e) {
      if (e instanceof RemoteCommandError) return null;
      throw e;
    }
  }

  /** Sends SIGCONT to `pid` on the host (`kill -CONT PID`, validated pid); never throws, since the process may be gone. */
  async continueProcess(pid: number, timeoutMs = 10_000): Promise<void> {
    try {
      await this.exec(RemoteCommand.of('kill', [continueSignalArg(), pidArg(pid)]), { timeoutMs, maxBytes: 4096 });
    } catch (e) {
      this.log.trace('ssh', `kill -CONT ${pid} failed: ${(e as Error).message}`);
    }
  }

  /** Closes the target connection, then the hops. */
  close(): void {
    this.closedFlag = true;
    for (const fn of [...this.pendingSpawns]) fn('SSH connection closed');
    for (const c of [...this.clients].reverse()) c.end();
  }
}

function forwardOutOn(client: Client, host: string, port: number, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new RemoteTimeoutError(`opening a channel to ${host}:${port} timed out`)),
      timeoutMs,
    );
    try {
      client.forwardOut('127.0.0.1', 0, host, port, (err, ch) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(ch);
      });
    } catch (e) {
      clearTimeout(timer);
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}

async function connectOne(
  ep: SshEndpoint,
  sock: Duplex | undefined,
  opts: SshConnectOptions,
  log: TraceLogger,
): Promise<Client> {
  const lookupHost = ep.hostKeyAlias ?? ep.host;
  const lookupPort = ep.hostKeyAlias ? 22 : ep.port;
  const hostId = knownHostId(lookupHost, lookupPort);
  const known = await KnownHosts.load(ep.knownHostsFiles);
  const knownTypes = known.typesFor(lookupHost, lookupPort);
  const connectTimeoutMs = ep.connectTimeoutMs ?? opts.connectTimeoutMs ?? 15000;
  let refusal: Error | undefined;
  const tried: string[] = [];

  const candidates: (() => Promise<AnyAuthMethod | undefined>)[] = [];
  if (opts.agentSocket && !ep.identitiesOnly) {
    const agent = opts.agentSocket;
    candidates.push(async () => {
      tried.push('agent');
      return { type: 'agent', username: ep.user, agent };
    });
  }
  for (const file of ep.identityFiles) {
    candidates.push(async () => {
      const key = await readKey(file, opts.auth, log);
      if (!key) return undefined;
      tried.push(`publickey ${file}`);
      const k = Array.isArray(key) ? key[0] : key;
      return { type: 'publickey', username: ep.user, key: k };
    });
  }
  if (opts.auth?.keyboardInteractive) {
    const ki = opts.auth.keyboardInteractive.bind(opts.auth);
    candidates.push(async () => {
      tried.push('keyboard-interactive');
      return {
        type: 'keyboard-interactive',
        username: ep.user,
        prompt: (name, instructions, _lang, prompts, finish) => {
          ki(
            prompts.map((p) => ({ prompt: p.prompt, echo: p.echo ?? false })),
            { user: ep.user, host: ep.host, name, instructions },
          ).then(
            (answers) => finish(answers ?? []),
            () => finish([]),
          );
        },
      };
    });
  }
  if (opts.auth?.password) {
    const pw = opts.auth.password.bind(opts.auth);
    candidates.push(async () => {
      const password = await pw(ep.user, ep.host);
      if (password === undefined) return undefined;
      tried.push('password');
      return { type: 'password', username: ep.user, password };
    });
  }

  const client = new Client();
  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(handshakeTimer);
      client.end();
      reject(e);
    };
    const handshakeTimer = setTimeout(
      () =>
        fail(
          new RemoteTimeoutError(
            `connecting to ${ep.alias} (${ep.host}:${ep.port}) timed out after ${connectTimeoutMs} ms`,
          ),
        ),
      connectTimeoutMs,
    );
    client.once('handshake', () => clearTimeout(handshakeTimer));
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      clearTimeout(handshakeTimer);
      log.trace('ssh', `authenticated to ${ep.user}@${ep.host}:${ep.port} (${tried[tried.length - 1] ?? 'none'})`);
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (refusal) return fail(refusal);
      if (err.level === 'client-authentication') {
        return fail(
          new SshAuthError(
            `authentication failed for ${ep.user}@${ep.host}:${ep.port} (tried: ${tried.join(', ') || 'nothing usable'})`,
          ),
        );
      }
      if (err.level === 'client-timeout') return fail(new RemoteTimeoutError(`${ep.alias}: ${err.message}`));
      if (err.code && NETWORK_CODES.has(err.code)) {
        return fail(new HostUnreachableError(`cannot reach ${ep.alias} (${ep.host}:${ep.port}): ${err.code}`));
      }
      return fail(new ConnectionLostError(`${ep.alias} (${ep.host}:${ep.port}): ${err.message}`));
    });
    client.once('close', () =>
      fail(refusal ?? new ConnectionLostError(`${ep.alias} closed the connection during setup`)),
    );

    let next = 0;
    const cfg: ConnectConfig = {
      host: ep.host,
      port: ep.port,
      username: ep.user,
      readyTimeout: connectTimeoutMs + (opts.authTimeoutMs ?? 120_000),
      keepaliveInterval: ep.serverAliveIntervalMs ?? opts.keepaliveIntervalMs ?? 10_000,
      keepaliveCountMax: ep.serverAliveCountMax ?? 3,
      ...(sock ? { sock } : {}),
      ...(knownTypes.length > 0
        ? { algorithms: { serverHostKey: { prepend: hostKeyAlgorithmsFor(knownTypes) } as never } }
        : {}),
      debug: (m: string) => log.trace('ssh', m),
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        const fp = hostKeyFingerprint(key);
        const res = known.check(lookupHost, lookupPort, key);
        log.trace('ssh', `host key for ${hostId}: ${keyTypeOfBlob(key)} ${fp} → ${res.status}`);
        if (res.status === 'match') return verify(true);
        if (res.status === 'mismatch') {
          refusal = new HostKeyMismatchError(hostId, fp, res.where);
          return verify(false);
        }
        if (res.status === 'revoked') {
          refusal = new RevokedHostKeyError(`host key ${fp} of ${hostId} is marked @revoked at ${res.where}; refused`);
          return verify(false);
        }
        const file = ep.knownHostsFiles[0];
        const ask = opts.onUnknownHostKey;
        if (!ask || !file) {
          refusal = new UnknownHostKeyError(hostId, fp);
          return verify(false);
        }
        ask({
          hostId,
          keyType: keyTypeOfBlob(key),
          fingerprint: fp,
          otherTypesKnown: res.otherTypesKnown,
          knownHostsFile: file,
        })
          .then(async (ok) => {
            if (!ok) {
              refusal = new UnknownHostKeyError(hostId, fp);
              return verify(false);
            }
            await appendKnownHost(file, lookupHost, lookupPort, key);
            log.trace('ssh', `recorded host key ${fp} for ${hostId} in ${file}`);
            verify(true);
          })
          .catch((e: unknown) => {
            refusal = e instanceof Error ? e : new Error(String(e));
            verify(false);
          });
      },
      authHandler: (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, cb) => {
        const tryNext = async (): Promise<void> => {
          while (next < candidates.length) {
            const make = candidates[next++];
            const m = make ? await make() : undefined;
            if (!m) continue;
            if (methodsLeft && !methodsLeft.includes(m.type === 'agent' ? 'publickey' : m.type)) continue;
            cb(m);
            return;
          }
          cb(false as never);
        };
        tryNext().catch(() => cb(false as never));
      },
    };
    log.trace('ssh', `connecting to ${ep.alias} (${ep.user}@${ep.host}:${ep.port})${sock ? ' through jump' : ''}`);
    try {
      client.connect(cfg);
    } catch (e) {
      fail(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
