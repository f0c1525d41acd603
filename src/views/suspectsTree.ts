import * as vscode from 'vscode';
import { formatByteRate, formatCountRate } from '../core/editor/leakSites';
import { callPathLabel } from '../core/leak/callPath';
import { formatBytes } from '../core/leak/units';
import type { ResolvedSite, WatchController } from '../extension/watch/watchController';
import { SHOW_LEAK_STACK_COMMAND } from '../extension/leaks/leakStackDocument';

/** A row of the Suspects view: a ranked site, or one of the call paths (stacks) that lead to it. */
export type SuspectNode = { kind: 'site'; resolved: ResolvedSite } | { kind: 'stack'; siteId: string; index: number };

/**
 * The Suspects view: the watched target's leaking heap sites and goroutine groups, ranked; a click opens the code.
 * Each site expands into the stacks that reach it, with growth per stack; a click on one opens it in the stack
 * document.
 */
export class SuspectsTreeProvider implements vscode.TreeDataProvider<SuspectNode> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly watch: WatchController) {
    watch.onDidChange(() => this.changed.fire());
  }

  getChildren(element?: SuspectNode): SuspectNode[] {
    if (element?.kind === 'stack') return [];
    if (element) {
      const { site } = element.resolved;
      return site.stacks.map((_, index) => ({ kind: 'stack', siteId: site.id, index }));
    }
    const rank = (r: ResolvedSite): number =>
      (r.site.verdict === 'leak' ? 2 : 1) * 1e12 +
      (r.site.kind === 'heap' ? r.site.ratePerMin : r.site.ratePerMin * 1e6);
    return [...this.watch.sites].sort((a, b) => rank(b) - rank(a)).map((resolved) => ({ kind: 'site', resolved }));
  }

  getTreeItem(node: SuspectNode): vscode.TreeItem {
    return node.kind === 'site' ? this.siteItem(node.resolved) : this.stackItem(node.siteId, node.index);
  }

  private siteItem({ site, uri }: ResolvedSite): vscode.TreeItem {
    const where = `${site.file.split('/').pop()}:${site.line}`;
    // Stable ids keep a row's expanded state across the refresh that every snapshot brings.
    const item = new vscode.TreeItem(
      `${site.function.split('/').pop()} ${where}`,
      site.stacks.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `suspect:${site.id}`;
    item.description =
      site.kind === 'heap'
        ? `${site.verdict} ${formatByteRate(site.ratePerMin)} · ${formatBytes(site.amount)}`
        : `${site.verdict} ${site.amount} goroutines (${site.state ?? '?'}) ${formatCountRate(site.ratePerMin)}`;
    const paths = site.stacksInWindow === 1 ? '1 stack' : `${site.stacksInWindow} stacks`;
    item.tooltip = `${site.file}:${site.line}\n${site.reason}\nreached by ${paths}${uri ? '' : '\n(not found in the workspace)'}`;
    item.iconPath = new vscode.ThemeIcon(
      site.kind === 'heap' ? 'database' : 'debug-stackframe',
      new vscode.ThemeColor(site.verdict === 'leak' ? 'errorForeground' : 'editorWarning.foreground'),
    );
    if (uri) {
      item.command = {
        command: 'vscode.open',
        title: 'Go to code',
        arguments: [uri, { selection: new vscode.Range(site.line - 1, 0, site.line - 1, 0) }],
      };
    }
    return item;
  }

  private stackItem(siteId: string, index: number): vscode.TreeItem {
    const site = this.watch.site(siteId)?.site;
    const stack = site?.stacks[index];
    if (!site || !stack) return new vscode.TreeItem('(gone from the latest report)');
    const item = new vscode.TreeItem(callPathLabel(stack.frames, site, 3));
    item.id = `suspect:${site.id}#${index}`;
    item.description = stack.growth;
    item.tooltip = stack.frames.map((f) => `${f.function}\n\t${f.file}:${f.line}`).join('\n');
    item.iconPath = new vscode.ThemeIcon('call-incoming');
    item.command = { command: SHOW_LEAK_STACK_COMMAND, title: 'Show this stack', arguments: [site.id, index] };
    return item;
  }
}
