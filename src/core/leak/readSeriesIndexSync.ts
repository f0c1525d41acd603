import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { INDEX_FILE, SeriesFormatError, type SeriesIndex } from '../series/seriesIndex';

/** Reads a series folder's index synchronously (undefined when there is none), with the checks of `readSeriesIndex`. */
export function readSeriesIndexSync(dir: string): SeriesIndex | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(dir, INDEX_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let o: Partial<SeriesIndex>;
  try {
    o = JSON.parse(text) as Partial<SeriesIndex>;
  } catch (e) {
    throw new SeriesFormatError(`${path.join(dir, INDEX_FILE)} is not valid JSON: ${(e as Error).message}`);
  }
  if (o.format !== 'leakhunt-series' || o.version !== 1 || !Array.isArray(o.snapshots) || !Array.isArray(o.runs)) {
    throw new SeriesFormatError(`${path.join(dir, INDEX_FILE)} is not a leakhunt series index (version 1)`);
  }
  return o as SeriesIndex;
}
