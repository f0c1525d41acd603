import * as vscode from 'vscode';
import { renderMarkdown } from '../../core/leak/renderReport';
import { isTargetRow } from '../../views/targetsTree';
import type { WatchController } from './watchController';
import { readWatchSettings } from './watchSettings';

/** Command ids of the watch commands, as declared in package.json. */
export const WATCH_COMMANDS = {
  start: 'leakhunt.startWatching',
  stop: 'leakhunt.stopWatching',
  snapshot: 'leakhunt.takeSnapshot',
  report: 'leakhunt.showLeakReport',
} as const;

/** URI scheme of the read-only leak report document. */
export const LEAK_REPORT_SCHEME = 'leakhunt-report';
const REPORT_URI = vscode.Uri.from({ scheme: LEAK_REPORT_SCHEME, path: '/Leak Report.md' });

/**
 * Start Watching: the sole configured target without asking, a quick pick otherwise; a target name argument (or the
 * Targets row whose inline action ran it) skips the pick.
 */
export function startWatching(watch: WatchController, log: vscode.LogOutputChannel) {
  return async (arg?: unknown): Promise<void> => {
    const s = readWatchSettings();
    for (const p of s.problems) log.warn(`leakhunt.targets[${p.index}]: ${p.message}`);
    const name = isTargetRow(arg) ? arg.target.name : arg;
    let target = typeof name === 'string' ? s.targets.find((t) => t.name === name) : undefined;
    if (!target) {
      if (s.targets.length === 0) {
        const why = s.problems.length > 0 ? ` (${s.problems.map((p) => p.message).join('; ')})` : '';
        const open = 'Open Settings';
        const pick = await vscode.window.showErrorMessage(
          `Leak Hunter: no usable target in the "leakhunt.targets" setting${why}.`,
          open,
        );
        if (pick === open) await vscode.commands.executeCommand('workbench.action.openSettings', 'leakhunt.targets');
        return;
      }
      if (s.targets.length === 1) target = s.targets[0];
      else {
        const picked = await vscode.window.showQuickPick(
          s.targets.map((t) => ({ label: t.name, description: t.url, target: t })),
          { placeHolder: 'Target to watch' },
        );
        target = picked?.target;
      }
    }
    if (!target) return;
    try {
      await watch.start(target);
    } catch (e) {
      void vscode.window.showErrorMessage(`Leak Hunter: cannot watch ${target.name}: ${(e as Error).message}`);
    }
  };
}

/** Stop Watching. */
export function stopWatching(watch: WatchController) {
  return async (): Promise<void> => {
    if (!watch.watching && !watch.connecting) {
      void vscode.window.showInformationMessage('Leak Hunter: no target is being watched.');
      return;
    }
    await watch.stop();
  };
}

/** Take Snapshot Now. */
export function takeSnapshot(watch: WatchController) {
  return async (): Promise<void> => {
    try {
      const e = await watch.snapshotNow();
      void vscode.window.setStatusBarMessage(`Leak Hunter: snapshot ${e.seq} ${e.status}`, 5000);
    } catch (err) {
      void vscode.window.showErrorMessage(`Leak Hunter: ${(err as Error).message}`);
    }
  };
}

/** Serves the leak report of the watched target as a read-only Markdown document, refreshed after every snapshot. */
class LeakReportProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  constructor(private readonly watch: WatchController) {
    watch.onDidChange(() => this.changed.fire(REPORT_URI));
  }
  provideTextDocumentContent(): string {
    const r = this.watch.report;
    if (!r) return '# Leak report\n\nNo report yet: run "Leakhunt: Start Watching" and wait for two snapshots.\n';
    const dir = this.watch.seriesDir ? `\n\nSeries folder: \`${this.watch.seriesDir}\`\n` : '\n';
    return renderMarkdown(r) + dir;
  }
}

/** Show Leak Report. */
export function showLeakReport() {
  return async (): Promise<void> => {
    const doc = await vscode.workspace.openTextDocument(REPORT_URI);
    const md = doc.languageId === 'markdown' ? doc : await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(md, { preview: true });
  };
}

/** Registers the watch commands and the report document provider. */
export function registerWatchCommands(
  context: vscode.ExtensionContext,
  watch: WatchController,
  log: vscode.LogOutputChannel,
): void {
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(LEAK_REPORT_SCHEME, new LeakReportProvider(watch)),
    vscode.commands.registerCommand(WATCH_COMMANDS.start, startWatching(watch, log)),
    vscode.commands.registerCommand(WATCH_COMMANDS.stop, stopWatching(watch)),
    vscode.commands.registerCommand(WATCH_COMMANDS.snapshot, takeSnapshot(watch)),
    vscode.commands.registerCommand(WATCH_COMMANDS.report, showLeakReport()),
  );
}
