import { existsSync } from 'node:fs';
import type { AcquisitionTarget } from '../core/remote/acquisitionTarget';
import { CgroupMemoryReader } from '../core/remote/cgroupMemory';
import { containerEndpoint, inspectContainer, type ContainerInfo } from '../core/remote/dockerContainers';
import { LocalTarget } from '../core/remote/localTarget';
import { parseHostPort, validateHost, validatePid, validatePort } from '../core/remote/remoteCommand';
import { loadSshConfig, resolveSshRoute } from '../core/remote/resolveSshRoute';
import type { SshAuthCallbacks } from '../core/remote/sshConnection';
import { SshSession } from '../core/remote/sshSession';
import { SshTarget } from '../core/remote/sshTarget';
import type { TraceLogger } from '../core/remote/traceLogger';
import type { CliIO } from './cliCommand';
import { CliUsageError } from './cliCommand';
import { promptHidden } from './ttyPrompt';

/** A parsed `TARGET` argument. */
export type WatchTargetSpec =
  { kind: 'http'; host: string; port: number } | { kind: 'ssh'; host: string; user?: string; port?: number };

/** Parses `http://HOST:PORT` or `ssh://[USER@]HOST[:PORT]` (HOST may be an ssh-config alias). */
export function parseWatchTarget(s: string): WatchTargetSpec {
  const http = /^http:\/\/(\[[^\]]+\]|[^/:]+):(\d+)\/?$/.exec(s);
  if (http) {
    const host = (http[1] ?? '').replace(/^\[|\]$/g, '');
    try {
      return { kind: 'http', host: validateHost(host), port: validatePort(http[2] ?? '') };
    } catch (e) {
      throw new CliUsageError((e as Error).message);
    }
  }
  const ssh = /^ssh:\/\/(?:([A-Za-z0-9_.-]+)@)?(\[[^\]]+\]|[A-Za-z0-9_.-]+)(?::(\d+))?\/?$/.exec(s);
  if (ssh) {
    const port = ssh[3] !== undefined ? Number(ssh[3]) : undefined;
    if (port !== undefined && (port < 1 || port > 65535)) throw new CliUsageError(`invalid SSH port in ${s}`);
    return {
      kind: 'ssh',
      host: (ssh[2] ?? '').replace(/^\[|\]$/g, ''),
      ...(ssh[1] !== undefined ? { user: ssh[1] } : {}),
      ...(port !== undefined ? { port } : {}),
    };
  }
  throw new CliUsageError(`TARGET must be http://HOST:PORT or ssh://[USER@]HOST[:PORT], not ${JSON.stringify(s)}`);
}

/** Options that decide how to reach the target. */
export interface WatchConnectOptions {
  target: WatchTargetSpec;
  endpoint: string;
  container?: string | undefined;
  pid?: string | undefined;
  identity?: string[] | undefined;
  knownHosts?: string | undefined;
  sshConfig?: string | undefined;
  acceptNewHostKey: boolean;
  logger: TraceLogger;
}

/** The opened target plus what was learnt while opening it. */
export interface OpenedWatchTarget {
  target: AcquisitionTarget;
  cgroup?: CgroupMemoryReader;
  pid?: number;
  container?: ContainerInfo;
}

function authCallbacks(io: CliIO): SshAuthCallbacks {
  return {
    // The environment variable serves unattended runs; it is read, never printed or stored.
    passphrase: async (file, attempt) => {
      const env = io.env['LEAKHUNT_SSH_PASSPHRASE'];
      if (env !== undefined && attempt === 1) return env;
      return promptHidden(io, `Enter passphrase for key '${file}': `);
    },
    password: async (user, host) => promptHidden(io, `${user}@${host}'s password: `),
    keyboardInteractive: async (prompts) => {
      const answers: string[] = [];
      for (const p of prompts) {
        const a = await promptHidden(io, p.prompt);
        if (a === undefined) return undefined;
        answers.push(a);
      }
      return answers;
    },
  };
}

/**
 * Opens the target: for ssh:// connects once up front (so a refused host key or failed login stops before anything is
 * collected), resolves `--container` with `docker inspect` on the target's host, and prepares the cgroup reader.
 */
export async function openWatchTarget(o: WatchConnectOptions, io: CliIO): Promise<OpenedWatchTarget> {
  let endpoint: { host: string; port: number };
  try {
    endpoint = parseHostPort(o.endpoint);
  } catch (e) {
    throw new CliUsageError(`--endpoint: ${(e as Error).message}`);
  }
  let pid: number | undefined;
  if (o.pid !== undefined) {
    try {
      pid = validatePid(o.pid);
    } catch (e) {
      throw new CliUsageError(`--pid: ${(e as Error).message}`);
    }
  }
  let host: AcquisitionTarget;
  let make: (h: string, p: number) => AcquisitionTarget;
  if (o.target.kind === 'http') {
    const t = o.target;
    host = new LocalTarget(t.host, t.port, o.logger);
    make = (h, p) => new LocalTarget(h, p, o.logger);
    endpoint = { host: t.host, port: t.port };
  } else {
    for (const id of o.identity ?? []) {
      if (!existsSync(id)) throw new CliUsageError(`--identity: no such file ${id}`);
    }
    const cfg = await loadSshConfig(o.sshConfig);
    const route = resolveSshRoute(cfg, {
      host: o.target.host,
      ...(o.target.user !== undefined ? { user: o.target.user } : {}),
      ...(o.target.port !== undefined ? { port: o.target.port } : {}),
      ...(o.identity?.length ? { identityFiles: o.identity } : {}),
      ...(o.knownHosts !== undefined ? { knownHostsFiles: [o.knownHosts] } : {}),
    });
    const agent = io.env['SSH_AUTH_SOCK'];
    const session = new SshSession({
      route,
      ...(agent ? { agentSocket: agent } : {}),
      auth: authCallbacks(io),
      logger: o.logger,
      ...(o.acceptNewHostKey
        ? {
            onUnknownHostKey: async (info) => {
              io.stderr.write(
                `leakhunt: recording new host key for ${info.hostId} (${info.keyType} ${info.fingerprint}) in ${info.knownHostsFile}\n`,
              );
              return true;
            },
          }
        : {}),
    });
    await session.connection();
    const label = `ssh://${o.target.user ? `${o.target.user}@` : ''}${o.target.host}${o.target.port ? `:${o.target.port}` : ''}`;
    host = new SshTarget(session, label, endpoint.host, endpoint.port, o.logger);
    make = (h, p) => new SshTarget(session, label, h, p, o.logger);
  }
  let container: ContainerInfo | undefined;
  let target = host;
  if (o.container !== undefined) {
    try {
      container = await inspectContainer(host, o.container);
      const ep = containerEndpoint(container, endpoint.port);
      target = make(ep.host, ep.port);
      pid ??= container.pid ?? undefined;
    } catch (e) {
      await host.close();
      throw e;
    }
  }
  return {
    target,
    ...(pid !== undefined ? { pid, cgroup: new CgroupMemoryReader(target, pid, o.logger) } : {}),
    ...(container ? { container } : {}),
  };
}
