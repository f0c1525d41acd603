import * as vscode from 'vscode';
import { formatByteRate } from '../core/editor/leakSites';
import type { TargetState } from '../core/leak/targetLifecycle';
import { OPEN_SERIES_DASHBOARD_COMMAND } from '../extension/commands/openSeriesDashboard';
import type { WatchController } from '../extension/watch/watchController';
import { cgroupPercent } from './snapshotsTree';

/** Command the status bar item runs before a series folder exists (still connecting): the leak report. */
export const SHOW_LEAK_REPORT_COMMAND = 'leakhunt.showLeakReport';

/** How the status bar words a target that is no longer the process it was. */
const FATE_WORDS: Record<TargetState, string> = {
  running: 'running',
  'oom-killed': 'OOM-killed',
  unreachable: 'not answering',
  restarted: 'restarted',
};

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
    const r = watch.report;
    const fate = r?.lifecycle && r.lifecycle.state !== 'running' ? r.lifecycle : undefined;
    // A dead or restarted target comes first: nothing else on the item matters as much to whoever is on call.
    const parts = fate
      ? [`$(error) ${t.name} ${FATE_WORDS[fate.state]}`]
      : [`$(${state === 'watching' ? 'pulse' : state === 'error' ? 'error' : 'debug-stop'}) ${t.name}`];
    if (r?.heap) parts.push(`heap ${formatByteRate(r.heap.trendBytesPerMin)}`);
    const last = watch.snapshots[watch.snapshots.length - 1];
    const pct = last ? cgroupPercent(last) : undefined;
    // After a death the group is empty: its figure would read as "fine", so only a live target shows it.
    if (pct !== undefined && !fate) parts.push(`cgroup ${pct.toFixed(0)}%`);
    const leaks = watch.sites.filter((s) => s.site.verdict === 'leak').length;
    parts.push(`${leaks} leak${leaks === 1 ? '' : 's'}`);
    item.text = parts.join(' · ');
    item.tooltip =
      (fate ? `${fate.summary}\n` : '') +
      `Leak Hunter: ${state} ${t.url} (${watch.snapshots.length} snapshots). Click for the series dashboard.`;
    item.backgroundColor = fate ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    item.show();
  };
  context.subscriptions.push(item, watch.onDidChange(update));
  update();
}
