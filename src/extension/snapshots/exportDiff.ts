import * as vscode from 'vscode';
import { encodeProfile } from '../../core/pprof/encodeProfile';
import { diffSnapshots } from '../../core/series/snapshotDiff';
import type { WatchController } from '../watch/watchController';
import { snapshotArgs, snapshotSource } from './snapshotArgs';
import { snapshotPair } from './snapshotPair';
import { exportDestination } from './exportSnapshot';

/** The command id of "Leakhunt: Export Diff". */
export const EXPORT_DIFF_COMMAND = 'leakhunt.exportDiff';

/**
 * Saves the heap diff `current − base` of two snapshots as a `.pb.gz` that `go tool pprof` reads (the same numbers
 * as `go tool pprof -base`). Accepts tree items or sequence numbers (one → with the previous) and a destination URI.
 */
export function exportDiff(watch: WatchController, storage: vscode.Uri, log: vscode.LogOutputChannel) {
  return async (...args: unknown[]): Promise<void> => {
    const src = await snapshotSource(watch, storage);
    if (!src) return;
    const { seqs, target } = snapshotArgs(args);
    const pair = await snapshotPair(src, seqs, 'Export Diff');
    if (!pair) return;
    const [base, current] = pair;
    try {
      const bytes = encodeProfile(await diffSnapshots(src.dir, src.index, base.seq, current.seq));
      const dest = await exportDestination(target, `diff-snapshot-${current.seq}-minus-${base.seq}.pb.gz`);
      if (!dest) return;
      await vscode.workspace.fs.writeFile(dest, bytes);
      log.info(`exported diff ${current.seq} - ${base.seq} to ${dest.fsPath}`);
      void vscode.window.showInformationMessage(`Exported ${vscode.workspace.asRelativePath(dest)}.`);
    } catch (e) {
      void vscode.window.showErrorMessage(`Leak Hunter: cannot export the diff: ${(e as Error).message}`);
    }
  };
}
