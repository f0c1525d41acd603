import { containerArg } from '../remote/remoteCommand';
import { parseTargetConfigs, type TargetConfig } from './targetConfig';

/**
 * The watch target for an ssh-config alias (and optionally one of its containers), validated exactly like a
 * `leakhunt.targets` entry so a hand-written and a picked target behave the same. Throws on an unusable alias.
 */
export function sshHostTarget(alias: string, container?: string): TargetConfig {
  const name = container !== undefined ? `${alias}/${container}` : alias;
  const { targets, problems } = parseTargetConfigs([
    { name, url: `ssh://${alias}`, ...(container !== undefined ? { container } : {}) },
  ]);
  const t = targets[0];
  if (!t) throw new Error(problems[0]?.message ?? `cannot use ssh host ${JSON.stringify(alias)}`);
  return t;
}

/** The same target watching `container` on its host (the user picked one of the host's containers). */
export function withContainer(t: TargetConfig, container: string): TargetConfig {
  containerArg(container);
  const { targets, problems } = parseTargetConfigs([
    {
      name: `${t.name}/${container}`,
      url: t.url,
      endpoint: t.endpoint,
      container,
      pprofPrefix: t.pprofPrefix,
      identityFile: t.identityFile,
    },
  ]);
  const out = targets[0];
  if (!out) throw new Error(problems[0]?.message ?? `cannot watch container ${JSON.stringify(container)}`);
  return out;
}
