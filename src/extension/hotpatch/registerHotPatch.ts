import * as vscode from 'vscode';
import { LeakhuntDebugSession } from '../../dap/leakhuntDebugSession';
import { watchPrompts } from '../watch/watchPrompts';
import { readWatchSettings } from '../watch/watchSettings';
import { HotPatchLensProvider } from './hotPatchLensProvider';
import {
  HOT_PATCH_POOL_COMMAND,
  hotPatchPoolCommand,
  ROLLBACK_HOT_PATCH_COMMAND,
  rollbackHotPatchCommand,
  type HotPatchCommandContext,
} from './hotPatchPoolCommand';

/** The debug type contributed in package.json (`debuggers`). */
export const LEAKHUNT_DEBUG_TYPE = 'leakhunt';

/** `leakhunt.dlvPath`, empty meaning dlv on PATH. */
function dlvPathSetting(): string | undefined {
  return vscode.workspace.getConfiguration('leakhunt').get<string>('dlvPath')?.trim() || undefined;
}

/**
 * Registers the hot-patch commands, the "hot patch New..." lenses and the `leakhunt` debug type, whose adapter runs inline in the extension host
 * (the same DelveRuntime as the standalone dist/debugAdapter.js); an attach configuration without `dlvPath` gets the
 * `leakhunt.dlvPath` setting.
 */
export function registerHotPatch(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const prompts = watchPrompts(context.secrets);
  const ctx: HotPatchCommandContext = { log, dlvPath: dlvPathSetting, prompts };
  const lenses = new HotPatchLensProvider(log);
  context.subscriptions.push(
    lenses,
    vscode.languages.registerCodeLensProvider({ language: 'go', scheme: 'file' }, lenses),
    vscode.commands.registerCommand(HOT_PATCH_POOL_COMMAND, hotPatchPoolCommand(ctx)),
    vscode.commands.registerCommand(ROLLBACK_HOT_PATCH_COMMAND, rollbackHotPatchCommand(ctx)),
    vscode.debug.registerDebugConfigurationProvider(LEAKHUNT_DEBUG_TYPE, {
      resolveDebugConfiguration: (_folder, config) => {
        const dlv = dlvPathSetting();
        return config.type === LEAKHUNT_DEBUG_TYPE && config['dlvPath'] === undefined && dlv
          ? { ...config, dlvPath: dlv }
          : config;
      },
    }),
    vscode.debug.registerDebugAdapterDescriptorFactory(LEAKHUNT_DEBUG_TYPE, {
      // DebugSession implements handleMessage/onDidSendMessage, which is all an inline adapter needs.
      // ssh:// targets log in with the watch settings and the same SecretStorage-backed prompts.
      createDebugAdapterDescriptor: () => {
        const settings = readWatchSettings();
        const session = new LeakhuntDebugSession({
          knownHosts: settings.knownHostsFile,
          sshConfig: settings.sshConfigFile,
          auth: prompts.auth,
          onUnknownHostKey: (info) => prompts.unknownHostKey(info),
        });
        return new vscode.DebugAdapterInlineImplementation(session as unknown as vscode.DebugAdapter);
      },
    }),
  );
}
