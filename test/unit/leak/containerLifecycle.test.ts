import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { LeakReport } from '../../../src/core/leak/leakReport';
import { analyzeLifecycle, lifecycleSnapshotOf } from '../../../src/core/leak/targetLifecycle';
import { parseProcStat, parseBootTime, type ProcessIdentity } from '../../../src/core/remote/cgroupMemory';
import type { ContainerRecord } from '../../../src/core/remote/containerStateProbe';
import { parseDockerInspect } from '../../../src/core/remote/dockerContainers';
import { oomKilledState, recordedInspectWithState, runningState } from '../../fixtures/recordedContainerStates';
import { runCliCaptured } from '../../fixtures/runCliCaptured';
import { refused, STEP_S, T0, writeLifecycleSeries, type Step } from './lifecycleSeriesFolder';

const clock = (i: number) => `${new Date(T0 + i * STEP_S * 1000).toISOString().slice(11, 19)} UTC`;
const iso = (i: number) => new Date(T0 + i * STEP_S * 1000 + 500).toISOString();
const STARTED = '2023-11-14T20:00:00.000000000Z';

/** Docker's record as the probe stores it, parsed from the recorded inspect JSON with `State` replaced. */
function record(
  state: Parameters<typeof recordedInspectWithState>[2],
  restartCount = 0,
  readFor: ContainerRecord['readFor'] = 'endpoint-failed',
): ContainerRecord {
  const [info] = parseDockerInspect(
    JSON.stringify([recordedInspectWithState('ecu', '172.17.0.3', state, restartCount)]),
  );
  assert.ok(info);
  return { name: 'ecu', id: info.id, readFor, state: info.state };
}

const proc = (pid: number, startTicks: number): ProcessIdentity => ({ pid, startTicks, comm: 'ecu-demo' });

/** `n` answered snapshots of one process; the first carries docker's state from opening the target. */
function answered(n: number, opts: { start?: ContainerRecord; process?: ProcessIdentity; counters?: boolean } = {}) {
  return Array.from({ length: n }, (_, i): Step => ({
    kind: 'ok',
    ...(opts.counters === false
      ? {}
      : { memStats: { totalAllocMiB: 200 + 50 * i, mallocs: 1e4 + 1e3 * i, numGC: 3 + i } }),
    ...(i === 0 && opts.start ? { container: opts.start } : {}),
    ...(opts.process ? { process: opts.process } : {}),
  }));
}

/** Snapshots of a refused endpoint whose container cgroup is gone with it (docker removed it): no figures at all. */
function refusedWith(n: number, container?: ContainerRecord): Step[] {
  return Array.from({ length: n }, () => ({ kind: 'gap' as const, ...refused(), ...(container ? { container } : {}) }));
}

