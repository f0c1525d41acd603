import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import SSHConfig from 'ssh-config';
import { SshConfigError } from './remoteErrors';

/** One SSH server to connect to (the target or a jump hop), with everything the ssh config says about it. */
export interface SshEndpoint {
  /** The name the user wrote (alias or host). */
  alias: string;
  /** The host to dial and to look up in known_hosts (`HostKeyAlias` wins for the lookup). */
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  /** Use only the identity files, not the agent (`IdentitiesOnly yes`). */
  identitiesOnly: boolean;
  knownHostsFiles: string[];
  /** Name to look the host key up under, when `HostKeyAlias` is set. */
  hostKeyAlias?: string;
  connectTimeoutMs?: number;
  serverAliveIntervalMs?: number;
  serverAliveCountMax?: number;
}

/** The target endpoint and the jump hops to go through first, outermost hop first. */
export interface SshRoute {
  target: SshEndpoint;
  jumps: SshEndpoint[];
}

/** What the user gave on top of the ssh config (from `ssh://user@host:port`, `--identity`, `--known-hosts`). */
export interface SshRouteRequest {
  /** Alias or host name. */
  host: string;
  user?: string;
  port?: number;
  /** Identity files tried before the config's, like `ssh -i`. */
  identityFiles?: string[];
  /** Replaces the known_hosts files from the config, like `-o UserKnownHostsFile=`. */
  knownHostsFiles?: string[];
  /** ssh config file; defaults to ~/.ssh/config (missing = empty). */
  configFile?: string;
}

const MAX_HOPS = 8;

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function all(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(/\s+/)).filter(Boolean);
}

function expandTokens(value: string, ctx: { host: string; port: number; user: string; alias: string }): string {
  const home = os.homedir();
  let s = value.startsWith('~/') ? path.join(home, value.slice(2)) : value;
  s = s.replace(/%([%dhpruln])/g, (_m, c: string) => {
    switch (c) {
      case '%':
        return '%';
      case 'd':
        return home;
      case 'h':
        return ctx.host;
      case 'p':
        return String(ctx.port);
      case 'r':
        return ctx.user;
      case 'u':
        return os.userInfo().username;
      case 'n':
        return ctx.alias;
      case 'l':
        return os.hostname();
      default:
        return _m;
    }
  });
  return s;
}

function parsePort(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,5}$/.test(v) || Number(v) < 1 || Number(v) > 65535)
    throw new SshConfigError(`invalid port '${v}' for ${what}`);
  return Number(v);
}

function parseSeconds(v: string | undefined, what: string): number | undefined {
  if (v === undefined || v === 'none') return undefined;
  if (!/^\d+$/.test(v)) throw new SshConfigError(`invalid ${what} '${v}' (whole seconds expected)`);
  return Number(v) * 1000;
}

/** Parses one ProxyJump element: `[user@]host[:port]`, `[user@][ipv6]:port` or `ssh://[user@]host[:port]`. */
export function parseJumpSpec(spec: string): { host: string; user?: string; port?: number } {
  let s = spec.trim();
  if (s.startsWith('ssh://')) s = s.slice(6);
  let user: string | undefined;
  const at = s.lastIndexOf('@');
  if (at >= 0) {
    user = s.slice(0, at);
    s = s.slice(at + 1);
  }
  let host = s;
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracket) {
    host = bracket[1] ?? '';
    port = parsePort(bracket[2], spec);
  } else {
    const m = /^([^:]+):(\d+)$/.exec(s);
    if (m) {
      host = m[1] ?? '';
      port = parsePort(m[2], spec);
    }
  }
  if (!/^[A-Za-z0-9_.:%-]+$/.test(host)) throw new SshConfigError(`invalid jump host '${spec}'`);
  if (user !== undefined && !/^[A-Za-z0-9_.-]+$/.test(user)) throw new SshConfigError(`invalid user in '${spec}'`);
  return { host, ...(user !== undefined ? { user } : {}), ...(port !== undefined ? { port } : {}) };
}

/** Loads an ssh config file into the parser library's model; a missing file is an empty config. `Include` is followed. */
export async function loadSshConfig(file?: string): Promise<SSHConfig> {
  const f = file ?? path.join(os.homedir(), '.ssh', 'config');
  let text = '';
  try {
    text = await fs.readFile(f, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || file !== undefined) {
      throw new SshConfigError(`cannot read ssh config ${f}: ${(e as Error).message}`);
    }
  }
  try {
    return SSHConfig.parse(await inlineIncludes(text, 0));
  } catch (e) {
    if (e instanceof SshConfigError) throw e;
    throw new SshConfigError(`cannot parse ssh config ${f}: ${(e as Error).message}`);
  }
}

/**
 * Replaces `Include` lines with the files they name (relative paths are under ~/.ssh, `*`/`?` globs in the file name
 * part, sorted like OpenSSH), because the parser library does not follow them.
 */
async function inlineIncludes(text: string, depth: number): Promise<string> {
  if (depth > 16) throw new SshConfigError('ssh config Include nesting is deeper than 16');
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*include\s+(.+)$/i.exec(line);
    if (!m?.[1]) {
      out.push(line);
      continue;
    }
    for (const spec of m[1].trim().split(/\s+/)) {
      const abs = spec.startsWith('~/')
        ? path.join(os.homedir(), spec.slice(2))
        : path.isAbsolute(spec)
          ? spec
          : path.join(os.homedir(), '.ssh', spec);
      for (const f of await expandGlob(abs)) {
        const inc = await fs.readFile(f, 'utf8').catch(() => undefined);
        if (inc !== undefined) out.push(await inlineIncludes(inc, depth + 1));
      }
    }
  }
  return out.join('\n');
}

