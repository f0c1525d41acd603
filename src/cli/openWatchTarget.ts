import {
  openTarget,
  parseTargetUrl,
  TargetSpecError,
  type OpenedTarget,
  type OpenTargetOptions,
  type TargetSpec,
} from '../core/remote/openTarget';
import type { SshAuthCallbacks } from '../core/remote/sshConnection';
import type { TraceLogger } from '../core/remote/traceLogger';
import type { CliIO } from './cliCommand';
import { CliUsageError } from './cliCommand';
import { promptHidden } from './ttyPrompt';

/** A parsed `TARGET` argument. */
export type WatchTargetSpec = TargetSpec;

/** Parses `http://HOST:PORT` or `ssh://[USER@]HOST[:PORT]` (HOST may be an ssh-config alias). */
export function parseWatchTarget(s: string): WatchTargetSpec {
  try {
    return parseTargetUrl(s);
  } catch (e) {
    if (e instanceof TargetSpecError) throw new CliUsageError(e.message);
    throw e;
  }
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
export type OpenedWatchTarget = OpenedTarget;

/** The `parseArgs` options every command reaching an ssh:// target accepts (same spelling as `watch`). */
export const sshTargetOptions = {
  identity: { type: 'string', multiple: true },
  'known-hosts': { type: 'string' },
  'ssh-config': { type: 'string' },
  'accept-new-host-key': { type: 'boolean', default: false },
} as const;

/** How the CLI answers SSH's questions: agent from SSH_AUTH_SOCK, secrets prompted on the TTY, host-key policy. */
export function cliSshInteraction(
  io: CliIO,
  acceptNewHostKey: boolean,
): Pick<OpenTargetOptions, 'agentSocket' | 'auth' | 'onUnknownHostKey'> {
  return {
    agentSocket: io.env['SSH_AUTH_SOCK'],
    auth: authCallbacks(io),
    onUnknownHostKey: acceptNewHostKey
      ? async (info) => {
          io.stderr.write(
            `leakhunt: recording new host key for ${info.hostId} (${info.keyType} ${info.fingerprint}) in ${info.knownHostsFile}\n`,
          );
          return true;
        }
      : undefined,
  };
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
 * Opens the target through the shared core {@link openTarget}, with terminal prompts for secrets and the
 * `--accept-new-host-key` policy; bad options become usage errors naming the flag.
 */
export async function openWatchTarget(o: WatchConnectOptions, io: CliIO): Promise<OpenedWatchTarget> {
  try {
    return await openTarget({
      target: o.target,
      endpoint: o.endpoint,
      container: o.container,
      pid: o.pid,
      identity: o.identity,
      knownHosts: o.knownHosts,
      sshConfig: o.sshConfig,
      logger: o.logger,
      ...cliSshInteraction(io, o.acceptNewHostKey),
    });
  } catch (e) {
    if (e instanceof TargetSpecError) {
      throw new CliUsageError(e.field === 'url' ? e.message : `--${e.field}: ${e.message}`);
    }
    throw e;
  }
}
