import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEcuDemo, startGoService, type EcuDemo } from '../../fixtures/ecuDemo';
import { createMemoryCgroup, type MemoryCgroupFixture } from '../../fixtures/memoryCgroup';
import { runCliCaptured } from '../../fixtures/runCliCaptured';
import { reportOf, watchPid } from '../../fixtures/watchCli';
import { LOOSE_GATE_BUDGETS } from '../../fixtures/looseGateBudgets';

const LOOSE = LOOSE_GATE_BUDGETS;

/** The kernel's own OOM-kill counter of a v1 group, read straight from memory.oom_control. */
function kernelOomKills(cg: MemoryCgroupFixture): number {
  const m = /^oom_kill (\d+)$/m.exec(readFileSync(path.join(cg.dir, 'memory.oom_control'), 'utf8'));
  assert.ok(m, 'memory.oom_control has no oom_kill line');
  return Number(m[1]);
}

/** Polls whether `pid` still exists; resolves the time it was first seen gone (the fixture reaps its child). */
function watchDeath(pid: number): { gone: Promise<number>; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const gone = new Promise<number>((resolve) => {
    timer = setInterval(() => {
      try {
        process.kill(pid, 0);
      } catch {
        clearInterval(timer);
        resolve(Date.now());
      }
    }, 50);
  });
  return { gone, stop: () => clearInterval(timer) };
}

/**
 * The watched service dies, for real: the demo service runs in a real memory-limited v1 cgroup (this machine's
 * memory controller; v2 `memory.events` is covered by unit tests on recorded-format files) while `leakhunt watch
 * --pid` keeps taking snapshots past its death. An OOM kill by the kernel must be reported as one, with the
 * counters; a SIGKILL with no OOM must be "stopped answering", not OOM.
 */
