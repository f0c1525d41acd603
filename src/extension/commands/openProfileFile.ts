import path from 'node:path';
import * as vscode from 'vscode';
import { PROFILE_VIEW_TYPE } from '../../views/profileEditorProvider';

/** The command id of "Leakhunt: Open Profile File". */
export const OPEN_PROFILE_FILE_COMMAND = 'leakhunt.openProfileFile';

const PROFILE_GLOB = '**/*.{pb.gz,pprof,pb,prof,goroutines}';

/** What the command needs from the extension. */
export interface OpenProfileFileContext {
  log: vscode.LogOutputChannel;
}

/**
 * Opens a local profile in the dashboard. With a `Uri` (explorer context menu, other commands, tests) or a path string,
 * it opens that; without, it offers the workspace's profile files, a path input and the file dialog.
 */
export function openProfileFile(ctx: OpenProfileFileContext) {
  return async (arg?: unknown): Promise<void> => {
    const uri = arg instanceof vscode.Uri ? arg : typeof arg === 'string' ? pathToUri(arg) : await pickProfile();
    if (!uri) return;
    ctx.log.info(`open profile ${uri.toString(true)}`);
    await vscode.commands.executeCommand('vscode.openWith', uri, PROFILE_VIEW_TYPE);
  };
}

type Pick = vscode.QuickPickItem & { uri?: vscode.Uri; action?: 'browse' | 'path' };

async function pickProfile(): Promise<vscode.Uri | undefined> {
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
    title: 'Open Profile File',
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
    title: 'Open Profile File',
    prompt: 'Path of a .pb.gz / .pprof profile or a goroutine dump (absolute, or relative to the workspace)',
    validateInput: (v) => (v.trim() === '' ? 'Enter a path' : undefined),
  });
  return typed ? pathToUri(typed) : undefined;
}

function pathToUri(p: string): vscode.Uri {
  const trimmed = p.trim();
  if (path.isAbsolute(trimmed)) return vscode.Uri.file(trimmed);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  return root ? vscode.Uri.joinPath(root, trimmed) : vscode.Uri.file(path.resolve(trimmed));
}
