import * as vscode from 'vscode';
import { connectToTarget, CONNECT_TO_TARGET_COMMAND } from '../connect/connectToTarget';
import { SnapshotsTreeProvider } from '../../views/snapshotsTree';
import { SuspectsTreeProvider } from '../../views/suspectsTree';
import { TargetsTreeProvider } from '../../views/targetsTree';
import { seriesDashboardOf } from '../../views/seriesDashboardPanel';
import { registerWatchStatusBar } from '../../views/watchStatusBar';
import { registerLeakCodeLenses } from '../leaks/leakCodeLenses';
import { registerLeakStackDocuments } from '../leaks/leakStackDocument';
import { RuntimeDiagnostics } from '../leaks/runtimeDiagnostics';
import type { WorkspacePathResolver } from '../pathMapping/workspacePathResolver';
import { registerSnapshotCommands } from '../snapshots/registerSnapshotCommands';
import { registerWatchCommands, WATCH_COMMANDS } from './watchCommands';
import { WatchController } from './watchController';
import { watchPrompts } from './watchPrompts';
import { readWatchSettings } from './watchSettings';

/** The tree providers of the Targets, Snapshots and Suspects views, fed by the watch. */
export interface WatchViews {
  targets: vscode.TreeDataProvider<unknown>;
  snapshots: vscode.TreeDataProvider<unknown>;
  suspects: vscode.TreeDataProvider<unknown>;
}

/**
 * Wires live watching into the editor: the controller, its commands, code lenses, stack documents, runtime
 * diagnostics and status bar; returns the view providers for the Leak Hunter container. Starts watching the sole
 * configured target when `leakhunt.autoWatch` is on.
 */
export function registerWatch(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  resolver: WorkspacePathResolver,
): WatchViews {
  const prompts = watchPrompts(context.secrets);
  const watch = new WatchController(context.globalStorageUri, log, resolver, prompts);
  context.subscriptions.push(watch, new RuntimeDiagnostics(watch, resolver, log));
  registerWatchCommands(context, watch, log);
  registerSnapshotCommands(context, watch, { extensionUri: context.extensionUri, resolver, log });
  context.subscriptions.push(
    vscode.commands.registerCommand(CONNECT_TO_TARGET_COMMAND, connectToTarget(watch, prompts, log)),
  );
  registerLeakCodeLenses(context, watch);
  registerLeakStackDocuments(context, watch, resolver);
  registerWatchStatusBar(context, watch);
  // An open dashboard of the live series redraws after every snapshot (refreshes coalesce and never reject).
  context.subscriptions.push(
    watch.onDidChange(() => {
      if (watch.seriesDir) void seriesDashboardOf(watch.seriesDir)?.refresh();
    }),
  );
  const s = readWatchSettings();
  if (s.autoWatch && s.targets.length === 1) void vscode.commands.executeCommand(WATCH_COMMANDS.start);
  return {
    targets: new TargetsTreeProvider(watch) as vscode.TreeDataProvider<unknown>,
    snapshots: new SnapshotsTreeProvider(watch) as vscode.TreeDataProvider<unknown>,
    suspects: new SuspectsTreeProvider(watch) as vscode.TreeDataProvider<unknown>,
  };
}
