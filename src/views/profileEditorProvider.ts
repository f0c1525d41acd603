import path from 'node:path';
import * as vscode from 'vscode';
import type { Profile } from '../core/pprof/profileModel';
import { defaultSampleIndex } from '../core/pprof/profileModel';
import type { WorkspacePathResolver } from '../extension/pathMapping/workspacePathResolver';
import { onDashboardMessage, postToDashboard, setupDashboardWebview } from './dashboardPanel';
import { loadProfileFile } from './loadProfileFile';
import { profileTopModel } from './profileTopModel';

/** The view type of the read-only profile editor, used by `vscode.openWith` and package.json `customEditors`. */
export const PROFILE_VIEW_TYPE = 'leakhunt.profileViewer';

/** A profile file opened in the dashboard: decoded once, shared by every editor showing it. */
class ProfileDocument implements vscode.CustomDocument {
  constructor(
    readonly uri: vscode.Uri,
    readonly profile: Profile | Error,
  ) {}
  dispose(): void {}
}

/** Shows `.pb.gz` / `.pprof` files (and any profile opened with "Open Profile File") in the dashboard webview. */
export class ProfileEditorProvider implements vscode.CustomReadonlyEditorProvider<ProfileDocument> {
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly resolver: WorkspacePathResolver,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async openCustomDocument(uri: vscode.Uri): Promise<ProfileDocument> {
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      const profile = loadProfileFile(bytes, maxDecompressedBytes());
      this.log.info(`opened ${uri.fsPath}: ${profile.samples.count} samples, ${profile.functions.length} functions`);
      return new ProfileDocument(uri, profile);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.log.warn(`cannot open ${uri.fsPath} as a profile: ${err.message}`);
      return new ProfileDocument(uri, err);
    }
  }

  resolveCustomEditor(document: ProfileDocument, panel: vscode.WebviewPanel): void {
    const webview = panel.webview;
    setupDashboardWebview(webview, this.extensionUri);
    const title = path.posix.basename(document.uri.path);
    const profile = document.profile;
    let sampleIndex = profile instanceof Error ? 0 : defaultSampleIndex(profile);
    const send = async (): Promise<void> => {
      if (profile instanceof Error) {
        await postToDashboard(webview, {
          type: 'error',
          message: `${title} is not a readable profile: ${profile.message}`,
        });
      } else {
        const model = profileTopModel(profile, sampleIndex, title);
        const mapper = await this.resolver.current();
        for (const row of model.rows) row.inWorkspace = row.file !== '' && mapper.map(row.file) !== undefined;
        await postToDashboard(webview, { type: 'profile', model });
      }
    };
    const subscription = onDashboardMessage(webview, this.log, async (m) => {
      switch (m.type) {
        case 'ready':
          return send();
        case 'selectSampleIndex':
          if (!(profile instanceof Error) && m.index < profile.sampleTypes.length) sampleIndex = m.index;
          return send();
        case 'openSource':
          return this.openSource(m.file, m.line);
      }
    });
    panel.onDidDispose(() => subscription.dispose());
  }

  private async openSource(file: string, line: number): Promise<void> {
    const uri = await this.resolver.resolve(file);
    if (!uri) {
      void vscode.window.showInformationMessage(`${file} does not map to a file in this workspace.`);
      return;
    }
    const pos = new vscode.Position(Math.max(0, line - 1), 0);
    await vscode.window.showTextDocument(uri, {
      viewColumn: vscode.ViewColumn.Beside,
      selection: new vscode.Range(pos, pos),
    });
  }
}

/** Registers the profile custom editor. */
export function registerProfileEditor(
  context: vscode.ExtensionContext,
  resolver: WorkspacePathResolver,
  log: vscode.LogOutputChannel,
): void {
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(
      PROFILE_VIEW_TYPE,
      new ProfileEditorProvider(context.extensionUri, resolver, log),
      { supportsMultipleEditorsPerDocument: true, webviewOptions: { retainContextWhenHidden: false } },
    ),
  );
}

function maxDecompressedBytes(): number {
  const mib = vscode.workspace.getConfiguration('leakhunt').get<number>('maxProfileSizeMiB') ?? 256;
  return Math.max(1, Math.floor(mib)) * 1024 * 1024;
}
