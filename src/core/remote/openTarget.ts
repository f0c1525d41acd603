import type { AcquisitionTarget } from './acquisitionTarget';
import { CgroupMemoryReader } from './cgroupMemory';
import { ContainerStateProbe } from './containerStateProbe';
import { containerEndpoint, inspectContainer, type ContainerInfo } from './dockerContainers';
import { LocalTarget } from './localTarget';
import { parseHostPort, validateHost, validatePid, validatePort } from './remoteCommand';
import { MissingIdentityError, openSshSession, type OpenSshOptions } from './openSshSession';
import { SshTarget } from './sshTarget';

/** A target address as the CLI argument and the `leakhunt.targets` setting give it. */
export type TargetSpec =
  { kind: 'http'; host: string; port: number } | { kind: 'ssh'; host: string; user?: string; port?: number };

/** Bad target settings (URL, endpoint, PID, identity file); `field` names the option so callers can word it. */
export class TargetSpecError extends Error {
  constructor(
    /** The option at fault. */
    readonly field: 'url' | 'endpoint' | 'pid' | 'identity',
    message: string,
  ) {
    super(message);
    this.name = 'TargetSpecError';
  }
}

/** Parses `http://HOST:PORT` or `ssh://[USER@]HOST[:PORT]` (HOST may be an ssh-config alias). */
export function parseTargetUrl(s: string): TargetSpec {
  const http = /^http:\/\/(\[[^\]]+\]|[^/:]+):(\d+)\/?$/.exec(s);
  if (http) {
    const host = (http[1] ?? '').replace(/^\[|\]$/g, '');
    try {
      return { kind: 'http', host: validateHost(host), port: validatePort(http[2] ?? '') };
    } catch (e) {
      throw new TargetSpecError('url', (e as Error).message);
    }
  }
  const ssh = /^ssh:\/\/(?:([A-Za-z0-9_.-]+)@)?(\[[^\]]+\]|[A-Za-z0-9_.-]+)(?::(\d+))?\/?$/.exec(s);
  if (ssh) {
    const port = ssh[3] !== undefined ? Number(ssh[3]) : undefined;
    if (port !== undefined && (port < 1 || port > 65535)) throw new TargetSpecError('url', `invalid SSH port in ${s}`);
    return {
      kind: 'ssh',
      host: (ssh[2] ?? '').replace(/^\[|\]$/g, ''),
      ...(ssh[1] !== undefined ? { user: ssh[1] } : {}),
      ...(port !== undefined ? { port } : {}),
    };
  }
  throw new TargetSpecError(
    'url',
    `TARGET must be http://HOST:PORT or ssh://[USER@]HOST[:PORT], not ${JSON.stringify(s)}`,
  );
}

/**
 * How to reach a target; the caller supplies the user interaction (prompts, host-key questions). The login options
 * are those of {@link OpenSshOptions}, used for ssh:// targets.
 */
export interface OpenTargetOptions extends Omit<OpenSshOptions, 'target'> {
  target: TargetSpec;
  /** pprof endpoint `HOST:PORT` as seen from the SSH host (ignored for http:// targets). */
  endpoint: string;
  container?: string | undefined;
  pid?: string | undefined;
}

/** The opened target plus what was learnt while opening it. */
export interface OpenedTarget {
  target: AcquisitionTarget;
  cgroup?: CgroupMemoryReader;
  pid?: number;
  container?: ContainerInfo;
  /** Asks docker for the container's state when a snapshot needs it (containers only). */
  containerProbe?: ContainerStateProbe;
}

/**
 * A connection to a target's host opened before its container is known (Connect to Target lists the containers over
 * it), to be handed to {@link openTarget} so the watch reuses it instead of logging in again.
 */
export interface ConnectedHost {
  /** The address it was opened for; {@link openTarget} refuses a handed-over host of another address. */
  readonly spec: TargetSpec;
  /** The host's own pprof endpoint (the `endpoint` option) over this connection. */
  readonly target: AcquisitionTarget;
  /** A target for another endpoint `HOST:PORT` over the same connection. */
  at(host: string, port: number): AcquisitionTarget;
  /** Closes the connection (and every target made from it). */
  close(): Promise<void>;
}

