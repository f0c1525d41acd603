import * as vscode from 'vscode';
import type { TargetConfig } from '../core/editor/targetConfig';
import { groupTargetsByHost, targetEndpoint, type TargetHost } from '../core/editor/targetHosts';
import type { ConnectionState, WatchController } from '../extension/watch/watchController';
import { readWatchSettings } from '../extension/watch/watchSettings';

/** Command that starts watching a target; the inline action of an idle Targets row passes the row. */
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

/** Whether a command argument is a Targets row of a target (what an inline action on that row passes). */
export function isTargetRow(x: unknown): x is { kind: 'target'; target: TargetConfig } {
  const o = x as Partial<TargetsNode> | undefined;
  return typeof o === 'object' && o !== null && o.kind === 'target' && typeof o.target?.name === 'string';
}

// The state shown on a host row: the most eventful of its targets'.
const HOST_STATE_ORDER: ConnectionState[] = ['watching', 'connecting', 'error', 'stopped', 'idle'];

/**
 * The Targets view: the configured `leakhunt.targets` grouped by host, each target with its connection state and,
 * below it, its container (if any) and the pprof endpoint. Target rows start collapsed and carry no click command:
 * VS Code expands a row that has a command only from its twistie (`expandOnlyOnTwistieClick` is true for items with a
 * command), so a click on a collapsed row used to start a watch instead of expanding it. Start/Stop Watching are
 * inline actions of the row instead; the watched target is revealed expanded when the view shows.
 */
export class TargetsTreeProvider implements vscode.TreeDataProvider<TargetsNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private view: vscode.TreeView<TargetsNode> | undefined;
  private lastStates = new Map<string, string>();

  constructor(private readonly watch: WatchController) {
    watch.onDidChange(() => {
      // Rows show states (and an error's detail) only: a snapshot changes neither, so it must not re-render the tree.
      const now = new Map([...watch.states].map(([name, s]) => [name, `${s.state}\n${s.detail ?? ''}`] as const));
      const changed = [...now].filter(([name, s]) => this.lastStates.get(name) !== s).map(([name]) => name);
      this.lastStates = now;
      if (changed.length === 0) return;
      this.changed.fire();
      const started = changed.find((name) => watch.states.get(name)?.state === 'connecting');
      if (started !== undefined) void this.revealTarget(started);
    });
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('leakhunt.targets')) this.changed.fire();
    });
  }

  /** Gives the provider its view, so it can show the watched target expanded when the view becomes visible. */
  attachView(view: vscode.TreeView<TargetsNode>): vscode.Disposable {
    this.view = view;
    return view.onDidChangeVisibility((e) => {
      const active = this.watch.target?.name;
      const state = active !== undefined ? this.watch.states.get(active)?.state : undefined;
      if (e.visible && active !== undefined && (state === 'watching' || state === 'connecting'))
        void this.revealTarget(active);
    });
  }

  /** Expands the row of target `name` without taking the focus or the selection (only while the view is visible). */
  private async revealTarget(name: string): Promise<void> {
    const view = this.view;
    const target = readWatchSettings().targets.find((t) => t.name === name);
    if (!view?.visible || !target) return;
    try {
      await view.reveal({ kind: 'target', target }, { expand: true, select: false, focus: false });
    } catch {
      // The target left the settings meanwhile: nothing to show.
    }
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

  /** The parent row of `node` (what `reveal` walks up); ids are stable, so a fresh object finds the shown row. */
  getParent(node: TargetsNode): TargetsNode | undefined {
    switch (node.kind) {
      case 'host':
        return undefined;
      case 'target': {
        const host = groupTargetsByHost(readWatchSettings().targets).find((h) =>
          h.targets.some((t) => t.name === node.target.name),
        );
        return host ? { kind: 'host', host } : undefined;
      }
      case 'container':
        return { kind: 'target', target: node.target };
      case 'endpoint':
        return node.target.container !== undefined
          ? { kind: 'container', target: node.target }
          : { kind: 'target', target: node.target };
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
    const item = new vscode.TreeItem(t.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `target:${t.name}`;
    const via = t.spec.kind === 'ssh' ? ` → ${t.container ? `container ${t.container}, ` : ''}${t.endpoint}` : '';
    item.description = `${s.state} · ${t.url}${via}`;
    item.tooltip = s.detail ? `${t.url}\n${s.detail}` : t.url;
    item.iconPath = new vscode.ThemeIcon(ICONS[s.state]);
    // Inline Start/Stop Watching actions key on this (see the view/item/context menus in package.json).
    item.contextValue = `leakhuntTarget.${s.state}`;
    return item;
  }
}
