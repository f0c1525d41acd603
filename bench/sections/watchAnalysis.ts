/**
 * Bench section: the editor watch's analysis cost per snapshot, on the recorded demo series (testdata/demo-series, 30
 * real snapshots of the demo ECU service), replayed as the watch appends them. Reference: what the editor did before
 * WatchSession (a fresh LeakAnalyzer loading the whole window from disk after every snapshot). Measured: WatchSession's
 * way (one analyzer for the watch, fed only the new snapshot). Both include building the report.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { LeakAnalyzer } from '../../src/core/leak/leakAnalyzer';
import { loadSeriesInto } from '../../src/core/leak/loadSeries';
import { readSeriesIndex } from '../../src/core/series/seriesIndex';
import type { BenchContext, BenchSection } from '../benchSection';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ROUNDS = 3;

async function measure(ctx: BenchContext, window: number): Promise<{ reload: number; incremental: number }> {
  const src = path.join(ctx.root, 'testdata/demo-series');
  const index = await readSeriesIndex(src);
  if (!index) throw new Error(`${src} has no series.json`);
  const dir = path.join(ctx.tmpDir, `watch-${window}`);
  await fs.mkdir(dir, { recursive: true });
  for (const f of await fs.readdir(src))
    if (f !== 'series.json') await fs.copyFile(path.join(src, f), path.join(dir, f));
  const reload: number[] = [];
  const incremental: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const kept = new LeakAnalyzer({ window });
    for (let n = 1; n <= index.snapshots.length; n++) {
      await fs.writeFile(
        path.join(dir, 'series.json'),
        JSON.stringify({ ...index, snapshots: index.snapshots.slice(0, n) }),
      );
      let t = performance.now();
      const fresh = new LeakAnalyzer({ window });
      await loadSeriesInto(dir, fresh, { window });
      const a = fresh.report(index.target);
      const tReload = performance.now() - t;
      t = performance.now();
      await loadSeriesInto(dir, kept, { window: 1 });
      const b = kept.report(index.target);
      const tInc = performance.now() - t;
      if (!isDeepStrictEqual(a, b)) throw new Error(`window ${window}: reports differ after ${n} snapshots`);
      // Only snapshots with a full window count (the steady state of a long watch); round 0 warms the JIT.
      if (round > 0 && n > window) {
        reload.push(tReload);
        incremental.push(tInc);
      }
    }
    ctx.log(`watch analysis, window ${window}: round ${round + 1}/${ROUNDS}`);
  }
  return { reload: median(reload), incremental: median(incremental) };
}

const section: BenchSection = {
  title: 'Editor watch: analysis per snapshot',
  async run(ctx) {
    const rows: string[] = [];
    for (const window of [6, 12, 24]) {
      const r = await measure(ctx, window);
      rows.push(
        `| ${window} | ${r.reload.toFixed(1)} | ${r.incremental.toFixed(1)} | ${(r.reload / r.incremental).toFixed(1)}× |`,
      );
    }
    return [
      'Recorded demo series (30 real snapshots: heap, goroutine, goroutine debug=2), replayed as the watch appends them;',
      'median per snapshot once the window is full, report included. Reference: a fresh analyzer loading the window',
      'from disk (the editor before WatchSession). Measured: one analyzer fed only the new snapshot. Both give equal',
      'reports (checked at every snapshot).',
      '',
      '| window | reload window (ms) | feed new snapshot (ms) | speed-up |',
      '|---|---|---|---|',
      ...rows,
    ].join('\n');
  },
};

export default section;
