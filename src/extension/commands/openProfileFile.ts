import * as vscode from 'vscode';
import { PROFILE_VIEW_TYPE } from '../../views/profileEditorProvider';
import { pathToUri, pickProfileFile } from './pickProfileFile';

/** The command id of "Leakhunt: Open Profile File". */
export const OPEN_PROFILE_FILE_COMMAND = 'leakhunt.openProfileFile';

/** What the command needs from the extension. */
export interface OpenProfileFileContext {
  log: vscode.LogOutputChannel;
}

/**
 * Opens a local profile in the dashboard. With a `Uri` (explorer context menu, editor title, other commands, tests)
 * or a path string it opens that; without, it offers the workspace's profile files, a path input and the file dialog.
 */
export function openProfileFile(ctx: OpenProfileFileContext) {
  return async (arg?: unknown): Promise<void> => {
    const uri =
      arg instanceof vscode.Uri
        ? arg
        : typeof arg === 'string'
          ? pathToUri(arg)
          : await pickProfileFile('Open Profile File');
    if (!uri) return;
    ctx.log.info(`open profile ${uri.toString(true)}`);
    await vscode.commands.executeCommand('vscode.openWith', uri, PROFILE_VIEW_TYPE);
  };
}
