import path from 'node:path';
import * as vscode from 'vscode';
import type { Profile } from '../core/pprof/profileModel';
import { loadProfileFile } from './loadProfileFile';
import { bindProfileDashboard, maxDecompressedBytes, type ProfileDashboardDeps } from './profileDashboard';

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
  constructor(private readonly deps: ProfileDashboardDeps) {}

  async openCustomDocument(uri: vscode.Uri): Promise<ProfileDocument> {
    return new ProfileDocument(uri, await readProfileUri(uri, this.deps.log));
  }

  resolveCustomEditor(document: ProfileDocument, panel: vscode.WebviewPanel): void {
    const title = path.posix.basename(document.uri.path);
    const exportName = `${title.replace(/(\.pb)?(\.gz)?$/, '')}.export.pb.gz`;
    const content = { title, profile: document.profile, isDiff: false, exportName };
    const subscription = bindProfileDashboard(panel, content, this.deps);
    panel.onDidDispose(() => subscription.dispose());
  }
}

/** Reads and decodes a profile file, returning the error instead of throwing so the dashboard can show it. */
export async function readProfileUri(uri: vscode.Uri, log: vscode.LogOutputChannel): Promise<Profile | Error> {
  try {
    const bytes = await vscode.workspace.fs.readFile(uri);
    const profile = loadProfileFile(bytes, maxDecompressedBytes());
    log.info(`read ${uri.fsPath}: ${profile.samples.count} samples, ${profile.functions.length} functions`);
    return profile;
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    log.warn(`cannot read ${uri.fsPath} as a profile: ${err.message}`);
    return err;
  }
}

/** Registers the profile custom editor. */
export function registerProfileEditor(context: vscode.ExtensionContext, deps: ProfileDashboardDeps): void {
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(PROFILE_VIEW_TYPE, new ProfileEditorProvider(deps), {
      supportsMultipleEditorsPerDocument: true,
      webviewOptions: { retainContextWhenHidden: false },
    }),
  );
}
