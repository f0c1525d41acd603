import * as vscode from 'vscode';
import { diffSnapshots } from '../../core/series/snapshotDiff';
import type { Profile } from '../../core/pprof/profileModel';
import type { ProfileDashboardDeps } from '../../views/profileDashboard';
import { showProfileDiff } from '../commands/compareProfileFiles';
import type { WatchController } from '../watch/watchController';
import { snapshotArgs, snapshotSource } from './snapshotArgs';
import { snapshotPair } from './snapshotPair';

/** The command id of "Leakhunt: Compare Snapshots". */
export const COMPARE_SNAPSHOTS_COMMAND = 'leakhunt.compareSnapshots';

/**
 * Shows the heap diff `current − base` of two snapshots of the watched (or last watched) series in the profile
 * dashboard, like Compare Profile Files. Accepts tree items (one → with the previous, or a two-item selection) or
 * sequence numbers; asks otherwise.
 */
export function compareSnapshots(watch: WatchController, storage: vscode.Uri, deps: ProfileDashboardDeps) {
  return async (...args: unknown[]): Promise<void> => {
    const src = await snapshotSource(watch, storage);
    if (!src) return;
    const pair = await snapshotPair(src, snapshotArgs(args).seqs, 'Compare Snapshots');
    if (!pair) return;
    const [base, current] = pair;
    let profile: Profile | Error;
    try {
      profile = await diffSnapshots(src.dir, src.index, base.seq, current.seq);
    } catch (e) {
      profile = e instanceof Error ? e : new Error(String(e));
    }
    deps.log.info(`compare snapshots ${base.seq} -> ${current.seq} of ${src.dir}`);
    showProfileDiff(
      deps,
      `Δ snapshot #${current.seq} − #${base.seq}`,
      profile,
      `diff-snapshot-${current.seq}-minus-${base.seq}.pb.gz`,
    );
  };
}
