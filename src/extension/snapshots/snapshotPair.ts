import * as vscode from 'vscode';
import { orderSnapshots, previousWithHeap } from '../../core/series/snapshotDiff';
import type { SnapshotEntry } from '../../core/series/seriesIndex';
import { pickSnapshots, type SnapshotSource } from './snapshotArgs';

/**
 * The (base, current) pair for a diff: two given snapshots ordered by time, one given snapshot and the one before it,
 * or two picked by the user. Undefined (after telling the user why) when there is no pair.
 */
export async function snapshotPair(
  src: SnapshotSource,
  seqs: number[],
  title: string,
): Promise<[SnapshotEntry, SnapshotEntry] | undefined> {
  let chosen = seqs;
  if (chosen.length === 0) {
    const picked = await pickSnapshots(src.index, `${title}: tick two snapshots`, true);
    if (!picked) return undefined;
    if (picked.length !== 2) {
      void vscode.window.showErrorMessage(`Leak Hunter: pick exactly two snapshots (${picked.length} picked).`);
      return undefined;
    }
    chosen = picked;
  }
  const byseq = (seq: number): SnapshotEntry | undefined => src.index.snapshots.find((s) => s.seq === seq);
  const first = byseq(chosen[0] ?? -1);
  if (!first) {
    void vscode.window.showErrorMessage(`Leak Hunter: snapshot ${chosen[0]} is not in ${src.dir}.`);
    return undefined;
  }
  const second = chosen.length > 1 ? byseq(chosen[1] ?? -1) : previousWithHeap(src.index, first.seq);
  if (!second) {
    void vscode.window.showErrorMessage(
      chosen.length > 1
        ? `Leak Hunter: snapshot ${chosen[1]} is not in ${src.dir}.`
        : `Leak Hunter: snapshot ${first.seq} has no earlier snapshot with a heap profile to compare with.`,
    );
    return undefined;
  }
  return orderSnapshots(first, second);
}
