import * as vscode from 'vscode';
import type { TargetConfig } from '../core/editor/targetConfig';
import { groupTargetsByHost, targetEndpoint, type TargetHost } from '../core/editor/targetHosts';
import type { ConnectionState, WatchController } from '../extension/watch/watchController';
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

/** A row of the Targets view: a host, one of its targets, a target's container or its pprof endpoint. */
export type TargetsNode =
  | { kind: 'host'; host: TargetHost }
  | { kind: 'target'; target: TargetConfig }
  | { kind: 'container'; target: TargetConfig }
  | { kind: 'endpoint'; target: TargetConfig };

// The state shown on a host row: the most eventful of its targets'.
const HOST_STATE_ORDER: ConnectionState[] = ['watching', 'connecting', 'error', 'stopped', 'idle'];

/**
 * The Targets view: the configured `leakhunt.targets` grouped by host, each target with its connection state (a
 * click starts watching) and, below it, its container (if any) and the pprof endpoint.
 */
export class TargetsTreeProvider implements vscode.TreeDataProvider<TargetsNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly watch: WatchController) {
    watch.onDidChange(() => this.changed.fire());
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('leakhunt.targets')) this.changed.fire();
    });
  }

  getChildren(element?: TargetsNode): TargetsNode[] {
    if (!element) return groupTargetsByHost(readWatchSettings().targets).map((host) => ({ kind: 'host', host }));
    switch (element.kind) {
      case 'host':
        return element.host.targets.map((target) => ({ kind: 'target', target }));
      case 'target':
        return [{ kind: element.target.container !== undefined ? 'container' : 'endpoint', target: element.target }];
      case 'container':
        return [{ kind: 'endpoint', target: element.target }];
      case 'endpoint':
        return [];
    }
  }

  getTreeItem(node: TargetsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'host':
        return this.hostItem(node.host);
      case 'target':
        return this.targetItem(node.target);
      case 'container': {
        const item = new vscode.TreeItem(node.target.container ?? '', vscode.TreeItemCollapsibleState.Expanded);
        item.id = `container:${node.target.name}`;
        item.description = 'container';
        item.iconPath = new vscode.ThemeIcon('package');
        return item;
      }
      case 'endpoint': {
        const item = new vscode.TreeItem(targetEndpoint(node.target));
        item.id = `endpoint:${node.target.name}`;
        item.description = `pprof ${node.target.pprofPrefix ?? '/debug/pprof'}`;
        item.iconPath = new vscode.ThemeIcon('plug');
        return item;
      }
    }
  }

  private stateOf(t: TargetConfig): { state: ConnectionState; detail?: string } {
    return this.watch.states.get(t.name) ?? { state: 'idle' };
  }

  private hostItem(h: TargetHost): vscode.TreeItem {
    const item = new vscode.TreeItem(h.label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `host:${h.key}`;
    const states = h.targets.map((t) => this.stateOf(t).state);
    const state = HOST_STATE_ORDER.find((s) => states.includes(s)) ?? 'idle';
    item.description = `${h.transport} · ${h.targets.length} target${h.targets.length === 1 ? '' : 's'} · ${state}`;
    item.tooltip = `${h.transport === 'ssh' ? 'SSH host' : 'http host'} ${h.label}: ${state}`;
    item.iconPath = new vscode.ThemeIcon(h.transport === 'ssh' ? 'remote' : 'globe');
    return item;
  }

  private targetItem(t: TargetConfig): vscode.TreeItem {
    const s = this.stateOf(t);
    const item = new vscode.TreeItem(t.name, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `target:${t.name}`;
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
