import { containerArg } from '../remote/remoteCommand';
import { parseTargetConfigs, type TargetConfig } from './targetConfig';

function validated(entry: Record<string, string | undefined>, what: string): TargetConfig {
  const { targets, problems } = parseTargetConfigs([
    Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== undefined)),
  ]);
  const t = targets[0];
  if (!t) throw new Error(problems[0]?.message ?? `cannot use ${what}`);
  return t;
}

/**
 * The watch target for an ssh-config alias, with the pprof `endpoint` as seen from that host (default
 * `127.0.0.1:6060`), validated exactly like a `leakhunt.targets` entry so a hand-written and a picked target behave
 * the same. Throws on an unusable alias or endpoint.
 */
export function sshHostTarget(alias: string, endpoint?: string): TargetConfig {
  return validated({ name: alias, url: `ssh://${alias}`, endpoint }, `ssh host ${JSON.stringify(alias)}`);
}

/** The same target watching `container` on its host (the user picked one of the host's containers). */
export function withContainer(t: TargetConfig, container: string): TargetConfig {
  containerArg(container);
  return validated(
    {
      name: `${t.name}/${container}`,
      url: t.url,
      endpoint: t.endpoint,
      container,
      pprofPrefix: t.pprofPrefix,
      identityFile: t.identityFile,
    },
    `container ${JSON.stringify(container)}`,
  );
}
