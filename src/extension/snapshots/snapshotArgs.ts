import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatBytes } from '../../core/leak/units';
import { latestSeriesDir } from '../../core/series/latestSeriesDir';
import { readSeriesIndex, type SeriesIndex, type SnapshotEntry } from '../../core/series/seriesIndex';
import type { WatchController } from '../watch/watchController';

/** The series the snapshot commands work on, with its index. */
export interface SnapshotSource {
  dir: string;
  index: SeriesIndex;
}

/**
 * The series of the current watch, or the most recently written one under the extension's storage (so the commands
 * still work after a reload); shows an error and returns undefined when there is none.
 */
export async function snapshotSource(watch: WatchController, storage: vscode.Uri): Promise<SnapshotSource | undefined> {
  const dir = watch.seriesDir ?? (await latestSeriesDir(path.join(storage.fsPath, 'series')));
  let index: SeriesIndex | undefined;
  try {
    index = dir ? await readSeriesIndex(dir) : undefined;
  } catch (e) {
    void vscode.window.showErrorMessage(`Leak Hunter: ${(e as Error).message}`);
    return undefined;
  }
  if (!dir || !index || index.snapshots.length === 0) {
    void vscode.window.showErrorMessage('Leak Hunter: no snapshots yet; run "Leakhunt: Start Watching" first.');
    return undefined;
  }
  return { dir, index };
}

/**
 * What a snapshot command was invoked with: snapshot sequence numbers (from tree items, a tree multi-selection or
 * plain numbers, in order, without repeats) and an optional destination URI (tests and other commands pass one).
 */
export function snapshotArgs(args: readonly unknown[]): { seqs: number[]; target: vscode.Uri | undefined } {
  const seqs: number[] = [];
  let target: vscode.Uri | undefined;
  const add = (v: unknown): void => {
    if (v instanceof vscode.Uri) target ??= v;
    else if (Array.isArray(v)) v.forEach(add);
    else if (typeof v === 'number' && Number.isInteger(v)) {
      if (!seqs.includes(v)) seqs.push(v);
    } else if (typeof v === 'object' && v !== null && typeof (v as { seq?: unknown }).seq === 'number') {
      add((v as { seq: number }).seq);
    }
  };
  args.forEach(add);
  return { seqs, target };
}

/** A one-line description of a snapshot for pickers: heap in use and goroutines. */
export function snapshotDetail(e: SnapshotEntry): string {
  const parts: string[] = [];
  if (e.summary.heapInuseBytes !== undefined) parts.push(`heap ${formatBytes(e.summary.heapInuseBytes)}`);
  if (e.summary.goroutines !== undefined) parts.push(`${e.summary.goroutines} goroutines`);
  if (e.status !== 'ok') parts.push(e.status);
  return parts.join(' · ');
}

/** Asks for snapshots with a heap profile, newest first; `many` lets the user tick two. */
export async function pickSnapshots(index: SeriesIndex, title: string, many: boolean): Promise<number[] | undefined> {
  const items = index.snapshots
    .filter((s) => s.files.heap !== undefined)
    .reverse()
    .map((s) => ({
      label: `#${s.seq} ${new Date(s.takenAtMs).toLocaleTimeString()}`,
      description: snapshotDetail(s),
      seq: s.seq,
    }));
  if (many) {
    const picked = await vscode.window.showQuickPick(items, { title, canPickMany: true });
    return picked?.map((p) => p.seq);
  }
  const picked = await vscode.window.showQuickPick(items, { title });
  return picked ? [picked.seq] : undefined;
}
