import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clockTime } from '../../../src/core/leak/targetLifecycle';
import type { LeakReport } from '../../../src/core/leak/leakReport';
import { readSeriesIndex, type SnapshotEntry } from '../../../src/core/series/seriesIndex';
import { startContainerHost, type ContainerHost } from '../../fixtures/containerHost';
import { startEcuDemo, startGoService, type EcuDemo } from '../../fixtures/ecuDemo';
import { createMemoryCgroup } from '../../fixtures/memoryCgroup';
import { oomKilledState, recordedInspectWithState, runningState } from '../../fixtures/recordedContainerStates';
import { runCliCaptured } from '../../fixtures/runCliCaptured';
import { reportOf, watchPid } from '../../fixtures/watchCli';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGKILLs the demo and waits until the fixture has reaped it. */
async function kill(demo: EcuDemo): Promise<void> {
  await new Promise<void>((resolve) => {
    demo.proc.once('exit', () => resolve());
    process.kill(demo.pid, 'SIGKILL');
  });
}

/** The container's recorded StartedAt (the recorded inspect this host answers with). */
const RECORDED_STARTED = '2019-03-07T03:59:12.405871518Z';

/** Builds the series `dir` and reports its lifecycle (JSON report of the saved series, as a user would). */
async function lifecycleOf(dir: string): Promise<LeakReport['lifecycle']> {
  return (await reportOf(dir)).lifecycle;
}

/**
 * A watched container dies or is restarted, end to end through the REAL sshd: `leakhunt watch ssh://… --container ecu`
 * resolves the container with `docker inspect` on the SSH host, where `docker` is the docker STAND-IN
 * (test/fixtures/dockerStandIn.ts: there is no Docker engine here) answering the recorded real inspect JSON with the
 * container's process being the demo Go service of this machine. Mid-watch the test kills the real process and switches
 * the stand-in's answer to what docker records for that event (OOMKilled/exit 137/exited, or a restart under a new PID).
 */
describe('container lifecycle from docker state (real sshd, docker STAND-IN, real demo process)', function () {
  this.timeout(60_000);
  const cleanups: (() => Promise<void>)[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function watchContainer(
    host: ContainerHost,
    demo: EcuDemo,
    count: number,
  ): Promise<{ dir: string; run: Promise<Awaited<ReturnType<typeof runCliCaptured>>> }> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'leakhunt-container-life-'));
    dirs.push(dir);
    const port = demo.addr.split(':')[1]!;
    const s = host.sshd;
    const run = runCliCaptured([
      'watch',
      `ssh://${s.user}@${s.host}:${s.port}`,
      '--identity',
      s.clientKey,
      '--known-hosts',
      s.knownHosts,
      '--ssh-config',
      s.sshConfig,
      '--container',
      'ecu',
      '--endpoint',
      `127.0.0.1:${port}`,
      '--interval',
      '1s',
      '--count',
      String(count),
      '--out',
      dir,
    ]);
    return { dir, run };
  }

  /** Waits until the series in `dir` holds `n` snapshots. */
  async function snapshotsIn(dir: string, n: number): Promise<SnapshotEntry[]> {
    for (let i = 0; i < 200; i++) {
      const idx = await readSeriesIndex(dir).catch(() => undefined);
      if (idx && idx.snapshots.length >= n) return idx.snapshots;
      await sleep(50);
    }
    throw new Error(`the series never reached ${n} snapshots`);
  }

  it("a container OOM-killed mid-watch whose cgroup docker removed is oom-killed on docker's word", async () => {
    const demo = await startEcuDemo();
    cleanups.push(() => demo.stop());
    // The container's group, removed with the dead container as docker does: no counter is left to read after it.
    const cg = await createMemoryCgroup(512 * 1024 * 1024, 'leakhunt-container');
    cleanups.push(() => cg.remove());
    await cg.add(demo.pid);
    const host = await startContainerHost('ecu', demo.pid);
    cleanups.push(() => host.stop());

    const { dir, run } = await watchContainer(host, demo, 6);
    await snapshotsIn(dir, 3);
    await kill(demo);
    const diedAt = new Date().toISOString();
    await cg.remove();
    await host.docker.answer(
      { ecu: [recordedInspectWithState('ecu', '127.0.0.1', oomKilledState(RECORDED_STARTED, diedAt))] },
      '',
    );
    const w = await run;
    assert.equal(w.code, 0, w.stderr);

    const l = await lifecycleOf(dir);
    assert.equal(l.state, 'oom-killed', JSON.stringify(l, null, 1));
    assert.equal(l.oomKilled, true);
    assert.equal(l.oomKill, null, "no cgroup counter after the death: the verdict is docker's");
    assert.ok(
      l.evidence.some((e) => e.code === 'docker-oom-killed'),
      JSON.stringify(l.evidence),
    );
    assert.match(
      l.summary,
      new RegExp(`^OOM killed .*: docker: OOMKilled, exit 137 at ${clockTime(Date.parse(diedAt))}`),
    );
    assert.equal(l.docker?.state.status, 'exited');
    process.stdout.write(`      (${l.summary})\n`);

    // Cost: docker inspect ran once to open the target and once per snapshot that found the endpoint dead, never for
    // a snapshot that answered (its state is the opening one, recorded without an exec).
    const idx = (await readSeriesIndex(dir))!;
    const inspects = (await host.docker.calls()).filter((a) => a[0] === 'inspect').length;
    const asked = idx.snapshots.filter((e) => e.container && e.container.readFor !== 'start');
    assert.equal(inspects, 1 + asked.length, JSON.stringify(idx.snapshots.map((e) => e.container?.readFor ?? '-')));
    assert.equal(idx.snapshots[0]?.container?.readFor, 'start');
    // A snapshot the kill cut short (answered, then refused) is a failed one too: only fully healthy ones go unasked.
    const refusedIn = (e: SnapshotEntry) => e.gaps.some((g) => g.error === 'EndpointUnreachableError');
    const healthy = idx.snapshots.slice(1).filter((e) => e.gaps.length === 0);
    assert.ok(healthy.length >= 1 && healthy.every((e) => e.container === undefined));
    const failed = idx.snapshots.filter(refusedIn);
    assert.ok(failed.length >= 2 && failed.every((e) => e.container?.readFor === 'endpoint-failed'));
    // Each answered snapshot recorded the container process's start time read over SSH with the cgroup files.
    const p = idx.snapshots[0]?.cgroup?.process;
    assert.equal(p?.pid, demo.pid);
    assert.ok(p?.startedAtMs !== undefined && Math.abs(p.startedAtMs - Date.now()) < 60_000);
  });

  it('a container docker restarted under a new PID (RestartCount+1, new StartedAt) is restarted, with both processes named', async () => {
    const demo = await startEcuDemo();
    cleanups.push(() => demo.stop());
    const host = await startContainerHost('ecu', demo.pid);
    cleanups.push(() => host.stop());

    const { dir, run } = await watchContainer(host, demo, 7);
    await snapshotsIn(dir, 3);
    await kill(demo);
    const second = await startGoService(demo.binary, ['-addr', demo.addr]);
    cleanups.push(() => second.stop());
    const startedAt = new Date().toISOString();
    await host.docker.answer(
      {
        ecu: [recordedInspectWithState('ecu', '127.0.0.1', runningState(second.pid, startedAt, startedAt), 1)],
      },
      '',
    );
    const w = await run;
    assert.equal(w.code, 0, w.stderr);

    const l = await lifecycleOf(dir);
    assert.equal(l.state, 'restarted', JSON.stringify(l, null, 1));
    assert.equal(l.oomKilled, false);
    const codes = l.evidence.map((e) => e.code);
    assert.ok(codes.includes('docker-restarted'), codes.join());
    assert.match(
      l.evidence.find((e) => e.code === 'docker-restarted')!.message,
      new RegExp(`RestartCount 0→1, StartedAt ${clockTime(Date.parse(startedAt))}, Pid ${demo.pid}→${second.pid}`),
    );
    assert.equal(l.docker?.state.restartCount, 1);
    process.stdout.write(`      (${l.summary})\n`);
    // The reader followed docker's new PID: the last snapshot's figures are the new process's.
    const idx = (await readSeriesIndex(dir))!;
    assert.equal(idx.snapshots[idx.snapshots.length - 1]?.cgroup?.process?.pid, second.pid);
    assert.ok(
      codes.includes('process-replaced') &&
        new RegExp(`PID ${demo.pid}, started .* → PID ${second.pid}, started`).test(
          l.evidence.find((e) => e.code === 'process-replaced')!.message,
        ),
      JSON.stringify(l.evidence),
    );
  });
});

