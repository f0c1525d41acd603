import * as vscode from 'vscode';
import { encodeProfile } from '../core/pprof/encodeProfile';
import type { Profile } from '../core/pprof/profileModel';
import { defaultSampleIndex } from '../core/pprof/profileModel';
import type { WorkspacePathResolver } from '../extension/pathMapping/workspacePathResolver';
import type { Granularity } from './dashboardMessages';
import { onDashboardMessage, postToDashboard, setupDashboardWebview } from './dashboardPanel';
import { profileTopModel } from './profileTopModel';

/** What a profile dashboard needs from the extension. */
export interface ProfileDashboardDeps {
  extensionUri: vscode.Uri;
  resolver: WorkspacePathResolver;
  log: vscode.LogOutputChannel;
}

/** What one dashboard shows: a profile (or a diff of two), or the error that kept it from loading. */
export interface ProfileDashboardContent {
  title: string;
  profile: Profile | Error;
  /** True for `current − base`: values are signed, growth is drawn red and shrinkage green. */
  isDiff: boolean;
  /** File name offered when the user exports what is shown as `.pb.gz`. */
  exportName: string;
}

/**
 * Runs the dashboard in a webview panel (a custom editor's or a standalone one) for one profile: sends the top table and flame
 * graph for the chosen sample type, re-aggregates on request, and opens sources that map into the workspace.
 * Returns the subscription to dispose with the webview.
 */
export function bindProfileDashboard(
  panel: vscode.WebviewPanel,
  content: ProfileDashboardContent,
  deps: ProfileDashboardDeps,
): vscode.Disposable {
  const webview = panel.webview;
  setupDashboardWebview(webview, deps.extensionUri);
  const { profile, title } = content;
  let sampleIndex = profile instanceof Error ? 0 : defaultSampleIndex(profile);
  let granularity: Granularity = 'function';
  const send = async (): Promise<void> => {
    if (profile instanceof Error) {
      await postToDashboard(webview, {
        type: 'error',
        message: `${title} is not a readable profile: ${profile.message}`,
      });
      return;
    }
    const model = profileTopModel(profile, sampleIndex, title, content.isDiff, granularity);
    const mapper = await deps.resolver.current();
    for (const row of model.rows) row.inWorkspace = row.file !== '' && mapper.map(row.file) !== undefined;
    await postToDashboard(webview, { type: 'profile', model });
  };
  return onDashboardMessage(webview, deps.log, async (m) => {
    switch (m.type) {
      case 'ready':
        return send();
      case 'selectSampleIndex':
        if (!(profile instanceof Error) && m.index < profile.sampleTypes.length) sampleIndex = m.index;
        return send();
      case 'exportProfile':
        if (!(profile instanceof Error)) await exportProfile(profile, content.exportName, deps.log);
        return;
      case 'selectGranularity':
        granularity = m.granularity;
        return send();
      case 'openSource':
        // Sources open in the group right of the dashboard, the same one each time.
        return openSource(deps.resolver, m.file, m.line, (panel.viewColumn ?? vscode.ViewColumn.One) + 1);
    }
  });
}

async function openSource(
  resolver: WorkspacePathResolver,
  file: string,
  line: number,
  column: vscode.ViewColumn,
): Promise<void> {
  const uri = await resolver.resolve(file);
  if (!uri) {
    void vscode.window.showInformationMessage(`${file} does not map to a file in this workspace.`);
    return;
  }
  const pos = new vscode.Position(Math.max(0, line - 1), 0);
  await vscode.window.showTextDocument(uri, {
    viewColumn: column,
    selection: new vscode.Range(pos, pos),
  });
}

/** Saves a profile (e.g. a diff, or a goroutine dump converted) as a gzipped profile.proto that go tool pprof reads. */
async function exportProfile(profile: Profile, name: string, log: vscode.LogOutputChannel): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: 'Export as .pb.gz (for go tool pprof)',
    saveLabel: 'Export',
    filters: { 'pprof profile': ['gz'] },
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, encodeProfile(profile));
  log.info(`exported ${target.fsPath}`);
  void vscode.window.showInformationMessage(`Exported ${vscode.workspace.asRelativePath(target)}.`);
}

/** Reads the user's `leakhunt.maxProfileSizeMiB` as a byte count for the decoders' decompression cap. */
export function maxDecompressedBytes(): number {
  const mib = vscode.workspace.getConfiguration('leakhunt').get<number>('maxProfileSizeMiB') ?? 256;
  return Math.max(1, Math.floor(mib)) * 1024 * 1024;
}
