import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pruneSeries, PruneOptionsError } from '../../../src/core/series/pruneSeries';
import { SnapshotSeries } from '../../../src/core/series/snapshotSeries';

/** Real series folders under a temp root, `root/<target>/<stamp>/`, each with its index dated `minutesAgo`. */
async function makeSeries(
  root: string,
  target: string,
  stamp: string,
  minutesAgo: number,
  bytes = 1000,
): Promise<string> {
  const dir = path.join(root, target, stamp);
  const s = await SnapshotSeries.open(dir, { target });
  await s.writeProfile(1, 'heap', Buffer.alloc(bytes, 7));
  await s.close();
  const t = new Date(Date.now() - minutesAgo * 60_000);
  await fs.utimes(path.join(dir, 'series.json'), t, t);
  return dir;
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

/** A live process other than this one (its PID goes into a lock file as another collector's would). */
function otherProcess(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
}

describe('pruneSeries (real temp folders)', () => {
  let root: string;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'lh-prune-'));
  });
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await fs.rm(root, { recursive: true, force: true });
  });

  it('keeps the newest N series of each target and removes the older ones', async () => {
    const a = [];
    for (let i = 0; i < 5; i++) a.push(await makeSeries(root, 'ecu-a', `2026-01-0${i + 1}`, 50 - i * 10));
    const b = [await makeSeries(root, 'ecu-b', 'old', 500), await makeSeries(root, 'ecu-b', 'new', 1)];
    const r = await pruneSeries(root, { keepPerTarget: 2 });
    // a[4] and a[3] are the newest of ecu-a; ecu-b has only two.
    assert.deepEqual(r.removed.sort(), [a[0], a[1], a[2]].sort());
    for (const d of [a[3]!, a[4]!, ...b]) assert.ok(await exists(d), d);
    for (const d of [a[0]!, a[1]!, a[2]!]) assert.equal(await exists(d), false, d);
    assert.equal(r.kept, 4);
    assert.deepEqual(r.problems, []);
  });

  it('orders by the last write of series.json, not by folder name', async () => {
    const zOld = await makeSeries(root, 't', 'zzz', 30);
    const aNew = await makeSeries(root, 't', 'aaa', 1);
    const r = await pruneSeries(root, { keepPerTarget: 1 });
    assert.deepEqual(r.removed, [zOld]);
    assert.ok(await exists(aNew));
  });

  it('never removes the protected folder or one locked by a live process; a stale lock does not protect', async () => {
    const current = await makeSeries(root, 't', 'current', 100);
    const locked = await makeSeries(root, 't', 'locked', 90);
    const stale = await makeSeries(root, 't', 'stale', 80);
    const newest = await makeSeries(root, 't', 'newest', 1);
    const live = otherProcess();
    children.push(live);
    await fs.writeFile(path.join(locked, 'series.lock'), String(live.pid));
    const dead = otherProcess();
    await new Promise((r) => dead.once('spawn', r));
    dead.kill('SIGKILL');
    await new Promise((r) => dead.once('exit', r));
    await fs.writeFile(path.join(stale, 'series.lock'), String(dead.pid));
    const r = await pruneSeries(root, { keepPerTarget: 1, protect: [current] });
    assert.deepEqual(r.removed, [stale]);
    for (const d of [current, locked, newest]) assert.ok(await exists(d), d);
    // Once the other process is gone, its folder can go too.
    live.kill('SIGKILL');
    await new Promise((res) => live.once('exit', res));
    const again = await pruneSeries(root, { keepPerTarget: 1, protect: [current] });
    assert.deepEqual(again.removed, [locked]);
  });

  it('a folder locked by this process (a series open here) is kept', async () => {
    const open = path.join(root, 't', 'open');
    const s = await SnapshotSeries.open(open, { target: 't' });
    const t = new Date(Date.now() - 3_600_000);
    await fs.utimes(path.join(open, 'series.json'), t, t);
    await makeSeries(root, 't', 'newer', 1);
    try {
      const r = await pruneSeries(root, { keepPerTarget: 1 });
      assert.deepEqual(r.removed, []);
      assert.ok(await exists(open));
    } finally {
      await s.close();
    }
  });

  it('a total-size cap removes the oldest series of any target until the rest fit', async () => {
    const old1 = await makeSeries(root, 'a', 's1', 40, 10_000);
    const old2 = await makeSeries(root, 'b', 's1', 30, 10_000);
    const mid = await makeSeries(root, 'a', 's2', 20, 10_000);
    const newest = await makeSeries(root, 'b', 's2', 10, 10_000);
    const r = await pruneSeries(root, { maxTotalBytes: 25_000 });
    assert.deepEqual(r.removed, [old1, old2]);
    assert.ok(r.keptBytes <= 25_000 && r.keptBytes >= 20_000, String(r.keptBytes));
    for (const d of [mid, newest]) assert.ok(await exists(d));
  });

  it('leaves folders that are not series alone and removes emptied target folders', async () => {
    const stranger = path.join(root, 't', 'not-a-series');
    await fs.mkdir(stranger, { recursive: true });
    await fs.writeFile(path.join(stranger, 'notes.txt'), 'mine');
    await makeSeries(root, 'gone', 'only', 50);
    await makeSeries(root, 'gone2', 'x', 60);
    await makeSeries(root, 'gone2', 'y', 1);
    const r = await pruneSeries(root, { keepPerTarget: 1, maxTotalBytes: 0 });
    assert.ok(await exists(path.join(stranger, 'notes.txt')));
    assert.equal(r.removed.length, 3);
    assert.deepEqual((await fs.readdir(root)).sort(), ['t']);
  });

  it('refuses to keep fewer than one series and a negative size cap, with a typed error', async () => {
    await assert.rejects(pruneSeries(root, { keepPerTarget: 0 }), PruneOptionsError);
    await assert.rejects(pruneSeries(root, { keepPerTarget: 1.5 }), PruneOptionsError);
    await assert.rejects(pruneSeries(root, { maxTotalBytes: -1 }), PruneOptionsError);
    // A missing root is simply nothing to prune.
    assert.deepEqual((await pruneSeries(path.join(root, 'nope'), { keepPerTarget: 1 })).removed, []);
  });
});