describe('the watched service dies: OOM kill vs stopped answering (real cgroup, real kernel OOM killer)', function () {
  this.timeout(90_000);
  const dirs: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function demoInGroup(limit: number, flags: string[]): Promise<{ demo: EcuDemo; cg: MemoryCgroupFixture }> {
    const cg = await createMemoryCgroup(limit);
    cleanups.push(() => cg.remove());
    const demo = await startEcuDemo({ flags });
    cleanups.push(() => demo.stop());
    await cg.add(demo.pid);
    return { demo, cg };
  }

  it('reports an OOM kill with the oom_kill counter and the last good figures, and the gate fails naming it', async () => {
    // 96 MiB and a 4 MiB/s leak (plus the demo's churn): the kernel kills it after about 15 s (measured 14-16 s).
    const LIMIT = 96 * 1024 * 1024;
    const { demo, cg } = await demoInGroup(LIMIT, ['-map-leak-bytes-per-sec', String(4 << 20)]);
    const death = watchDeath(demo.pid);
    cleanups.push(async () => death.stop());
    const dir = mkdtempSync(path.join(os.tmpdir(), 'leakhunt-oomkill-'));
    dirs.push(dir);
    const startMs = Date.now();
    // 24 snapshots 1 s apart: the kill falls in the window with several snapshots on each side of it.
    const w = await watchPid(demo.url, demo.pid, dir, 24, ['--window', '24']);
    assert.equal(w.code, 0, w.stderr);
    const diedMs = await Promise.race([death.gone, Promise.resolve(-1)]);
    assert.ok(diedMs > 0, 'the demo service is still alive: the kernel did not kill it within the window');
    // The kernel's own word, independent of leakhunt: one OOM kill in the group.
    assert.equal(kernelOomKills(cg), 1);

    const l = (await reportOf(dir)).lifecycle;
    assert.equal(l.state, 'oom-killed', JSON.stringify(l, null, 1));
    assert.equal(l.oomKilled, true);
    assert.deepEqual(l.oomKill, { before: 0, after: 1 });
    const good = l.lastGoodSnapshot;
    assert.ok(good && l.atMs !== null);
    assert.equal(good.memoryMax, LIMIT);
    // The leak had filled most of the group by its last answer.
    assert.ok(good.memoryCurrent !== null && good.memoryCurrent > LIMIT / 2, String(good.memoryCurrent));
    // The death the test saw lies between the last answer and the snapshot that found it gone (polling slack 0.2 s).
    assert.ok(good.timeMs <= diedMs && diedMs <= l.atMs + 200, `${good.timeMs} <= ${diedMs} <= ${l.atMs}`);
    assert.ok(l.unansweredSnapshots >= 2, String(l.unansweredSnapshots));
    const codes = l.evidence.map((e) => e.code);
    assert.ok(codes.includes('process-gone') && codes.includes('oom-kill-counter'), codes.join());
    // The watch's own report says it first in its leak section.
    assert.match(w.stdout, /!! TARGET OOM-KILLED: OOM killed (between|during)[^\n]*: oom_kill 0→1, memory\.current /);
    const text = await runCliCaptured(['report', dir]);
    assert.match(
      text.stdout.split('\n')[0]!,
      /^!! TARGET OOM-KILLED: OOM killed (between \d\d:\d\d:\d\d and|during the snapshot at) \d\d:\d\d:\d\d UTC: oom_kill 0→1, memory\.current [\d.]+ MiB of 96\.0 MiB at the last good snapshot$/,
    );

    const g = await runCliCaptured(['gate', dir, ...LOOSE]);
    assert.equal(g.code, 1, g.stderr);
    assert.match(g.stderr, /leakhunt gate: over budget \(1\):\n {2}- target OOM killed [^\n]*oom_kill 0→1/);
    process.stderr.write(
      `      (OOM kill ${((diedMs - startMs) / 1000).toFixed(1)} s into the watch; ${text.stdout.split('\n')[0]})\n`,
    );
  });

  it('reports a SIGKILL without an OOM as "stopped answering", not OOM, and the gate only notes it', async () => {
    const { demo, cg } = await demoInGroup(512 * 1024 * 1024, []);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'leakhunt-sigkill-'));
    dirs.push(dir);
    let killedMs = 0;
    const killer = setTimeout(() => {
      killedMs = Date.now();
      process.kill(demo.pid, 'SIGKILL');
    }, 3500);
    cleanups.push(async () => clearTimeout(killer));
    const w = await watchPid(demo.url, demo.pid, dir, 7);
    assert.equal(w.code, 0, w.stderr);
    assert.ok(killedMs > 0);
    assert.equal(kernelOomKills(cg), 0);

    const l = (await reportOf(dir)).lifecycle;
    assert.equal(l.state, 'unreachable', JSON.stringify(l, null, 1));
    assert.equal(l.oomKilled, false);
    assert.deepEqual(l.oomKill, { before: 0, after: 0 });
    assert.ok(l.lastGoodSnapshot && l.atMs !== null);
    assert.ok(l.lastGoodSnapshot.timeMs <= killedMs && killedMs <= l.atMs, `${l.lastGoodSnapshot.timeMs} ${killedMs}`);
    assert.match(l.summary, /^Stopped answering (between|during) /);
    assert.match(l.summary, /not an OOM kill \(oom_kill stayed 0\)/);
    const codes = l.evidence.map((e) => e.code);
    assert.ok(codes.includes('process-gone') && codes.includes('no-oom-kill'), codes.join());

    const g = await runCliCaptured(['gate', dir, ...LOOSE]);
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stderr, /leakhunt gate: note: Stopped answering /);
    assert.doesNotMatch(g.stderr, /OOM killed/);
  });

  it('reports a new process behind the same endpoint as restarted: MemStats counters went back, the PID is gone', async () => {
    const { demo } = await demoInGroup(512 * 1024 * 1024, []);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'leakhunt-restart-'));
    dirs.push(dir);
    let restartedMs = 0;
    // A supervisor's restart, by hand: the first process is killed and the same binary serves the same address again.
    const restart = (async () => {
      await new Promise((r) => setTimeout(r, 3500));
      await new Promise<void>((resolve) => {
        demo.proc.once('exit', () => resolve());
        process.kill(demo.pid, 'SIGKILL');
      });
      const second = await startGoService(demo.binary, ['-addr', demo.addr]);
      cleanups.push(() => second.stop());
      restartedMs = Date.now();
    })();
    const w = await watchPid(demo.url, demo.pid, dir, 8);
    await restart;
    assert.equal(w.code, 0, w.stderr);
    assert.ok(restartedMs > 0);

    const l = (await reportOf(dir)).lifecycle;
    assert.equal(l.state, 'restarted', JSON.stringify(l, null, 1));
    assert.equal(l.oomKilled, false);
    assert.ok(l.atMs !== null && l.atMs + 1000 >= restartedMs, `${l.atMs} ${restartedMs}`);
    const codes = l.evidence.map((e) => e.code);
    assert.ok(codes.includes('counters-reset') && codes.includes('process-gone'), codes.join());
    assert.match(l.summary, /^Restarted at .*; TotalAlloc [\d.]+ MiB→[\d.]+ [KM]iB/);
    const g = await runCliCaptured(['gate', dir, ...LOOSE]);
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stderr, /leakhunt gate: note: Restarted at /);
  });
});