function sameSpec(a: TargetSpec, b: TargetSpec): boolean {
  if (a.kind !== b.kind || a.host !== b.host || a.port !== b.port) return false;
  return a.kind === 'http' || b.kind === 'http' || a.user === b.user;
}

/**
 * Connects to the target's host only: for ssh:// logs in once (so a refused host key or failed login stops here);
 * for http:// there is nothing to open. The result can list containers and then be handed to {@link openTarget}.
 */
export async function connectHost(o: OpenTargetOptions): Promise<ConnectedHost> {
  let endpoint: { host: string; port: number };
  try {
    endpoint = parseHostPort(o.endpoint);
  } catch (e) {
    throw new TargetSpecError('endpoint', (e as Error).message);
  }
  if (o.target.kind === 'http') {
    const t = o.target;
    const target = new LocalTarget(t.host, t.port, o.logger);
    return {
      spec: t,
      target,
      at: (h, p) => new LocalTarget(h, p, o.logger),
      close: () => target.close(),
    };
  }
  let opened;
  try {
    opened = await openSshSession({
      target: o.target,
      identity: o.identity,
      knownHosts: o.knownHosts,
      sshConfig: o.sshConfig,
      agentSocket: o.agentSocket,
      auth: o.auth,
      onUnknownHostKey: o.onUnknownHostKey,
      logger: o.logger,
    });
  } catch (e) {
    if (e instanceof MissingIdentityError) throw new TargetSpecError('identity', e.message);
    throw e;
  }
  const { session, label } = opened;
  return {
    spec: o.target,
    target: new SshTarget(session, label, endpoint.host, endpoint.port, o.logger),
    at: (h, p) => new SshTarget(session, label, h, p, o.logger),
    close: async () => session.close(),
  };
}

/**
 * Opens the target: for ssh:// connects once up front (so a refused host key or failed login stops before anything is
 * collected), resolves `container` with `docker inspect` on the target's host, and prepares the cgroup reader.
 * Shared by the CLI and the extension so both reach targets the same way. With `connected`, that connection (to the
 * same address) is used instead of a new one, and it is closed if opening fails.
 */
export async function openTarget(o: OpenTargetOptions, connected?: ConnectedHost): Promise<OpenedTarget> {
  let endpoint: { host: string; port: number };
  let pid: number | undefined;
  try {
    try {
      endpoint = parseHostPort(o.endpoint);
    } catch (e) {
      throw new TargetSpecError('endpoint', (e as Error).message);
    }
    if (o.pid !== undefined) {
      try {
        pid = validatePid(o.pid);
      } catch (e) {
        throw new TargetSpecError('pid', (e as Error).message);
      }
    }
    if (connected && !sameSpec(connected.spec, o.target)) {
      throw new TargetSpecError('url', 'the open connection belongs to another target');
    }
  } catch (e) {
    await connected?.close().catch(() => undefined);
    throw e;
  }
  const hostConn = connected ?? (await connectHost(o));
  if (o.target.kind === 'http') endpoint = { host: o.target.host, port: o.target.port };
  const host = hostConn.at(endpoint.host, endpoint.port);
  let container: ContainerInfo | undefined;
  let target = host;
  if (o.container !== undefined) {
    try {
      container = await inspectContainer(host, o.container);
      const ep = containerEndpoint(container, endpoint.port);
      target = hostConn.at(ep.host, ep.port);
      pid ??= container.pid ?? undefined;
    } catch (e) {
      await hostConn.close();
      throw e;
    }
  }
  return {
    target,
    ...(pid !== undefined ? { pid, cgroup: new CgroupMemoryReader(target, pid, o.logger) } : {}),
    ...(container && o.container !== undefined
      ? { container, containerProbe: new ContainerStateProbe(target, o.container, container, o.logger) }
      : {}),
  };
}
