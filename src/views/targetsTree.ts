import * as vscode from 'vscode';
import type { TargetConfig } from '../core/editor/targetConfig';
import type { WatchController } from '../extension/watch/watchController';
import { readWatchSettings } from '../extension/watch/watchSettings';

/** Command that starts watching a target; a Targets item passes the target's name. */
export const START_WATCHING_COMMAND = 'leakhunt.startWatching';

const ICONS = {
  idle: 'circle-outline',
  connecting: 'loading~spin',
  watching: 'pulse',
  stopped: 'debug-stop',
  error: 'error',
} as const;

/** The Targets view: the configured `leakhunt.targets` with their connection state; a click starts watching. */
export class TargetsTreeProvider implements vscode.TreeDataProvider<TargetConfig> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly watch: WatchController) {
    watch.onDidChange(() => this.changed.fire());
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('leakhunt.targets')) this.changed.fire();
    });
  }

  getChildren(element?: TargetConfig): TargetConfig[] {
    return element ? [] : readWatchSettings().targets;
  }

  getTreeItem(t: TargetConfig): vscode.TreeItem {
    const s = this.watch.states.get(t.name) ?? { state: 'idle' as const };
    const item = new vscode.TreeItem(t.name);
    const via = t.spec.kind === 'ssh' ? ` → ${t.container ? `container ${t.container}, ` : ''}${t.endpoint}` : '';
    item.description = `${s.state} · ${t.url}${via}`;
    item.tooltip = s.detail ? `${t.url}\n${s.detail}` : t.url;
    item.iconPath = new vscode.ThemeIcon(ICONS[s.state]);
    item.contextValue = `leakhuntTarget.${s.state}`;
    if (s.state !== 'watching' && s.state !== 'connecting') {
      item.command = { command: START_WATCHING_COMMAND, title: 'Start Watching', arguments: [t.name] };
    }
    return item;
  }
}
