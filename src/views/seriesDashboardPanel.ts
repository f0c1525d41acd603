import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LeakConfig } from '../core/leak/leakConfig';
import { loadSeriesDashboardModel } from '../core/leak/seriesDashboardModel';
import type { SeriesIndex } from '../core/series/seriesIndex';
import type { WorkspacePathResolver } from '../extension/pathMapping/workspacePathResolver';
import { setupDashboardWebview } from './dashboardPanel';
import {
  parseSeriesWebviewMessage,
  type SeriesDashboardModel,
  type SeriesHostMessage,
} from './seriesDashboardMessages';
import { seriesDiffFlame } from './seriesDiffFlame';

/** What a series dashboard needs from the extension (the same object the profile dashboards get will do). */
export interface SeriesDashboardDeps {
  extensionUri: vscode.Uri;
  resolver: WorkspacePathResolver;
  log: vscode.LogOutputChannel;
  /** The leak config the series is analyzed with (its watermark is the threshold line); the defaults when absent. */
  config?: () => LeakConfig;
  /** How many of the latest snapshots are analyzed and drawn; 60 when absent. */
  window?: () => number;
}

/** An open series dashboard: call `refresh()` whenever the series folder gained a snapshot. */
export interface SeriesDashboard extends vscode.Disposable {
  /** The absolute series folder shown. */
  readonly dir: string;
  readonly panel: vscode.WebviewPanel;
  /** Re-reads the folder and re-renders; calls during a refresh coalesce into one more. Never rejects. */
  refresh(): Promise<void>;
  /** Fires once when the user closes the panel (or it is disposed). */
  readonly onDidDispose: vscode.Event<void>;
}

const open = new Map<string, SeriesDashboard>();

/**
 * Shows the series dashboard of `seriesDir` (a folder with `series.json`): reveals and refreshes the panel when one is
 * already open for that folder, else opens one beside the active editor.
 */
export function openSeriesDashboard(deps: SeriesDashboardDeps, seriesDir: string): SeriesDashboard {
  const dir = path.resolve(seriesDir);
  const existing = open.get(dir);
  if (existing) {
    existing.panel.reveal();
    void existing.refresh();
    return existing;
  }
  const panel = vscode.window.createWebviewPanel(
    'leakhunt.seriesDashboard',
    `Series: ${path.basename(dir)}`,
    vscode.ViewColumn.Active,
    { enableScripts: true },
  );
  const dashboard = bindSeriesDashboard(panel, dir, deps);
  open.set(dir, dashboard);
  dashboard.onDidDispose(() => {
    if (open.get(dir) === dashboard) open.delete(dir);
  });
  return dashboard;
}

/** The open series dashboard of a folder, if any; for live watching to refresh it after each snapshot. */
export function seriesDashboardOf(seriesDir: string): SeriesDashboard | undefined {
  return open.get(path.resolve(seriesDir));
}

function bindSeriesDashboard(panel: vscode.WebviewPanel, dir: string, deps: SeriesDashboardDeps): SeriesDashboard {
  const webview = panel.webview;
  setupDashboardWebview(webview, deps.extensionUri, 'seriesDashboard');
  const disposed = new vscode.EventEmitter<void>();
  let last: { model: SeriesDashboardModel; index: SeriesIndex } | Error | undefined;
  let ready = false;
  let running: Promise<void> | undefined;
  let again = false;

  const post = (m: SeriesHostMessage): void => {
    if (ready) void webview.postMessage(m);
  };
  const sendLast = (): void => {
    if (last instanceof Error) post({ type: 'error', message: `${dir}: ${last.message}` });
    else if (last) post({ type: 'series', model: last.model });
  };
  const load = async (): Promise<void> => {
    try {
      const loaded = await loadSeriesDashboardModel(dir, {
        title: `Series ${path.basename(dir)}`,
        ...(deps.config ? { config: deps.config() } : {}),
        ...(deps.window ? { window: deps.window() } : {}),
      });
      for (const p of loaded.problems) deps.log.warn(`series dashboard: ${p}`);
      last = { model: loaded.model, index: loaded.index };
    } catch (e) {
      last = e instanceof Error ? e : new Error(String(e));
      deps.log.warn(`series dashboard: ${dir}: ${last.message}`);
    }
    sendLast();
  };
  const refresh = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await load();
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  const subscription = webview.onDidReceiveMessage(async (raw: unknown) => {
    const m = parseSeriesWebviewMessage(raw);
    if (!m) {
      deps.log.warn('series dashboard: dropped a malformed message from the webview');
      return;
    }
    try {
      switch (m.type) {
        case 'ready':
          // Also sent after VS Code reloads a hidden webview: answer with what we have, load when we have nothing.
          ready = true;
          if (last) sendLast();
          else await refresh();
          return;
        case 'selectDiff': {
          if (!last || last instanceof Error) return;
          try {
            post({ type: 'diff', diff: await seriesDiffFlame(dir, last.index, m.baseSeq, m.currentSeq) });
          } catch (e) {
            post({ type: 'diffError', baseSeq: m.baseSeq, currentSeq: m.currentSeq, message: (e as Error).message });
          }
          return;
        }
        case 'openSource': {
          const uri = await deps.resolver.resolve(m.file);
          if (!uri) {
            void vscode.window.showInformationMessage(`${m.file} does not map to a file in this workspace.`);
            return;
          }
          const pos = new vscode.Position(Math.max(0, m.line - 1), 0);
          await vscode.window.showTextDocument(uri, {
            viewColumn: (panel.viewColumn ?? vscode.ViewColumn.One) + 1,
            selection: new vscode.Range(pos, pos),
          });
          return;
        }
      }
    } catch (e) {
      deps.log.error(`series dashboard: ${m.type} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  });

  panel.onDidDispose(() => {
    subscription.dispose();
    disposed.fire();
    disposed.dispose();
  });
  return {
    dir,
    panel,
    refresh,
    onDidDispose: disposed.event,
    dispose: () => panel.dispose(),
  };
}
