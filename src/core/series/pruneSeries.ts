import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { INDEX_FILE } from './seriesIndex';
import { isSeriesLocked } from './snapshotSeries';

/** How much of `root/<target>/<stamp>/` to keep. */
export interface PruneSeriesOptions {
  /** The newest this many series folders of each target are kept (at least 1). */
  keepPerTarget?: number;
  /** After the count rule, the oldest folders (of any target) go until the rest fit in this many bytes. */
  maxTotalBytes?: number;
  /** Folders never removed (the one being written). */
  protect?: readonly string[];
}

/** What a prune did. */
export interface PruneSeriesResult {
  /** Absolute paths of the removed folders. */
  removed: string[];
  /** Folders left in place. */
  kept: number;
  /** Bytes of the folders left in place. */
  keptBytes: number;
  /** Folders that could not be removed or measured, one line each; never fatal. */
  problems: string[];
}

/** Raised for prune options that would make no sense (keeping fewer than one series). */
export class PruneOptionsError extends Error {
  override name = 'PruneOptionsError';
}

interface Candidate {
  dir: string;
  target: string;
  mtimeMs: number;
  bytes: number;
  pinned: boolean;
}

/**
 * Prunes old series folders under `root/<target>/<stamp>/` (the layout of the editor's watch): keeps the newest
 * `keepPerTarget` of each target (newest by the last write of `series.json`), then removes the oldest remaining ones
 * until the total fits `maxTotalBytes`. Never removes a protected folder, one locked by a live process (see
 * `series.lock`), or a folder without `series.json` (not a series, or one being created this instant).
 */
export async function pruneSeries(root: string, opts: PruneSeriesOptions): Promise<PruneSeriesResult> {
  const keep = opts.keepPerTarget;
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 1))
    throw new PruneOptionsError(`keepPerTarget must be a whole number of at least 1, not ${keep}`);
  const max = opts.maxTotalBytes;
  if (max !== undefined && (!Number.isFinite(max) || max < 0))
    throw new PruneOptionsError(`maxTotalBytes must be a number of bytes, not ${max}`);
  const protect = new Set((opts.protect ?? []).map((p) => path.resolve(p)));
  const problems: string[] = [];
  const all: Candidate[] = [];
  for (const target of await subdirs(root)) {
    for (const stamp of await subdirs(path.join(root, target))) {
      const dir = path.join(root, target, stamp);
      let mtimeMs: number;
      try {
        mtimeMs = (await fs.stat(path.join(dir, INDEX_FILE))).mtimeMs;
      } catch {
        continue; // not a series folder (yet): not ours to delete
      }
      const pinned = protect.has(path.resolve(dir)) || (await isSeriesLocked(dir));
      all.push({ dir, target, mtimeMs, bytes: await sizeOf(dir, problems), pinned });
    }
  }
  // Newest first, the folder name (an ISO stamp) breaking ties of equal times.
  all.sort((a, b) => b.mtimeMs - a.mtimeMs || b.dir.localeCompare(a.dir));
  const doomed = new Set<Candidate>();
  if (keep !== undefined) {
    const seen = new Map<string, number>();
    for (const c of all) {
      const rank = (seen.get(c.target) ?? 0) + 1;
      seen.set(c.target, rank);
      if (rank > keep && !c.pinned) doomed.add(c);
    }
  }
  if (max !== undefined) {
    let total = all.filter((c) => !doomed.has(c)).reduce((s, c) => s + c.bytes, 0);
    for (let i = all.length - 1; i >= 0 && total > max; i--) {
      const c = all[i];
      if (!c || c.pinned || doomed.has(c)) continue;
      doomed.add(c);
      total -= c.bytes;
    }
  }
  const removed: string[] = [];
  for (const c of doomed) {
    // Re-check the lock right before deleting: a process may have resumed the series since the scan.
    if (await isSeriesLocked(c.dir)) {
      doomed.delete(c);
      continue;
    }
    try {
      await fs.rm(c.dir, { recursive: true, force: true });
      removed.push(c.dir);
    } catch (e) {
      doomed.delete(c);
      problems.push(`cannot remove ${c.dir}: ${(e as Error).message}`);
    }
  }
  const left = all.filter((c) => !doomed.has(c));
  // A target folder emptied by the prune goes too, so the next listing does not show a dead target.
  for (const target of new Set([...doomed].map((c) => c.target))) {
    await fs.rmdir(path.join(root, target)).catch(() => undefined);
  }
  return { removed, kept: left.length, keptBytes: left.reduce((s, c) => s + c.bytes, 0), problems };
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

async function sizeOf(dir: string, problems: string[]): Promise<number> {
  let total = 0;
  try {
    for (const d of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, d.name);
      if (d.isDirectory()) total += await sizeOf(p, problems);
      else if (d.isFile()) total += (await fs.stat(p)).size;
    }
  } catch (e) {
    problems.push(`cannot measure ${dir}: ${(e as Error).message}`);
  }
  return total;
}
