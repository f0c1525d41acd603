import { localAccess, type TargetAccess } from '../core/hotpatch/patchPool';
import { remoteAccess, sshShell } from '../core/hotpatch/remoteAccess';
import { MissingIdentityError, openSshSession } from '../core/remote/openSshSession';
import { parseTargetUrl, TargetSpecError, type TargetSpec } from '../core/remote/openTarget';
import { silentLogger } from '../core/remote/traceLogger';
import type { CliIO } from './cliCommand';
import { CliUsageError } from './cliCommand';
import { cliSshInteraction } from './openWatchTarget';

/** Where `hotpatch`/`rollback` act: this machine, or an SSH host (dlv started there, reached through a tunnel). */
export type HotpatchTarget = { kind: 'local' } | { kind: 'ssh'; spec: Extract<TargetSpec, { kind: 'ssh' }> };

/** The SSH options of `hotpatch`/`rollback`, as parsed by `parseArgs` with `sshTargetOptions`. */
export interface HotpatchSshValues {
  identity?: string[] | undefined;
  'known-hosts'?: string | undefined;
  'ssh-config'?: string | undefined;
  'accept-new-host-key'?: boolean | undefined;
}

/** Parses TARGET (`local` or `ssh://[USER@]HOST[:PORT]`) and refuses SSH options on a local target. */
export function parseHotpatchTargetArg(target: string, v: HotpatchSshValues): HotpatchTarget {
  const sshOptions = v.identity || v['known-hosts'] || v['ssh-config'] || v['accept-new-host-key'];
  if (target === 'local') {
    if (sshOptions)
      throw new CliUsageError('--identity/--known-hosts/--ssh-config/--accept-new-host-key need an ssh:// TARGET');
    return { kind: 'local' };
  }
  if (!target.startsWith('ssh://'))
    throw new CliUsageError(`TARGET must be local or ssh://[USER@]HOST[:PORT], not ${JSON.stringify(target)}`);
  try {
    const spec = parseTargetUrl(target);
    if (spec.kind !== 'ssh')
      throw new CliUsageError(`TARGET must be local or ssh://..., not ${JSON.stringify(target)}`);
    return { kind: 'ssh', spec };
  } catch (e) {
    if (e instanceof TargetSpecError) throw new CliUsageError(e.message);
    throw e;
  }
}

/**
 * Opens access to the target: local /proc and dlv, or one SSH connection (same options and prompts as `watch`) over
 * which dlv is started with a pty as the login user and reached through `forwardOut` to its loopback port.
 * `close()` ends the connection, which also hangs up any dlv still running there.
 */
export async function openHotpatchAccess(
  t: HotpatchTarget,
  v: HotpatchSshValues,
  io: CliIO,
): Promise<{ access: TargetAccess; close(): void }> {
  if (t.kind === 'local') return { access: localAccess(), close: () => undefined };
  let opened;
  try {
    opened = await openSshSession({
      target: t.spec,
      identity: v.identity,
      knownHosts: v['known-hosts'],
      sshConfig: v['ssh-config'],
      logger: silentLogger,
      ...cliSshInteraction(io, v['accept-new-host-key'] === true),
    });
  } catch (e) {
    if (e instanceof MissingIdentityError) throw new CliUsageError(`--identity: ${e.message}`);
    throw e;
  }
  const { session, connection, label } = opened;
  return { access: remoteAccess(sshShell(connection, label)), close: () => session.close() };
}
