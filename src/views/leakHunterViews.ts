import * as vscode from 'vscode';

/** The ids of the views in the "Leak Hunter" activity-bar container, as declared in package.json. */
export const VIEW_IDS = {
  targets: 'leakhunt.targetsView',
  snapshots: 'leakhunt.snapshotsView',
  suspects: 'leakhunt.suspectsView',
} as const;

/**
 * A tree with no items yet: VS Code then shows the view's `viewsWelcome` content from package.json.
 * The remote and detection layers replace these with their real providers; until then the views say what to do
 * instead of showing made-up data.
 */
class NothingYetProvider implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }
  getChildren(): never[] {
    return [];
  }
}

/**
 * Registers the Targets, Snapshots and Suspects views; a view without a provider from `providers` gets the empty-state
 * one. The live-watch providers also return nothing until there is data, so the welcome content shows first.
 */
export function registerLeakHunterViews(
  context: vscode.ExtensionContext,
  providers: Partial<Record<keyof typeof VIEW_IDS, vscode.TreeDataProvider<unknown>>> = {},
): void {
  for (const [key, id] of Object.entries(VIEW_IDS) as [keyof typeof VIEW_IDS, string][]) {
    const provider = providers[key] ?? new NothingYetProvider();
    // Snapshots allow a two-item selection for "Compare Snapshots" / "Export Diff" from the context menu.
    const view = vscode.window.createTreeView(id, { treeDataProvider: provider, canSelectMany: key === 'snapshots' });
    context.subscriptions.push(view);
    // A provider that acts on its view (the Targets view reveals the watched target) gets it handed over.
    const attach = (provider as { attachView?: (v: vscode.TreeView<unknown>) => vscode.Disposable }).attachView;
    if (attach) context.subscriptions.push(attach.call(provider, view));
  }
}
