import * as vscode from 'vscode';
import type { ProfileDashboardDeps } from '../../views/profileDashboard';
import type { WatchController } from '../watch/watchController';
import { compareSnapshots, COMPARE_SNAPSHOTS_COMMAND } from './compareSnapshots';
import { exportDiff, EXPORT_DIFF_COMMAND } from './exportDiff';
import { exportSnapshot, EXPORT_SNAPSHOT_COMMAND } from './exportSnapshot';

/** Registers Compare Snapshots, Export Snapshot and Export Diff on the watched (or last watched) series. */
export function registerSnapshotCommands(
  context: vscode.ExtensionContext,
  watch: WatchController,
  deps: ProfileDashboardDeps,
): void {
  const storage = context.globalStorageUri;
  context.subscriptions.push(
    vscode.commands.registerCommand(COMPARE_SNAPSHOTS_COMMAND, compareSnapshots(watch, storage, deps)),
    vscode.commands.registerCommand(EXPORT_SNAPSHOT_COMMAND, exportSnapshot(watch, storage, deps.log)),
    vscode.commands.registerCommand(EXPORT_DIFF_COMMAND, exportDiff(watch, storage, deps.log)),
  );
}
