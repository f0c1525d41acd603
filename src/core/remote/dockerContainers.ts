import type { AcquisitionTarget } from './acquisitionTarget';
import { containerArg, literalArg } from './remoteCommand';
import { InvalidArgumentError, RemoteCommandError } from './remoteErrors';

/** One network attachment of a container. */
export interface ContainerNetwork {
  network: string;
  ip: string;
}

/** What leakhunt needs to know about a container: identity, where its pprof endpoint is, and its host PID. */
export interface ContainerInfo {
  id: string;
  /** Name without docker's leading slash. */
  name: string;
  image: string;
  running: boolean;
  /** Host PID of the container's main process; null when not running. */
  pid: number | null;
  /** Addresses on each network, the default bridge's top-level address first when present. */
  networks: ContainerNetwork[];
  /** `HostConfig.NetworkMode` (`host` means the service listens on the host's own addresses). */
  networkMode: string;
  /** Memory limit docker was asked for (`HostConfig.Memory`), bytes; null when unlimited/unknown. */
  memoryLimit: number | null;
  /** The container's run state as docker keeps it (outlives the process and its cgroup). */
  state: ContainerState;
}

/**
 * Docker's record of a container's last run (`State.*` and `RestartCount` of `docker inspect`): unlike the cgroup,
 * which docker removes with the dead container, it still says after the death whether the kernel OOM-killed it.
 */
export interface ContainerState {
  /** `State.Status`: created, running, paused, restarting, removing, exited, dead. */
  status: string;
  running: boolean;
  /** `State.OOMKilled`: the last run ended in an OOM kill (docker keeps it set after a restart). */
  oomKilled: boolean;
  /** `State.ExitCode` of the last run (137 = SIGKILL). */
  exitCode: number | null;
  /** `State.Pid`; null when not running. */
  pid: number | null;
  /** `State.StartedAt` (RFC 3339) of the current or last run; null for docker's zero time. */
  startedAt: string | null;
  /** `State.FinishedAt` of the last run that ended; null for docker's zero time (never ended). */
  finishedAt: string | null;
  /** `RestartCount`: restarts docker's restart policy made since the container was started. */
  restartCount: number;
  /** `State.Error`, when docker recorded one. */
  error?: string;
}

/** One line of `docker ps --no-trunc --format '{{json .}}'`. */
export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: string;
  networks: string[];
}

type Json = Record<string, unknown>;

function obj(v: unknown): Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {};
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Parses the JSON array printed by `docker inspect` (containers only). */
export function parseDockerInspect(text: string): ContainerInfo[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new RemoteCommandError(`docker inspect printed invalid JSON: ${(e as Error).message}`, 0, '');
  }
  if (!Array.isArray(data)) throw new RemoteCommandError('docker inspect did not print a JSON array', 0, '');
  return data.map((raw) => {
    const c = obj(raw);
    const state = obj(c['State']);
    const ns = obj(c['NetworkSettings']);
    const host = obj(c['HostConfig']);
    const networks: ContainerNetwork[] = [];
    const top = str(ns['IPAddress']);
    for (const [name, n] of Object.entries(obj(ns['Networks']))) {
      const ip = str(obj(n)['IPAddress']);
      if (ip) networks.push({ network: name, ip });
    }
    if (top && !networks.some((n) => n.ip === top)) networks.unshift({ network: 'bridge', ip: top });
    networks.sort((a, b) => (a.ip === top ? -1 : b.ip === top ? 1 : 0));
    const pid = typeof state['Pid'] === 'number' && state['Pid'] > 0 ? state['Pid'] : null;
    const mem = typeof host['Memory'] === 'number' && host['Memory'] > 0 ? host['Memory'] : null;
    const exit = state['ExitCode'];
    const err = str(state['Error']);
    return {
      id: str(c['Id']),
      name: str(c['Name']).replace(/^\//, ''),
      image: str(obj(c['Config'])['Image']) || str(c['Image']),
      running: state['Running'] === true,
      pid,
      networks,
      networkMode: str(host['NetworkMode']),
      memoryLimit: mem,
      state: {
        status: str(state['Status']),
        running: state['Running'] === true,
        oomKilled: state['OOMKilled'] === true,
        exitCode: typeof exit === 'number' ? exit : null,
        pid,
        startedAt: dockerTime(state['StartedAt']),
        finishedAt: dockerTime(state['FinishedAt']),
        restartCount: typeof c['RestartCount'] === 'number' ? c['RestartCount'] : 0,
        ...(err ? { error: err } : {}),
      },
    };
  });
}

