import { SshConnection, type SshConnectOptions } from './sshConnection';
import { ConnectionLostError, RemoteError } from './remoteErrors';
import { silentLogger } from './traceLogger';

/** Reconnect pacing after a drop: the wait doubles per failed attempt up to `maxMs`, and resets on success. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
}

/** Default backoff: 0.5 s, 1 s, 2 s ... capped at 30 s. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2 };

/**
 * A long-lived SSH session that reopens its connection after a drop, with exponential backoff between attempts.
 * While waiting out the backoff, `connection()` fails fast with a ConnectionLostError so a snapshot can record a gap
 * instead of blocking the series. Refusals that need the user (host key, auth) are never retried silently; they are
 * rethrown every time.
 */
export class SshSession {
  private conn: SshConnection | undefined;
  private opening: Promise<SshConnection> | undefined;
  private failures = 0;
  private nextAttemptAt = 0;
  private permanent: Error | undefined;
  /** Number of successful (re)connections so far. */
  connects = 0;

  constructor(
    private readonly opts: SshConnectOptions,
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
    private readonly now: () => number = Date.now,
  ) {}

  /** The live connection, reopened if it dropped and the backoff allows a new attempt. */
  async connection(): Promise<SshConnection> {
    if (this.permanent) throw this.permanent;
    if (this.conn && !this.conn.closed) return this.conn;
    if (this.opening) return this.opening;
    const wait = this.nextAttemptAt - this.now();
    if (wait > 0) {
      throw new ConnectionLostError(
        `SSH connection to ${this.opts.route.target.alias} is down; next reconnect attempt in ${Math.ceil(wait / 1000)} s`,
      );
    }
    const log = this.opts.logger ?? silentLogger;
    this.opening = SshConnection.open(this.opts).then(
      (c) => {
        this.conn = c;
        this.failures = 0;
        this.nextAttemptAt = 0;
        this.connects++;
        this.opening = undefined;
        c.onClose((reason) => {
          log.trace('ssh', `session dropped (${reason}); will reconnect on next use`);
          this.nextAttemptAt = this.now() + this.backoff.initialMs;
        });
        return c;
      },
      (e: unknown) => {
        this.opening = undefined;
        if (e instanceof RemoteError && !e.transient) this.permanent = e;
        const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * this.backoff.factor ** this.failures);
        this.failures++;
        this.nextAttemptAt = this.now() + delay;
        log.trace('ssh', `connect failed (${(e as Error).message}); backing off ${delay} ms`);
        throw e;
      },
    );
    return this.opening;
  }

  /** Current reconnect delay state, for progress display. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Closes the connection; the session can be reused and will reconnect. */
  close(): void {
    this.conn?.close();
    this.conn = undefined;
  }
}
