import * as vscode from 'vscode';
import { formatByteRate, formatCountRate } from '../core/editor/leakSites';
import { formatBytes } from '../core/leak/units';
import type { ResolvedSite, WatchController } from '../extension/watch/watchController';

/** The Suspects view: the watched target's leaking heap sites and goroutine groups, ranked; a click opens the code. */
export class SuspectsTreeProvider implements vscode.TreeDataProvider<ResolvedSite> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly watch: WatchController) {
    watch.onDidChange(() => this.changed.fire());
  }

  getChildren(element?: ResolvedSite): ResolvedSite[] {
    if (element) return [];
    const rank = (r: ResolvedSite): number =>
      (r.site.verdict === 'leak' ? 2 : 1) * 1e12 +
      (r.site.kind === 'heap' ? r.site.ratePerMin : r.site.ratePerMin * 1e6);
    return [...this.watch.sites].sort((a, b) => rank(b) - rank(a));
  }

  getTreeItem({ site, uri }: ResolvedSite): vscode.TreeItem {
    const where = `${site.file.split('/').pop()}:${site.line}`;
    const item = new vscode.TreeItem(`${site.function.split('/').pop()} ${where}`);
    item.description =
      site.kind === 'heap'
        ? `${site.verdict} ${formatByteRate(site.ratePerMin)} · ${formatBytes(site.amount)}`
        : `${site.verdict} ${site.amount} goroutines (${site.state ?? '?'}) ${formatCountRate(site.ratePerMin)}`;
    item.tooltip = `${site.file}:${site.line}\n${site.reason}${uri ? '' : '\n(not found in the workspace)'}`;
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
}
