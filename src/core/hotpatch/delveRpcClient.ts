import type { Duplex } from 'node:stream';
import { DelveRpcError, DelveTimeoutError, HotpatchError } from './hotpatchErrors';

/** Delve's `api.LoadConfig`: how much of a variable Delve reads. */
export interface DelveLoadConfig {
  FollowPointers: boolean;
  MaxVariableRecurse: number;
  MaxStringLen: number;
  MaxArrayValues: number;
  MaxStructFields: number;
}

/** A shallow load config: enough for a variable's type, value and direct fields. */
export const shallowLoadConfig: DelveLoadConfig = {
  FollowPointers: false,
  MaxVariableRecurse: 1,
  MaxStringLen: 64,
  MaxArrayValues: 4,
  MaxStructFields: -1,
};

/** Delve's `api.Variable`, with the fields leakhunt reads. */
export interface DelveVariable {
  name: string;
  addr: number;
  onlyAddr: boolean;
  type: string;
  realType: string;
  kind: number;
  value: string;
  len: number;
  cap: number;
  /** For a func value: the entry PC of the function it points at. */
  base: number;
  unreadable: string;
  children: DelveVariable[];
}

/** Delve's `api.EvalScope`; GoroutineID -1 means the current (or no) goroutine, which suffices for package vars. */
export interface DelveEvalScope {
  GoroutineID: number;
  Frame: number;
  DeferredCall?: number;
}

/** The scope used for package-level expressions. */
export const packageScope: DelveEvalScope = { GoroutineID: -1, Frame: 0 };

/** Delve's `api.DebuggerState`, reduced to what leakhunt needs. */
export interface DelveState {
  Pid: number;
  Running: boolean;
  exited: boolean;
  exitStatus: number;
}

/** Delve's `GetVersion` answer. */
export interface DelveVersion {
  DelveVersion: string;
  APIVersion: number;
  Backend: string;
  TargetGoVersion: string;
  MinSupportedVersionOfGo: string;
  MaxSupportedVersionOfGo: string;
}

interface RpcReply {
  id: number;
  result: unknown;
  error: string | null;
}

/** Default time a call may take before it fails with DelveTimeoutError. */
export const defaultRpcTimeoutMs = 10_000;

/**
 * A JSON-RPC 2 client for Delve's headless API (`RPCServer.*`, one JSON object per line) over any duplex stream: a
 * local TCP socket or an SSH forwardOut channel. Every call has a timeout. Delve serves Eval/Set/ListPackageVars
 * synchronously and they block the whole connection while the target runs, so this client refuses them unless the
 * target is known to be stopped.
 */
export class DelveRpcClient {
  private nextId = 1;
  private buffer = '';
  private readonly pending = new Map<number, { resolve(r: RpcReply): void; reject(e: Error): void }>();
  private closedError: Error | undefined;
  /** Whether the target is believed to run (after continue, before halt). */
  private running = false;

  constructor(
    private readonly stream: Duplex,
    private readonly timeoutMs = defaultRpcTimeoutMs,
  ) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.onData(chunk));
    const fail = (err?: Error): void => {
      this.closedError ??= new HotpatchError(
        'connection-lost',
        `connection to Delve lost${err ? `: ${err.message}` : ''}`,
      );
      for (const p of this.pending.values()) p.reject(this.closedError);
      this.pending.clear();
    };
    stream.on('error', fail);
    stream.on('close', () => fail());
    stream.on('end', () => fail());
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (!line) continue;
      let reply: RpcReply;
      try {
        reply = JSON.parse(line) as RpcReply;
      } catch {
        continue; // not ours to crash on; the caller's timeout reports the missing answer
      }
      const p = this.pending.get(reply.id);
      if (p) {
        this.pending.delete(reply.id);
        p.resolve(reply);
      }
    }
  }

  /** Sends one `RPCServer.<method>` call and resolves with its result; rejects on error, timeout or lost connection. */
  async call<T>(method: string, params: object, timeoutMs = this.timeoutMs): Promise<T> {
    if (this.closedError) throw this.closedError;
    const id = this.nextId++;
    const reply = await new Promise<RpcReply>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.pending.delete(id);
              reject(new DelveTimeoutError(method, timeoutMs));
            }, timeoutMs)
          : undefined;
      this.pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.stream.write(`${JSON.stringify({ id, method: `RPCServer.${method}`, params: [params] })}\n`);
    });
    if (reply.error) throw new DelveRpcError(method, reply.error);
    return reply.result as T;
  }

  private requireStopped(method: string): void {
    if (this.running)
      throw new HotpatchError('rpc-error', `${method} needs a stopped target (Delve would block until it stops)`);
  }

  /** Delve's version and the Go versions it supports. */
  getVersion(): Promise<DelveVersion> {
    return this.call<DelveVersion>('GetVersion', {});
  }

  /** The debugger state without waiting for the target to stop (safe while it runs). */
  async state(): Promise<DelveState> {
    const r = await this.call<{ State: DelveState }>('State', { NonBlocking: true });
    this.running = r.State.Running;
    return r.State;
  }

  /** Package variables whose name matches the regexp `filter`. */
  async listPackageVars(filter: string, cfg: DelveLoadConfig = shallowLoadConfig): Promise<DelveVariable[]> {
    this.requireStopped('ListPackageVars');
    const r = await this.call<{ Variables: DelveVariable[] | null }>('ListPackageVars', { Filter: filter, Cfg: cfg });
    return r.Variables ?? [];
  }

  /** Evaluates an expression in package scope. */
  async eval(expr: string, cfg: DelveLoadConfig = shallowLoadConfig): Promise<DelveVariable> {
    this.requireStopped('Eval');
    const r = await this.call<{ Variable: DelveVariable }>('Eval', { Scope: packageScope, Expr: expr, Cfg: cfg });
    return r.Variable;
  }

  /** Assigns `value` (an expression) to `symbol` (an lvalue expression) in package scope. */
  async set(symbol: string, value: string): Promise<void> {
    this.requireStopped('Set');
    await this.call<unknown>('Set', { Scope: packageScope, Symbol: symbol, Value: value });
  }

  /** Stops the target and resolves once it is stopped. */
  async halt(): Promise<DelveState> {
    const r = await this.call<{ State: DelveState } | DelveState>('Command', { name: 'halt' });
    this.running = false;
    return 'State' in r ? r.State : r;
  }

  /**
   * Resumes the target. Delve answers `continue` only when the target stops again, so the call is sent without
   * waiting for its answer, and the resume is acknowledged by polling State until it reports Running (or exit).
   */
  async continueRunning(ackTimeoutMs = this.timeoutMs): Promise<void> {
    this.running = true;
    this.call<unknown>('Command', { name: 'continue' }, 0).catch(() => undefined);
    const deadline = Date.now() + ackTimeoutMs;
    for (;;) {
      const s = await this.state();
      if (s.Running || s.exited) return;
      if (Date.now() > deadline) throw new DelveTimeoutError('Command continue (ack)', ackTimeoutMs);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Detaches without killing the target; Delve resumes it. The target must be stopped (Delve blocks otherwise). */
  async detach(): Promise<void> {
    this.requireStopped('Detach');
    await this.call<unknown>('Detach', { Kill: false });
  }

  /** Whether the client believes the target is running. */
  get targetRunning(): boolean {
    return this.running;
  }

  /** Closes the connection; pending calls fail with a connection-lost error. */
  close(): void {
    this.stream.destroy();
  }
}
