import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { snapshotHeapFile } from '../../core/series/snapshotDiff';
import type { WatchController } from '../watch/watchController';
import { pickSnapshots, snapshotArgs, snapshotSource } from './snapshotArgs';

/** The command id of "Leakhunt: Export Snapshot". */
export const EXPORT_SNAPSHOT_COMMAND = 'leakhunt.exportSnapshot';

/** Asks where to save an exported profile, unless the caller gave a destination. */
export async function exportDestination(given: vscode.Uri | undefined, name: string): Promise<vscode.Uri | undefined> {
  if (given) return given;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return vscode.window.showSaveDialog({
    title: 'Export as .pb.gz (for go tool pprof)',
    saveLabel: 'Export',
    filters: { 'pprof profile': ['gz'] },
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
  });
}

/**
 * Saves a snapshot's heap profile as `.pb.gz` by copying the stored file byte for byte (it is what the service
 * served, so `go tool pprof` reads it as is). Accepts a tree item or sequence number and a destination URI.
 */
export function exportSnapshot(watch: WatchController, storage: vscode.Uri, log: vscode.LogOutputChannel) {
  return async (...args: unknown[]): Promise<void> => {
    const src = await snapshotSource(watch, storage);
    if (!src) return;
    const { seqs, target } = snapshotArgs(args);
    const seq = seqs[0] ?? (await pickSnapshots(src.index, 'Export Snapshot', false))?.[0];
    if (seq === undefined) return;
    try {
      const file = snapshotHeapFile(src.dir, src.index, seq);
      const dest = await exportDestination(target, `heap-snapshot-${seq}.pb.gz`);
      if (!dest) return;
      await vscode.workspace.fs.writeFile(dest, await fs.readFile(file));
      log.info(`exported snapshot ${seq} to ${dest.fsPath}`);
      void vscode.window.showInformationMessage(`Exported ${vscode.workspace.asRelativePath(dest)}.`);
    } catch (e) {
      void vscode.window.showErrorMessage(`Leak Hunter: cannot export snapshot ${seq}: ${(e as Error).message}`);
    }
  };
}
