import * as vscode from 'vscode';
import { sshHostTarget, withContainer } from '../../core/editor/sshHostTarget';
import { DEFAULT_ENDPOINT, targetOpenOptions, type TargetConfig } from '../../core/editor/targetConfig';
import { listContainers } from '../../core/remote/dockerContainers';
import { connectHost, parseTargetUrl, type ConnectedHost } from '../../core/remote/openTarget';
import { RemoteCommandError } from '../../core/remote/remoteErrors';
import { loadSshConfig } from '../../core/remote/resolveSshRoute';
import { sshConfigHostAliases } from '../../core/remote/sshConfigHosts';
import type { WatchController, WatchPrompts } from '../watch/watchController';
import { readWatchSettings } from '../watch/watchSettings';

/** The command id of "Leakhunt: Connect to Target". */
export const CONNECT_TO_TARGET_COMMAND = 'leakhunt.connectToTarget';

type Choice = vscode.QuickPickItem & { target?: TargetConfig; add?: true; alias?: string };

/**
 * Connect to Target: a pick of the configured targets, the user's ssh-config hosts and "Add target..."; for an SSH
 * host without a configured container, a pick of the containers running there (`docker ps` over SSH); then starts
 * watching the choice over the same SSH connection (closed again if the user cancels the pick).
 */
export function connectToTarget(watch: WatchController, prompts: WatchPrompts, log: vscode.LogOutputChannel) {
  return async (): Promise<void> => {
    const s = readWatchSettings();
    for (const p of s.problems) log.warn(`leakhunt.targets[${p.index}]: ${p.message}`);
    const items: Choice[] = s.targets.map((t) => ({ label: t.name, description: t.url, target: t }));
    let aliases: string[] = [];
    try {
      aliases = sshConfigHostAliases(await loadSshConfig(s.sshConfigFile));
    } catch (e) {
      log.warn(`ssh config: ${(e as Error).message}`);
    }
    const hosts: Choice[] = [];
    for (const a of aliases) {
      try {
        hosts.push({ label: `$(remote) ${a}`, description: 'ssh config host', target: sshHostTarget(a), alias: a });
      } catch (e) {
        log.warn(`ssh config host ${a}: ${(e as Error).message}`);
      }
    }
    if (hosts.length > 0) items.push({ label: 'SSH hosts', kind: vscode.QuickPickItemKind.Separator }, ...hosts);
    items.push({ label: '$(add) Add target...', add: true, alwaysShow: true });
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Connect to Target',
      placeHolder: 'A configured target, an ssh-config host, or a new target',
    });
    if (!picked) return;
    let target = picked.add ? await addTarget() : picked.target;
    if (picked.alias !== undefined) target = await askEndpoint(picked.alias);
    if (!target) return;
    let host: ConnectedHost | undefined;
    if (target.spec.kind === 'ssh' && target.container === undefined && target.pid === undefined) {
      const chosen = await pickContainer(target, prompts, log);
      if (chosen === null) return;
      target = chosen.target;
      host = chosen.host;
    }
    try {
      // The watch takes the connection over (and closes it if it cannot start).
      await watch.start(target, host);
    } catch (e) {
      void vscode.window.showErrorMessage(`Leak Hunter: cannot watch ${target.name}: ${(e as Error).message}`);
    }
  };
}

