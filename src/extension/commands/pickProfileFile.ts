import path from 'node:path';
import * as vscode from 'vscode';

const PROFILE_GLOB = '**/*.{pb.gz,pprof,pb,prof,goroutines}';

type Pick = vscode.QuickPickItem & { uri?: vscode.Uri; action?: 'browse' | 'path' };

/** Asks for a profile file: the workspace's profiles, the file dialog, or a typed path (absolute or workspace-relative). */
export async function pickProfileFile(title: string): Promise<vscode.Uri | undefined> {
  const found = await vscode.workspace.findFiles(PROFILE_GLOB, '**/{node_modules,.git}/**', 500);
  found.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  const items: Pick[] = [
    ...found.map((uri) => ({
      label: path.basename(uri.fsPath),
      description: vscode.workspace.asRelativePath(path.dirname(uri.fsPath)),
      uri,
    })),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(folder-opened) Browse…', action: 'browse' as const },
    { label: '$(edit) Enter a path…', action: 'path' as const },
  ];
  const choice = await vscode.window.showQuickPick(items, {
    title,
    placeHolder:
      found.length > 0
        ? 'A profile in the workspace, or browse'
        : 'No profiles in the workspace: browse or enter a path',
    matchOnDescription: true,
  });
  if (!choice) return undefined;
  if (choice.uri) return choice.uri;
  if (choice.action === 'browse') {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Open Profile',
      filters: { Profiles: ['gz', 'pprof', 'pb', 'prof', 'goroutines', 'txt'], 'All files': ['*'] },
    });
    return picked?.[0];
  }
  const typed = await vscode.window.showInputBox({
    title,
    prompt: 'Path of a .pb.gz / .pprof profile or a goroutine dump (absolute, or relative to the workspace)',
    validateInput: (v) => (v.trim() === '' ? 'Enter a path' : undefined),
  });
  return typed ? pathToUri(typed) : undefined;
}

/** Turns a typed path into a file URI, resolving relative paths against the first workspace folder. */
export function pathToUri(p: string): vscode.Uri {
  const trimmed = p.trim();
  if (path.isAbsolute(trimmed)) return vscode.Uri.file(trimmed);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  return root ? vscode.Uri.joinPath(root, trimmed) : vscode.Uri.file(path.resolve(trimmed));
}