/**
 * `--pid` on this machine: the demo runs in a real memory cgroup; a supervisor's restart by hand (SIGKILL, then the same
 * binary on the same address, put into the same group as systemd would) must be a restart proven by the process start
 * time (/proc/PID/stat starttime), with the new process found in the group and followed.
 */
describe('a --pid target restarted into its group is restarted by its start time (real processes, real cgroup)', function () {
  this.timeout(60_000);
  const cleanups: (() => Promise<void>)[] = [];
  let dir = '';
  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('names the old and the new process with their start times, the new one started when the test started it', async () => {
    const demo = await startEcuDemo();
    cleanups.push(() => demo.stop());
    const cg = await createMemoryCgroup(512 * 1024 * 1024, 'leakhunt-supervised');
    cleanups.push(() => cg.remove());
    await cg.add(demo.pid);
    dir = mkdtempSync(path.join(os.tmpdir(), 'leakhunt-pid-restart-'));
    let second: EcuDemo | undefined;
    let restartedMs = 0;
    const restart = (async () => {
      await sleep(3000);
      await kill(demo);
      restartedMs = Date.now();
      second = await startGoService(demo.binary, ['-addr', demo.addr]);
      cleanups.push(() => second!.stop());
      await cg.add(second.pid);
    })();
    const w = await watchPid(demo.url, demo.pid, dir, 7);
    await restart;
    assert.equal(w.code, 0, w.stderr);
    assert.ok(second);

    const l = await lifecycleOf(dir);
    assert.equal(l.state, 'restarted', JSON.stringify(l, null, 1));
    const replaced = l.evidence.find((e) => e.code === 'process-replaced');
    assert.ok(replaced, JSON.stringify(l.evidence));
    const m = new RegExp(
      `PID ${demo.pid}, started (\\d\\d:\\d\\d:\\d\\d) UTC → PID ${second.pid}, started (\\d\\d:\\d\\d:\\d\\d) UTC`,
    ).exec(replaced.message);
    assert.ok(m, replaced.message);
    // The start time read from /proc is the restart's real time (to the second; ticks are 10 ms).
    const t = (s: string) => Date.parse(`${new Date(restartedMs).toISOString().slice(0, 11)}${s}Z`);
    assert.ok(Math.abs(t(m[2]!) - restartedMs) <= 2000, `${m[2]} vs ${new Date(restartedMs).toISOString()}`);
    assert.ok(t(m[1]!) < t(m[2]!));
    process.stdout.write(`      (${l.summary})\n`);
    const idx = (await readSeriesIndex(dir))!;
    assert.equal(idx.snapshots[idx.snapshots.length - 1]?.cgroup?.process?.pid, second.pid, 'the reader followed it');
  });
});
