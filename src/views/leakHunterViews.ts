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

/** Registers the Targets, Snapshots and Suspects views with their empty-state providers. */
export function registerLeakHunterViews(context: vscode.ExtensionContext): void {
  for (const id of Object.values(VIEW_IDS)) {
    context.subscriptions.push(vscode.window.registerTreeDataProvider(id, new NothingYetProvider()));
  }
}