/** An RFC 3339 time of docker's, or null for its zero time (`0001-01-01T00:00:00Z`: never happened). */
function dockerTime(v: unknown): string | null {
  const t = str(v);
  return t === '' || t.startsWith('0001-01-01') ? null : t;
}

/** Parses `docker ps --no-trunc --format '{{json .}}'` output, one JSON object per line. */
export function parseDockerPs(text: string): ContainerSummary[] {
  const out: ContainerSummary[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let o: Json;
    try {
      o = obj(JSON.parse(line));
    } catch {
      throw new RemoteCommandError(`docker ps printed a line that is not JSON: ${line.slice(0, 80)}`, 0, '');
    }
    out.push({
      id: str(o['ID']),
      name: str(o['Names']).split(',')[0] ?? '',
      image: str(o['Image']),
      state: str(o['State']),
      networks: str(o['Networks']).split(',').filter(Boolean),
    });
  }
  return out;
}

async function docker(target: AcquisitionTarget, args: Parameters<AcquisitionTarget['run']>[1]): Promise<string> {
  const res = await target.run('docker', args, { timeoutMs: 20_000, maxBytes: 16 * 1024 * 1024 });
  if (res.code !== 0) {
    throw new RemoteCommandError(
      `docker ${args[0]?.value ?? ''} failed (exit ${res.code}): ${res.stderr.trim()}`,
      res.code,
      res.stderr,
    );
  }
  return res.stdout.toString('utf8');
}

/** Lists running containers with `docker ps` on the target's host. */
export async function listContainers(target: AcquisitionTarget): Promise<ContainerSummary[]> {
  return parseDockerPs(
    await docker(target, [
      literalArg('ps'),
      literalArg('--no-trunc'),
      literalArg('--format'),
      literalArg('{{json .}}'),
    ]),
  );
}

/** Inspects several containers by validated names or ids with one `docker inspect`. */
export async function inspectContainers(target: AcquisitionTarget, refs: string[]): Promise<ContainerInfo[]> {
  if (refs.length === 0) return [];
  return parseDockerInspect(await docker(target, [literalArg('inspect'), literalArg('--'), ...refs.map(containerArg)]));
}

/** Inspects one container by validated name or id. */
export async function inspectContainer(target: AcquisitionTarget, ref: string): Promise<ContainerInfo> {
  const arg = containerArg(ref);
  const [info] = parseDockerInspect(await docker(target, [literalArg('inspect'), literalArg('--'), arg]));
  if (!info) throw new RemoteCommandError(`docker inspect returned nothing for '${ref}'`, 0, '');
  return info;
}

/** Chooses the address to reach a container's port from its host: host networking → the given host; else its first IP. */
export function containerEndpoint(
  info: ContainerInfo,
  port: number,
  opts: { network?: string; hostAddress?: string } = {},
): { host: string; port: number } {
  if (!info.running || info.pid === null) {
    throw new InvalidArgumentError(`container ${info.name} is not running`);
  }
  if (info.networkMode === 'host') return { host: opts.hostAddress ?? '127.0.0.1', port };
  const n = opts.network ? info.networks.find((x) => x.network === opts.network) : info.networks[0];
  if (!n) {
    throw new InvalidArgumentError(
      opts.network
        ? `container ${info.name} is not on network ${opts.network} (it is on ${info.networks.map((x) => x.network).join(', ') || 'none'})`
        : `container ${info.name} has no IP address`,
    );
  }
  return { host: n.ip, port };
}
