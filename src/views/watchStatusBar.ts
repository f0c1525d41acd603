import * as vscode from 'vscode';
import { formatByteRate } from '../core/editor/leakSites';
import { OPEN_SERIES_DASHBOARD_COMMAND } from '../extension/commands/openSeriesDashboard';
import type { WatchController } from '../extension/watch/watchController';
import { cgroupPercent } from './snapshotsTree';

/** Command the status bar item runs before a series folder exists (still connecting): the leak report. */
export const SHOW_LEAK_REPORT_COMMAND = 'leakhunt.showLeakReport';

/**
 * A status bar item with the watched target, heap trend, cgroup % and leak count; a click opens the series dashboard
 * of the live series.
 */
export function registerWatchStatusBar(context: vscode.ExtensionContext, watch: WatchController): void {
  const item = vscode.window.createStatusBarItem('leakhunt.watch', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Leak Hunter';
  item.command = SHOW_LEAK_REPORT_COMMAND;
  const update = (): void => {
    const t = watch.target;
    if (!t) return item.hide();
    const dir = watch.seriesDir;
    item.command = dir
      ? { command: OPEN_SERIES_DASHBOARD_COMMAND, title: 'Open Series Dashboard', arguments: [dir] }
      : SHOW_LEAK_REPORT_COMMAND;
    const state = watch.states.get(t.name)?.state ?? 'idle';
    const parts = [`$(${state === 'watching' ? 'pulse' : state === 'error' ? 'error' : 'debug-stop'}) ${t.name}`];
    const r = watch.report;
    if (r?.heap) parts.push(`heap ${formatByteRate(r.heap.trendBytesPerMin)}`);
    const last = watch.snapshots[watch.snapshots.length - 1];
    const pct = last ? cgroupPercent(last) : undefined;
    if (pct !== undefined) parts.push(`cgroup ${pct.toFixed(0)}%`);
    const leaks = watch.sites.filter((s) => s.site.verdict === 'leak').length;
    parts.push(`${leaks} leak${leaks === 1 ? '' : 's'}`);
    item.text = parts.join(' · ');
    item.tooltip = `Leak Hunter: ${state} ${t.url} (${watch.snapshots.length} snapshots). Click for the series dashboard.`;
    item.show();
  };
  context.subscriptions.push(item, watch.onDidChange(update));
  update();
}
