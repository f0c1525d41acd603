import * as vscode from 'vscode';
import { registerAnalysis } from './analysis/registerAnalysis';
import { compareProfileFiles, COMPARE_PROFILE_FILES_COMMAND } from './commands/compareProfileFiles';
import { openProfileFile, OPEN_PROFILE_FILE_COMMAND } from './commands/openProfileFile';
import { openSeriesDashboardCommand, OPEN_SERIES_DASHBOARD_COMMAND } from './commands/openSeriesDashboard';
import { registerGoroutineDumpLinks } from './goroutineDump/goroutineDumpLinkProvider';
import { registerHotPatch } from './hotpatch/registerHotPatch';
import { WorkspacePathResolver } from './pathMapping/workspacePathResolver';
import { registerWatch } from './watch/registerWatch';
import { readThresholdSettings } from './watch/watchSettings';
import { registerLeakHunterViews } from '../views/leakHunterViews';
import { registerProfileEditor } from '../views/profileEditorProvider';

/** Called by VS Code when a Go file opens or a Leakhunt command runs; wires every command and provider. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Leak Hunter', { log: true });
  context.subscriptions.push(log);
  const resolver = new WorkspacePathResolver(log);
  context.subscriptions.push(resolver);
  // Series dashboards judge with the same thresholds as the live watch (a bad value is reported when a watch starts).
  const dashboards = {
    extensionUri: context.extensionUri,
    resolver,
    log,
    config: () => readThresholdSettings().config,
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(OPEN_PROFILE_FILE_COMMAND, openProfileFile({ log })),
    vscode.commands.registerCommand(COMPARE_PROFILE_FILES_COMMAND, compareProfileFiles(dashboards)),
    vscode.commands.registerCommand(OPEN_SERIES_DASHBOARD_COMMAND, openSeriesDashboardCommand(dashboards)),
    vscode.commands.registerCommand('leakhunt.showLog', () => log.show()),
  );
  registerProfileEditor(context, dashboards);
  registerGoroutineDumpLinks(context, resolver);
  registerLeakHunterViews(context, registerWatch(context, log, resolver));
  registerAnalysis(context, log);
  registerHotPatch(context, log);
  log.info('Leak Hunter activated');
}

/** Called by VS Code on shutdown; everything is released through the context's subscriptions. */
export function deactivate(): void {}
