import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { openSeriesDashboard, type SeriesDashboardDeps } from '../../views/seriesDashboardPanel';

/** The command id of "Leakhunt: Open Series Dashboard". */
export const OPEN_SERIES_DASHBOARD_COMMAND = 'leakhunt.openSeriesDashboard';

/** Most `series.json` files listed from the workspace; more would make the picker useless anyway. */
const MAX_FOUND = 50;

/**
 * Opens the series dashboard of a snapshot series folder. Accepts the folder (or its `series.json`) as a URI or path
 * argument (explorer context menu, other commands); from the palette it offers the series folders found in the
 * workspace, plus a folder picker.
 */
export function openSeriesDashboardCommand(deps: SeriesDashboardDeps) {
  return async (arg?: unknown): Promise<void> => {
    let dir: string | undefined;
    if (arg instanceof vscode.Uri) dir = arg.fsPath;
    else if (typeof arg === 'string' && arg !== '') dir = path.resolve(arg);
    else dir = await pickSeriesFolder();
    if (!dir) return;
    // The explorer hands over series.json itself when the user right-clicks the index.
    if (path.basename(dir) === 'series.json') dir = path.dirname(dir);
    try {
      await fs.access(path.join(dir, 'series.json'));
    } catch {
      void vscode.window.showErrorMessage(`${dir} is not a Leakhunt series folder (no series.json).`);
      return;
    }
    deps.log.info(`series dashboard: ${dir}`);
    openSeriesDashboard(deps, dir);
  };
}

async function pickSeriesFolder(): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles('**/series.json', '**/node_modules/**', MAX_FOUND);
  const browse = { label: '$(folder-opened) Choose a series folder…', dir: undefined as string | undefined };
  if (found.length > 0) {
    const items = found
      .map((u) => path.dirname(u.fsPath))
      .sort()
      .map((d) => ({
        label: path.basename(d),
        description: vscode.workspace.asRelativePath(d),
        dir: d as string | undefined,
      }));
    const picked = await vscode.window.showQuickPick([...items, browse], {
      title: 'Open Series Dashboard',
      placeHolder: 'Pick a snapshot series folder (written by Start Watching or leakhunt watch --out)',
    });
    if (!picked) return undefined;
    if (picked.dir) return picked.dir;
  }
  const folder = await vscode.window.showOpenDialog({
    title: 'Open Series Dashboard: choose a series folder',
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Open Series',
  });
  return folder?.[0]?.fsPath;
}
