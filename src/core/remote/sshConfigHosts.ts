import type SSHConfig from 'ssh-config';

/** Names that can go into an `ssh://` target URL (no wildcards, negations or spaces). */
const ALIAS = /^[A-Za-z0-9_.-]+$/;

/**
 * The concrete `Host` aliases of an ssh config, in file order without repeats: patterns (`*`, `?`, `!negated`) and
 * `Match` blocks name no single host, so they are left out. Used to offer the user's ssh hosts as targets.
 */
export function sshConfigHostAliases(config: SSHConfig): string[] {
  const out: string[] = [];
  for (const line of config) {
    if (line.type !== 1 || line.param.toLowerCase() !== 'host') continue;
    const values = Array.isArray(line.value) ? line.value.map((v) => v.val) : [line.value];
    for (const v of values) if (ALIAS.test(v) && !out.includes(v)) out.push(v);
  }
  return out;
}