/** Asks for a URL and a name, appends the target to `leakhunt.targets` (workspace settings when a folder is open). */
async function addTarget(): Promise<TargetConfig | undefined> {
  const url = await vscode.window.showInputBox({
    title: 'Add target: URL',
    prompt: 'http://HOST:PORT (a pprof endpoint) or ssh://[USER@]HOST[:PORT] (an SSH host or ssh-config alias)',
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        parseTargetUrl(v.trim());
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  if (!url) return undefined;
  const spec = parseTargetUrl(url.trim());
  const config = vscode.workspace.getConfiguration('leakhunt');
  const raw = config.get<unknown>('targets');
  const existing = Array.isArray(raw) ? (raw as unknown[]) : [];
  const taken = (n: string): boolean =>
    existing.some((e) => typeof e === 'object' && e !== null && (e as { name?: unknown }).name === n);
  const name = await vscode.window.showInputBox({
    title: 'Add target: name',
    value: spec.host,
    ignoreFocusOut: true,
    validateInput: (v) =>
      !v.trim() ? 'a name is needed' : taken(v.trim()) ? 'a target has this name already' : undefined,
  });
  if (!name) return undefined;
  const entry = { name: name.trim(), url: url.trim() };
  const scope = vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await config.update('targets', [...existing, entry], scope);
  return readWatchSettings().targets.find((t) => t.name === entry.name);
}

/**
 * Lists the containers on the target's host and lets the user pick one or the host itself; null when cancelled. The
 * SSH connection that listed them is returned open, for the watch to reuse; it is closed when the pick is cancelled.
 * A host where `docker ps` fails falls back to the host's own endpoint with a warning.
 */
async function pickContainer(
  target: TargetConfig,
  prompts: WatchPrompts,
  log: vscode.LogOutputChannel,
): Promise<{ target: TargetConfig; host: ConnectedHost } | null> {
  const s = readWatchSettings();
  let host: ConnectedHost;
  try {
    host = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Leak Hunter: connecting to ${target.name}` },
      () =>
        connectHost(
          targetOpenOptions(target, {
            knownHosts: s.knownHostsFile,
            sshConfig: s.sshConfigFile,
            agentSocket: process.env['SSH_AUTH_SOCK'],
            auth: prompts.auth,
            onUnknownHostKey: (info) => prompts.unknownHostKey(info),
            logger: { trace: (scope, message) => log.debug(`[${scope}] ${message}`) },
          }),
        ),
    );
  } catch (e) {
    // A refused login or host key stops here.
    void vscode.window.showErrorMessage(`Leak Hunter: cannot connect to ${target.name}: ${(e as Error).message}`);
    return null;
  }
  const close = (): null => {
    void host.close().catch(() => undefined);
    return null;
  };
  let containers;
  try {
    containers = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Leak Hunter: listing containers on ${target.name}` },
      () => listContainers(host.target),
    );
  } catch (e) {
    // Only a host without (working) docker falls back to the host itself; a lost connection stops here.
    if (!(e instanceof RemoteCommandError)) {
      void vscode.window.showErrorMessage(`Leak Hunter: cannot connect to ${target.name}: ${(e as Error).message}`);
      return close();
    }
    log.warn(`cannot list containers on ${target.name}: ${(e as Error).message}`);
    void vscode.window.showWarningMessage(
      `Leak Hunter: cannot list containers on ${target.name} (${(e as Error).message}); watching the host's ${target.endpoint}.`,
    );
    return { target, host };
  }
  const hostItem: vscode.QuickPickItem & { name?: string } = {
    label: `$(vm) ${target.name}`,
    description: `the host's own endpoint ${target.endpoint}`,
  };
  const items = [
    ...containers.map((c) => ({ label: `$(package) ${c.name}`, description: `${c.image} · ${c.state}`, name: c.name })),
    hostItem,
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: `Connect to ${target.name}: container`,
    placeHolder: `pprof at port ${target.endpoint === DEFAULT_ENDPOINT ? '6060' : target.endpoint} of the container`,
  });
  if (!picked) return close();
  if (picked.name === undefined) return { target, host };
  try {
    return { target: withContainer(target, picked.name), host };
  } catch (e) {
    void vscode.window.showErrorMessage(`Leak Hunter: ${(e as Error).message}`);
    return close();
  }
}

/** An ssh-config host has no endpoint setting: ask where pprof listens (with a container, only the port counts). */
async function askEndpoint(alias: string): Promise<TargetConfig | undefined> {
  const endpoint = await vscode.window.showInputBox({
    title: `Connect to ${alias}: pprof endpoint`,
    prompt: 'HOST:PORT of net/http/pprof as seen from the SSH host (for a container, its port)',
    value: DEFAULT_ENDPOINT,
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        sshHostTarget(alias, v.trim());
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  return endpoint ? sshHostTarget(alias, endpoint.trim()) : undefined;
}
