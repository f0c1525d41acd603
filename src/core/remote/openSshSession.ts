import { existsSync } from 'node:fs';
import { loadSshConfig, resolveSshRoute } from './resolveSshRoute';
import type { SshAuthCallbacks, SshConnection, UnknownHostKeyInfo } from './sshConnection';
import { SshSession } from './sshSession';
import type { TraceLogger } from './traceLogger';

/** An `ssh://[USER@]HOST[:PORT]` address (HOST may be an ssh-config alias). */
export interface SshTargetAddress {
  host: string;
  user?: string;
  port?: number;
}

/** How to log in to an SSH host: the same options for `watch`, `containers`, `hotpatch` and `rollback`. */
export interface OpenSshOptions {
  target: SshTargetAddress;
  identity?: string[] | undefined;
  knownHosts?: string | undefined;
  sshConfig?: string | undefined;
  /** ssh-agent socket, when one is available. */
  agentSocket?: string | undefined;
  auth: SshAuthCallbacks;
  /** Asked about a host key not in known_hosts; absent means refuse (a changed key is always refused). */
  onUnknownHostKey?: ((info: UnknownHostKeyInfo) => Promise<boolean>) | undefined;
  logger: TraceLogger;
}

/** A logged-in SSH session, its first connection and a label such as `ssh://user@host:2222`. */
export interface OpenedSsh {
  session: SshSession;
  connection: SshConnection;
  label: string;
}

/** A missing identity file; the caller words it as an option error. */
export class MissingIdentityError extends Error {
  constructor(readonly file: string) {
    super(`no such file ${file}`);
    this.name = 'MissingIdentityError';
  }
}

/** `ssh://[user@]host[:port]` for messages and audit entries. */
export function sshLabel(t: SshTargetAddress): string {
  return `ssh://${t.user ? `${t.user}@` : ''}${t.host}${t.port ? `:${t.port}` : ''}`;
}

/**
 * Resolves the route (ssh config aliases, ProxyJump, identities, known_hosts) and connects once up front, so a refused
 * host key or failed login stops before anything else happens.
 */
export async function openSshSession(o: OpenSshOptions): Promise<OpenedSsh> {
  for (const id of o.identity ?? []) if (!existsSync(id)) throw new MissingIdentityError(id);
  const cfg = await loadSshConfig(o.sshConfig);
  const route = resolveSshRoute(cfg, {
    host: o.target.host,
    ...(o.target.user !== undefined ? { user: o.target.user } : {}),
    ...(o.target.port !== undefined ? { port: o.target.port } : {}),
    ...(o.identity?.length ? { identityFiles: o.identity } : {}),
    ...(o.knownHosts !== undefined ? { knownHostsFiles: [o.knownHosts] } : {}),
  });
  const session = new SshSession({
    route,
    ...(o.agentSocket ? { agentSocket: o.agentSocket } : {}),
    auth: o.auth,
    logger: o.logger,
    ...(o.onUnknownHostKey ? { onUnknownHostKey: o.onUnknownHostKey } : {}),
  });
  try {
    const connection = await session.connection();
    return { session, connection, label: sshLabel(o.target) };
  } catch (e) {
    session.close();
    throw e;
  }
}