async function expandGlob(p: string): Promise<string[]> {
  const base = path.basename(p);
  if (!/[*?]/.test(base)) return [p];
  const dir = path.dirname(p);
  const re = new RegExp(
    `^${base
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => re.test(n))
    .sort()
    .map((n) => path.join(dir, n));
}

function defaultIdentityFiles(): string[] {
  const d = path.join(os.homedir(), '.ssh');
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((n) => path.join(d, n));
}

function endpointFor(
  config: SSHConfig,
  req: { host: string; user?: string; port?: number },
  extra: Pick<SshRouteRequest, 'identityFiles' | 'knownHostsFiles'>,
): { endpoint: SshEndpoint; proxyJump: string | undefined } {
  // matchExec:false: a config's `Match exec` would run a shell command; we never run anything locally for resolution.
  const c = config.compute(req.host, { ignoreCase: true, matchExec: false });
  const host = first(c['hostname']) ?? req.host;
  const port = req.port ?? parsePort(first(c['port']), req.host) ?? 22;
  const user = req.user ?? first(c['user']) ?? os.userInfo().username;
  const ctx = { host, port, user, alias: req.host };
  const configured = all(c['identityfile']).map((f) => expandTokens(f, ctx));
  const identityFiles = [
    ...(extra.identityFiles ?? []),
    ...(configured.length > 0 ? configured : extra.identityFiles?.length ? [] : defaultIdentityFiles()),
  ];
  const knownHostsFiles = extra.knownHostsFiles?.length
    ? extra.knownHostsFiles
    : all(c['userknownhostsfile']).length > 0
      ? all(c['userknownhostsfile']).map((f) => expandTokens(f, ctx))
      : [path.join(os.homedir(), '.ssh', 'known_hosts'), path.join(os.homedir(), '.ssh', 'known_hosts2')];
  const hostKeyAlias = first(c['hostkeyalias']);
  const connectTimeoutMs = parseSeconds(first(c['connecttimeout']), 'ConnectTimeout');
  const serverAliveIntervalMs = parseSeconds(first(c['serveraliveinterval']), 'ServerAliveInterval');
  const countMax = first(c['serveralivecountmax']);
  const endpoint: SshEndpoint = {
    alias: req.host,
    host,
    port,
    user,
    identityFiles: [...new Set(identityFiles)],
    identitiesOnly: (first(c['identitiesonly']) ?? '').toLowerCase() === 'yes',
    knownHostsFiles,
    ...(hostKeyAlias !== undefined ? { hostKeyAlias } : {}),
    ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
    ...(serverAliveIntervalMs !== undefined && serverAliveIntervalMs > 0 ? { serverAliveIntervalMs } : {}),
    ...(countMax !== undefined && /^\d+$/.test(countMax) ? { serverAliveCountMax: Number(countMax) } : {}),
  };
  const pc = first(c['proxycommand']);
  if (pc !== undefined && pc.toLowerCase() !== 'none') {
    throw new SshConfigError(
      `ProxyCommand for '${req.host}' is not supported: leakhunt never runs local commands; use ProxyJump instead`,
    );
  }
  const pj = first(c['proxyjump']);
  return { endpoint, proxyJump: pj === undefined || pj.toLowerCase() === 'none' ? undefined : pj };
}

/**
 * Resolves a host or alias through the ssh config into the target endpoint and its ProxyJump chain. Jump hosts are
 * themselves resolved through the config (and their own ProxyJump followed), as OpenSSH does.
 */
export function resolveSshRoute(config: SSHConfig, req: SshRouteRequest): SshRoute {
  const extra = {
    ...(req.identityFiles ? { identityFiles: req.identityFiles } : {}),
    ...(req.knownHostsFiles ? { knownHostsFiles: req.knownHostsFiles } : {}),
  };
  const chain = (
    r: { host: string; user?: string; port?: number },
    depth: number,
    useExtraIdentity: boolean,
  ): SshEndpoint[] => {
    if (depth > MAX_HOPS) throw new SshConfigError(`ProxyJump chain for '${req.host}' is longer than ${MAX_HOPS} hops`);
    // -i applies to every hop in OpenSSH too (the jump is a separate ssh run with the same identities only via config),
    // but known_hosts overrides must apply to all hops or the jump's key is checked against the wrong file.
    const { endpoint, proxyJump } = endpointFor(
      config,
      r,
      useExtraIdentity ? extra : { ...(extra.knownHostsFiles ? { knownHostsFiles: extra.knownHostsFiles } : {}) },
    );
    const hops: SshEndpoint[] = [];
    if (proxyJump) {
      for (const spec of proxyJump.split(',')) hops.push(...chain(parseJumpSpec(spec), depth + 1, false));
    }
    return [...hops, endpoint];
  };
  const full = chain(
    { host: req.host, ...(req.user ? { user: req.user } : {}), ...(req.port ? { port: req.port } : {}) },
    0,
    true,
  );
  const target = full[full.length - 1];
  if (!target) throw new SshConfigError(`cannot resolve '${req.host}'`);
  return { target, jumps: full.slice(0, -1) };
}
