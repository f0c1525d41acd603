import * as vscode from 'vscode';
import { formatBytes } from '../core/leak/units';
import type { SnapshotEntry } from '../core/series/seriesIndex';
import type { WatchController } from '../extension/watch/watchController';

/** The cgroup memory use of a snapshot as a percentage of its limit, or undefined without a limit. */
export function cgroupPercent(e: SnapshotEntry): number | undefined {
  const c = e.cgroup;
  if (!c || c.memoryCurrent === null || c.memoryMax === null || c.memoryMax <= 0) return undefined;
  return (100 * c.memoryCurrent) / c.memoryMax;
}

/** The Snapshots view: each snapshot of the current series with time, heap in use, goroutines and cgroup %. */
export class SnapshotsTreeProvider implements vscode.TreeDataProvider<SnapshotEntry> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly watch: WatchController) {
    watch.onDidChange(() => this.changed.fire());
  }

  getChildren(element?: SnapshotEntry): SnapshotEntry[] {
    return element ? [] : [...this.watch.snapshots].reverse();
  }

  getTreeItem(e: SnapshotEntry): vscode.TreeItem {
    const item = new vscode.TreeItem(`#${e.seq} ${new Date(e.takenAtMs).toLocaleTimeString()}`);
    const parts: string[] = [];
    if (e.summary.heapInuseBytes !== undefined) parts.push(`heap ${formatBytes(e.summary.heapInuseBytes)}`);
    if (e.summary.goroutines !== undefined) parts.push(`${e.summary.goroutines} goroutines`);
    const pct = cgroupPercent(e);
    if (pct !== undefined) parts.push(`cgroup ${pct.toFixed(0)}%`);
    if (e.status !== 'ok') parts.push(e.status);
    item.description = parts.join(' · ');
    item.tooltip = [e.startedAt, ...e.gaps.map((g) => `${g.what}: ${g.reason}`)].join('\n');
    item.iconPath = new vscode.ThemeIcon(e.status === 'ok' ? 'record' : 'warning');
    // Compare/Export in the context menu need a heap profile.
    if (e.files.heap !== undefined) item.contextValue = 'leakhunt.snapshot';
    return item;
  }
}