describe('target lifecycle from docker state and process start time', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const report = async (steps: Step[]): Promise<LeakReport> => {
    const dir = writeLifecycleSeries(steps);
    dirs.push(dir);
    const r = await runCliCaptured(['report', dir, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as LeakReport;
  };
  const start = record(runningState(12680, STARTED), 0, 'start');

  it('parses State and RestartCount from the recorded real inspect (running, never finished)', () => {
    const rec = path.resolve(__dirname, '../../../testdata/recorded/docker/inspect-bridge-2019.json');
    const [c] = parseDockerInspect(readFileSync(rec, 'utf8'));
    assert.deepEqual(c?.state, {
      status: 'running',
      running: true,
      oomKilled: false,
      exitCode: 0,
      pid: 12680,
      startedAt: '2019-03-07T03:59:12.405871518Z',
      finishedAt: null,
      restartCount: 0,
    });
  });

  it("calls a container whose cgroup vanished OOM-killed on docker's word (OOMKilled, exit 137 at FinishedAt)", async () => {
    const oom = record(oomKilledState(STARTED, iso(3)));
    const l = (await report([...answered(4, { start }), ...refusedWith(2, oom)])).lifecycle;
    assert.equal(l.state, 'oom-killed', JSON.stringify(l, null, 1));
    assert.equal(l.oomKilled, true);
    assert.equal(l.oomKill, null, "no cgroup counter was read: the verdict is docker's");
    assert.ok(l.evidence.some((e) => e.code === 'docker-oom-killed'));
    assert.match(
      l.summary,
      new RegExp(
        `^OOM killed between ${clock(3).slice(0, 8)} and ${clock(4)}: docker: OOMKilled, exit 137 at ${clock(3)}`,
      ),
    );
    assert.equal(l.docker?.state.status, 'exited');
    // The same death without docker's word stays "stopped answering": the verdict comes from the record.
    const blind = (await report([...answered(4, { start }), ...refusedWith(2)])).lifecycle;
    assert.equal(blind.state, 'unreachable');
    assert.equal(blind.oomKilled, false);
  });

  it('a container that exited with another code is not an OOM kill, and docker says so', async () => {
    const exited = record({ ...oomKilledState(STARTED, iso(3)), OOMKilled: false, ExitCode: 2 });
    const l = (await report([...answered(4, { start }), ...refusedWith(2, exited)])).lifecycle;
    assert.equal(l.state, 'unreachable');
    assert.equal(l.oomKilled, false);
    assert.match(l.summary, /docker: exited with code 2 at .*, not OOM-killed/);
  });

  it('an OOM kill before the window (OOMKilled still set, same FinishedAt) is not this death', () => {
    const before = record(runningState(200, iso(-10), iso(-20), true), 1, 'start');
    // The endpoint now refuses while docker says the same run goes on: the service hangs in a running container.
    const snaps = [
      ...answered(3, { start: before }).map((s, i) => ({ ...s, seq: i + 1 })),
      { kind: 'gap' as const, ...refused(), container: record(runningState(200, iso(-10), iso(-20), true), 1) },
    ];
    const l = analyzeLifecycle(
      snaps.map((s, i) =>
        lifecycleSnapshotOf({
          takenAtMs: T0 + i * 2000,
          status: s.kind === 'ok' ? 'ok' : 'gap',
          gaps: s.kind === 'ok' ? [] : [{ what: 'heap', error: s.error, reason: s.reason }],
          ...(s.container ? { container: s.container } : {}),
        }),
      ),
    );
    assert.equal(l.state, 'unreachable');
    assert.equal(l.oomKilled, false);
    assert.ok(
      l.evidence.some((e) => e.code === 'docker-running'),
      JSON.stringify(l.evidence),
    );
  });

  it('docker state read only after the death cannot date the OOM kill, and says so', async () => {
    const oom = record(oomKilledState(STARTED, iso(3)));
    const l = (await report([...answered(4), ...refusedWith(2, oom)])).lifecycle;
    assert.equal(l.state, 'unreachable');
    assert.equal(l.oomKilled, false);
    assert.match(
      l.evidence.find((e) => e.code === 'docker-unknown')?.message ?? '',
      /OOM-killed at .*no earlier state/,
    );
  });

  it('docker restarted the container after an OOM kill (RestartCount+1, new StartedAt/Pid, OOMKilled kept): restarted after an OOM kill', async () => {
    const back = record(runningState(300, iso(5), iso(3), true), 1, 'process-changed');
    const l = (
      await report([
        ...answered(4, { start, process: proc(12680, 500) }),
        ...refusedWith(1),
        { ...answered(1)[0]!, container: back, process: proc(300, 900) },
      ])
    ).lifecycle;
    assert.equal(l.state, 'restarted', JSON.stringify(l, null, 1));
    assert.equal(l.oomKilled, true);
    const codes = l.evidence.map((e) => e.code);
    assert.ok(codes.includes('docker-restarted') && codes.includes('docker-oom-killed'), codes.join());
    assert.match(l.summary, new RegExp(`after an OOM kill: docker: OOMKilled at ${clock(3)} \\(the run before\\)`));
    assert.match(l.summary, /PID 12680, start tick 500 → PID 300, start tick 900/);
  });

  it('a restart by docker without an OOM kill is a restart only', async () => {
    const back = record(runningState(300, iso(5), iso(3)), 1, 'process-changed');
    const l = (await report([...answered(4, { start }), { ...answered(1)[0]!, container: back }])).lifecycle;
    assert.equal(l.state, 'restarted');
    assert.equal(l.oomKilled, false);
    assert.match(l.summary, /docker: RestartCount 0→1, StartedAt .*, Pid 12680→300/);
  });

  it('a new start time of the watched PID is a restart even when no counter went back (PID reused)', async () => {
    const steps: Step[] = [
      ...answered(3, { process: proc(4242, 1000), counters: false }),
      ...answered(2, { process: proc(4242, 7000), counters: false }),
    ];
    const l = (await report(steps)).lifecycle;
    assert.equal(l.state, 'restarted', JSON.stringify(l, null, 1));
    assert.ok(l.evidence.some((e) => e.code === 'process-replaced'));
    const same = (await report(answered(5, { process: proc(4242, 1000), counters: false }))).lifecycle;
    assert.equal(same.state, 'running');
  });

  it('a successor found a snapshot after the PID vanished is the same restart, dated when the PID vanished', async () => {
    const gone = { currentMiB: 40, maxMiB: 512, oomKill: 0, processGone: true };
    const steps: Step[] = [
      ...answered(3, { process: proc(4242, 1000) }).map((s) => ({
        ...s,
        cgroup: { currentMiB: 40, maxMiB: 512, oomKill: 0 },
      })),
      { kind: 'ok', memStats: { totalAllocMiB: 5, mallocs: 10, numGC: 1 }, cgroup: gone },
      { kind: 'ok', memStats: { totalAllocMiB: 9, mallocs: 20, numGC: 2 }, process: proc(5151, 1900) },
    ];
    const l = (await report(steps)).lifecycle;
    assert.equal(l.state, 'restarted', JSON.stringify(l, null, 1));
    assert.equal(l.atMs, T0 + 3 * STEP_S * 1000, 'dated at the first snapshot of the new process');
    const codes = l.evidence.map((e) => e.code);
    assert.ok(
      ['counters-reset', 'process-gone', 'process-replaced'].every((c) => codes.includes(c as never)),
      codes.join(),
    );
  });

  it('parses /proc/PID/stat: a comm with spaces and parentheses, and this process start time against its uptime', () => {
    const odd = parseProcStat('77 (a) b (c)) S 1 77 77 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 123456 0 0');
    assert.deepEqual(odd, { pid: 77, startTicks: 123456, comm: 'a) b (c)' });
    const boot = parseBootTime(readFileSync('/proc/stat', 'utf8'));
    assert.ok(boot !== undefined);
    const me = parseProcStat(readFileSync('/proc/self/stat', 'utf8'), boot);
    assert.equal(me?.pid, process.pid);
    const expected = Date.now() - process.uptime() * 1000;
    assert.ok(Math.abs((me?.startedAtMs ?? 0) - expected) < 3000, `${me?.startedAtMs} vs ${expected}`);
    assert.equal(parseProcStat('garbage'), undefined);
  });
});
