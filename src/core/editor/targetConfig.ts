import { parseTargetUrl, TargetSpecError, type OpenTargetOptions, type TargetSpec } from '../remote/openTarget';
import { parseHostPort, validatePathPrefix, validatePid } from '../remote/remoteCommand';

/** One entry of the `leakhunt.targets` setting, validated. */
export interface TargetConfig {
  name: string;
  url: string;
  spec: TargetSpec;
  /** pprof endpoint `HOST:PORT` as seen from the SSH host; default `127.0.0.1:6060`. */
  endpoint: string;
  container?: string;
  pid?: string;
  pprofPrefix?: string;
  identityFile?: string;
  /** Ask for `heap?gc=1` (a full GC in the target before each heap profile), as the CLI's `--gc`. */
  forceGc?: boolean;
}

/** A `leakhunt.targets` entry that cannot be used, with the reason. */
export interface TargetConfigProblem {
  index: number;
  message: string;
}

/** The default pprof endpoint on an SSH host, as the CLI's `--endpoint` default. */
export const DEFAULT_ENDPOINT = '127.0.0.1:6060';

const str = (o: Record<string, unknown>, k: string): string | undefined => {
  const v = o[k];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && k === 'pid') return String(v);
  if (typeof v !== 'string') throw new TargetSpecError('url', `"${k}" must be a string`);
  return v;
};

/**
 * Validates the raw `leakhunt.targets` setting: every entry needs a unique `name` and an http:// or ssh:// `url`;
 * bad entries are reported and left out instead of failing the whole list.
 */
export function parseTargetConfigs(raw: unknown): { targets: TargetConfig[]; problems: TargetConfigProblem[] } {
  const targets: TargetConfig[] = [];
  const problems: TargetConfigProblem[] = [];
  if (raw === undefined || raw === null) return { targets, problems };
  if (!Array.isArray(raw)) return { targets, problems: [{ index: -1, message: 'leakhunt.targets must be an array' }] };
  raw.forEach((entry: unknown, index) => {
    try {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        throw new TargetSpecError('url', 'each target must be an object with "name" and "url"');
      }
      const o = entry as Record<string, unknown>;
      const name = str(o, 'name');
      const url = str(o, 'url');
      if (!name) throw new TargetSpecError('url', 'a target needs a "name"');
      if (!url) throw new TargetSpecError('url', `target ${JSON.stringify(name)} needs a "url"`);
      if (targets.some((t) => t.name === name))
        throw new TargetSpecError('url', `duplicate target name ${JSON.stringify(name)}`);
      const spec = parseTargetUrl(url);
      const endpoint = str(o, 'endpoint') ?? DEFAULT_ENDPOINT;
      parseHostPort(endpoint);
      const pid = str(o, 'pid');
      if (pid !== undefined) validatePid(pid);
      const pprofPrefix = str(o, 'pprofPrefix');
      if (pprofPrefix !== undefined) validatePathPrefix(pprofPrefix);
      const container = str(o, 'container');
      const identityFile = str(o, 'identityFile');
      const forceGc = o['forceGc'];
      if (forceGc !== undefined && typeof forceGc !== 'boolean')
        throw new TargetSpecError('url', `target ${JSON.stringify(name)}: "forceGc" must be true or false`);
      if (spec.kind === 'http' && (container !== undefined || identityFile !== undefined)) {
        throw new TargetSpecError(
          'url',
          `target ${JSON.stringify(name)}: "container" and "identityFile" need an ssh:// url`,
        );
      }
      targets.push({
        name,
        url,
        spec,
        endpoint,
        ...(container !== undefined ? { container } : {}),
        ...(pid !== undefined ? { pid } : {}),
        ...(pprofPrefix !== undefined ? { pprofPrefix } : {}),
        ...(identityFile !== undefined ? { identityFile } : {}),
        ...(forceGc === true ? { forceGc } : {}),
      });
    } catch (e) {
      problems.push({ index, message: (e as Error).message });
    }
  });
  return { targets, problems };
}

/** A file-system-safe folder name for a target's series. */
export function seriesFolderName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  return safe.slice(0, 80) || 'target';
}

/** Where the editor finds host keys, ssh config and the agent, and how it asks the user: the same for every target. */
export type TargetOpenContext = Pick<OpenTargetOptions, 'auth' | 'onUnknownHostKey' | 'logger'> & {
  knownHosts: string | undefined;
  sshConfig: string | undefined;
  agentSocket: string | undefined;
};

/** The options that open a configured target (or, through `connectHost`, its host) with `ctx`. */
export function targetOpenOptions(t: TargetConfig, ctx: TargetOpenContext): OpenTargetOptions {
  return {
    target: t.spec,
    endpoint: t.endpoint,
    container: t.container,
    pid: t.pid,
    identity: t.identityFile !== undefined ? [t.identityFile] : undefined,
    ...ctx,
  };
}
