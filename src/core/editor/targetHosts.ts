import type { TargetConfig } from './targetConfig';

/** The configured targets that live on one machine, for the Targets view's host → containers → endpoint tree. */
export interface TargetHost {
  /** Unique per host: the transport plus the address. */
  key: string;
  /** How the host is shown: `[user@]host[:port]` for SSH, the host name for http. */
  label: string;
  /** How the host is reached. */
  transport: 'ssh' | 'http';
  /** Its targets, in the order of the `leakhunt.targets` setting. */
  targets: TargetConfig[];
}

/** The pprof endpoint of a target: `HOST:PORT` as seen from its SSH host, or the http URL's own address. */
export function targetEndpoint(t: TargetConfig): string {
  if (t.spec.kind === 'ssh') return t.endpoint;
  const host = t.spec.host.includes(':') ? `[${t.spec.host}]` : t.spec.host;
  return `${host}:${t.spec.port}`;
}

/** Groups targets by the machine they run on, hosts in the order their first target is configured. */
export function groupTargetsByHost(targets: readonly TargetConfig[]): TargetHost[] {
  const hosts = new Map<string, TargetHost>();
  for (const t of targets) {
    const s = t.spec;
    const label =
      s.kind === 'ssh'
        ? `${s.user !== undefined ? `${s.user}@` : ''}${s.host}${s.port !== undefined ? `:${s.port}` : ''}`
        : s.host;
    const key = `${s.kind}:${label}`;
    let host = hosts.get(key);
    if (!host) {
      host = { key, label, transport: s.kind, targets: [] };
      hosts.set(key, host);
    }
    host.targets.push(t);
  }
  return [...hosts.values()];
}
