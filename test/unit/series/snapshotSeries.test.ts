import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { readSeriesIndex, SeriesFormatError, type SnapshotEntry } from '../../../src/core/series/seriesIndex';
import { nearestByTime, SeriesLockedError, SnapshotSeries } from '../../../src/core/series/snapshotSeries';

function entry(seq: number, takenAtMs: number, files: SnapshotEntry['files'] = {}): SnapshotEntry {
  return {
    seq,
    takenAtMs,
    startedAt: new Date(takenAtMs).toISOString(),
    finishedAt: new Date(takenAtMs).toISOString(),
    status: files.heap ? 'ok' : 'gap',
    files,
    sha256: {},
    notAvailable: [],
    gaps: files.heap ? [] : [{ what: 'snapshot', reason: 'down', error: 'ConnectionLostError' }],
    summary: {},
  };
}

describe('SnapshotSeries (persisted, resumable)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lh-series-'));
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it('nearestByTime agrees with a linear scan (ties to the earlier)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 1e6 }), { maxLength: 40 }),
        fc.integer({ min: -10, max: 1e6 + 10 }),
        (times, q) => {
          const list = [...times].sort((a, b) => a - b).map((t) => ({ takenAtMs: t }));
          let best: { takenAtMs: number } | undefined;
          for (const e of list) if (!best || Math.abs(e.takenAtMs - q) < Math.abs(best.takenAtMs - q)) best = e;
          assert.equal(nearestByTime(list, q), best);
        },
      ),
    );
  });

  it('persists each snapshot, resumes into the same folder with the next seq, and verifies files', async () => {
    const s1 = await SnapshotSeries.open(dir, { target: 't', window: 2 });
    for (let i = 1; i <= 3; i++) {
      const w = await s1.writeProfile(i, 'heap', Buffer.from(`heap-${i}`));
      await s1.append({ ...entry(i, 1000 * i, { heap: w.file }), sha256: { heap: w.sha256 } });
    }
    await s1.append(entry(4, 4000));
    // No close(): as after a crash. The lock is stale only once its process is gone, so fake a dead holder.
    const dead = spawnSync('true').pid ?? 999999;
    await fs.writeFile(path.join(dir, 'series.lock'), String(dead));
    await fs.writeFile(path.join(dir, 'series.json.tmp-1-abc'), 'half-written');
    const s2 = await SnapshotSeries.open(dir, { target: 't', window: 2 });
    assert.equal(s2.nextSeq, 5);
    assert.deepEqual(
      s2.snapshots.map((s) => s.seq),
      [1, 2, 3, 4],
    );
    assert.deepEqual(
      s2.window().map((s) => s.seq),
      [2, 3],
    );
    assert.equal(s2.nearest(2400)?.seq, 2);
    assert.equal(s2.nearest(2600)?.seq, 3);
    assert.equal(s2.nearest(99999)?.seq, 3, 'gaps are never a base');
    assert.equal(s2.previous(s2.snapshots[3]!)?.seq, 3);
    assert.equal(s2.previous(s2.snapshots[0]!), undefined);
    assert.deepEqual(await s2.verify(), []);
    assert.equal(await fs.readFile(path.join(dir, 'snap-0002-heap.pb.gz'), 'utf8'), 'heap-2');
    assert.equal((await fs.readdir(dir)).filter((n) => n.includes('.tmp-')).length, 0);
    const idx = await readSeriesIndex(dir);
    assert.equal(idx?.runs.length, 2);
    assert.equal(idx?.runs[1]?.firstSeq, 5);
    await fs.writeFile(path.join(dir, 'snap-0001-heap.pb.gz'), 'tampered');
    assert.deepEqual(await s2.verify(), ['snap-0001-heap.pb.gz changed']);
    await assert.rejects(s2.append(entry(9, 9000)), SeriesFormatError);
    await s2.close();
  });

  it('refuses a folder locked by a live process, and a folder that holds something else', async () => {
    await fs.writeFile(path.join(dir, 'series.lock'), String(process.ppid));
    await assert.rejects(SnapshotSeries.open(dir, { target: 't' }), SeriesLockedError);
    await fs.rm(path.join(dir, 'series.lock'));
    await fs.writeFile(path.join(dir, 'series.json'), '{"hello":1}');
    await assert.rejects(SnapshotSeries.open(dir, { target: 't' }), SeriesFormatError);
    await fs.writeFile(path.join(dir, 'series.json'), '{not json');
    await assert.rejects(SnapshotSeries.open(dir, { target: 't' }), SeriesFormatError);
  });
});
