import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LeakReport } from '../../../src/core/leak/leakReport';
import type { SeriesIndex } from '../../../src/core/series/seriesIndex';
import { startEcuDemo, type EcuDemo } from '../../fixtures/ecuDemo';
import { runCliCaptured } from '../../fixtures/runCliCaptured';

// A slow leak (64 KiB/s into the session map, sampled every 4 KiB) and every other planted behaviour off.
const QUIET = [
  '-mem-profile-rate',
  '4096',
  '-can-leak-per-sec',
  '0',
  '-map-leak-bytes-per-sec',
  String(64 << 10),
  '-pool-gets-per-sec',
  '0',
  '-churn-mb-per-sec',
  '0',
  '-bounded-puts-per-sec',
  '0',
];

/**
 * The runtime publishes heap profiles only at the end of a GC cycle, so a service that rarely collects serves the same
 * profile snapshot after snapshot, though its leak goes on, and the analysis sees one GC epoch. `--gc` asks for `heap?gc=1`: net/http/pprof runs a
 * full GC first, and every snapshot becomes its own epoch (MemStats.NumGC rises each time).
 */
describe('watch --gc: a fresh GC epoch per snapshot from a quiet service', function () {
  this.timeout(120_000);
  let demo: EcuDemo;
  const dirs: string[] = [];
  before(async () => {
    // GOGC=off with a GOMEMLIMIT, as services tuned for a memory budget run: the runtime collects only near the limit,
    // so without a forced GC the heap profile never changes while the leak goes on.
    demo = await startEcuDemo({ flags: QUIET, runEnv: { GOGC: 'off', GOMEMLIMIT: '1GiB' } });
    // One GC, as a service that has been up for a while has had: before the first GC ever, the runtime reports every
    // allocation so far (so profiling works with GC disabled from the start), and the profile would not be stale.
    assert.equal((await fetch(`${demo.url}/debug/pprof/heap?gc=1`)).status, 200);
  });
  after(async () => {
    await demo?.stop();
    for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
  });

  async function watch(extra: string[]): Promise<{ numGC: number[]; report: LeakReport }> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lh-gc-'));
    dirs.push(dir);
    const w = await runCliCaptured(['watch', demo.url, '--interval', '300ms', '--count', '4', '--out', dir, ...extra]);
    assert.equal(w.code, 0, w.stderr);
    const index = JSON.parse(await fs.readFile(path.join(dir, 'series.json'), 'utf8')) as SeriesIndex;
    const r = await runCliCaptured(['report', dir, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    console.log(
      JSON.stringify(
        index.snapshots.map((s) => [s.memStats?.NumGC, s.summary.heapInuseBytes, s.summary.heapInuseObjects]),
      ),
    );
    return { numGC: index.snapshots.map((s) => s.memStats?.NumGC ?? -1), report: JSON.parse(r.stdout) as LeakReport };
  }

  it('without --gc the quiet service repeats one profile; with --gc each snapshot is a new epoch', async () => {
    const plain = await watch([]);
    assert.equal(plain.numGC.length, 4);
    assert.equal(new Set(plain.numGC).size, 1, `NumGC without --gc: ${plain.numGC.join(', ')}`);
    assert.equal(plain.report.heap?.epochs, 1);
    const forced = await watch(['--gc']);
    for (let i = 1; i < forced.numGC.length; i++) {
      assert.ok(forced.numGC[i]! > forced.numGC[i - 1]!, `NumGC with --gc: ${forced.numGC.join(', ')}`);
    }
    assert.equal(forced.report.heap?.epochs, 4);
  });
});
