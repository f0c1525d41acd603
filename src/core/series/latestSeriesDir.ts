import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { INDEX_FILE } from './seriesIndex';

/**
 * The most recently updated series folder under `root/<target>/<stamp>/` (the layout the editor's watch writes), or
 * undefined when there is none: Compare/Export Snapshots work on the last watched series after a reload.
 */
export async function latestSeriesDir(root: string): Promise<string | undefined> {
  let best: { dir: string; mtimeMs: number } | undefined;
  for (const target of await entries(root)) {
    for (const stamp of await entries(path.join(root, target))) {
      const dir = path.join(root, target, stamp);
      try {
        const st = await fs.stat(path.join(dir, INDEX_FILE));
        if (!best || st.mtimeMs > best.mtimeMs) best = { dir, mtimeMs: st.mtimeMs };
      } catch {
        // Not a series folder (yet): skip.
      }
    }
  }
  return best?.dir;
}

async function entries(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}
