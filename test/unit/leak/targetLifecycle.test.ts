import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { LeakReport } from '../../../src/core/leak/leakReport';
import { analyzeLifecycle, type LifecycleSnapshot } from '../../../src/core/leak/targetLifecycle';
import { runCliCaptured } from '../../fixtures/runCliCaptured';
import { refused, STEP_S, T0, writeLifecycleSeries, type Step, type StepCgroup } from './lifecycleSeriesFolder';
import { LOOSE_GATE_BUDGETS } from '../../fixtures/looseGateBudgets';

const LOOSE = LOOSE_GATE_BUDGETS;

/** `n` answered snapshots whose cgroup climbs to `lastMiB` of `maxMiB`, with growing MemStats. */
function climbing(n: number, lastMiB: number, maxMiB: number, extra: Partial<StepCgroup> = {}): Step[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'ok' as const,
    memStats: { totalAllocMiB: 200 + 50 * i, mallocs: 10_000 + 1000 * i, numGC: 3 + i },
    cgroup: { currentMiB: lastMiB - (n - 1 - i) * 10, maxMiB, oomKill: 0, ...extra },
  }));
}

/** `n` snapshots the refused endpoint did not answer, with the group's figures read after the death (or none). */
function dead(n: number, cgroup?: StepCgroup, failure = refused()): Step[] {
  return Array.from({ length: n }, () => ({ kind: 'gap' as const, ...failure, ...(cgroup ? { cgroup } : {}) }));
}

const clock = (i: number) => `${new Date(T0 + i * STEP_S * 1000).toISOString().slice(11, 19)} UTC`;

describe('target lifecycle: OOM-killed, stopped answering, restarted (saved series)', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const series = (steps: Step[]) => {
    const d = writeLifecycleSeries(steps);
    dirs.push(d);
    return d;
  };
  const report = async (dir: string, ...extra: string[]): Promise<LeakReport> => {
    const r = await runCliCaptured(['report', dir, '--format', 'json', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as LeakReport;
  };

  it('calls a target OOM-killed when oom_kill (v1 memory.oom_control) rose across its last answer', async () => {
    const dir = series([
      ...climbing(6, 159.8, 160),
      ...dead(3, { currentMiB: 0.3, maxMiB: 160, oomKill: 1, failcnt: 40, processGone: true }),
    ]);
    const r = await report(dir);
    const l = r.lifecycle;
    assert.equal(l.state, 'oom-killed');
    assert.equal(l.oomKilled, true);
    assert.deepEqual(l.oomKill, { before: 0, after: 1 });
    assert.equal(l.atMs, T0 + 6 * STEP_S * 1000);
    assert.deepEqual(l.lastGoodSnapshot, {
      seq: 6,
      timeMs: T0 + 5 * STEP_S * 1000,
      memoryCurrent: 159.8 * 1024 * 1024,
      memoryMax: 160 * 1024 * 1024,
    });
    assert.equal(l.unansweredSnapshots, 3);
    assert.equal(
      l.summary,
      `OOM killed between ${clock(5).slice(0, 8)} and ${clock(6)}: oom_kill 0→1, ` +
        'memory.current 159.8 MiB of 160.0 MiB at the last good snapshot',
    );
    assert.deepEqual(
      l.evidence.map((e) => e.code),
      ['endpoint-unreachable', 'process-gone', 'oom-kill-counter', 'limit-hits', 'near-limit'],
    );
    assert.match(
      l.evidence[0]!.message,
      /3 snapshots from .* got no answer: cannot connect to 127\.0\.0\.1:6060: ECONNREFUSED/,
    );
    // The existing fields are unchanged: the container figures are those of the last good snapshot.
    assert.equal(r.container.memoryCurrent, 159.8 * 1024 * 1024);
    assert.equal(r.snapshots, 6);
  });

  it('puts the OOM kill first in the text, markdown and SARIF renderings', async () => {
    const dir = series([...climbing(5, 150, 160), ...dead(2, { currentMiB: 0, maxMiB: 160, oomKill: 1 })]);
    const text = await runCliCaptured(['report', dir]);
    const first = text.stdout.split('\n')[0]!;
    assert.equal(
      first,
      `!! TARGET OOM-KILLED: OOM killed between ${clock(4).slice(0, 8)} and ${clock(5)}: oom_kill 0→1, ` +
        'memory.current 150.0 MiB of 160.0 MiB at the last good snapshot',
    );
    assert.match(text.stdout, /^ {3}- the cgroup's oom_kill counter rose from 0 to 1/m);
    const md = (await runCliCaptured(['report', dir, '--format', 'markdown'])).stdout.split('\n');
    assert.equal(md[0], '## leakhunt report: http://127.0.0.1:6060');
    assert.match(md[2]!, /^> ⛔ \*\*OOM killed between .*oom\\_kill 0→1/);
    const sarif = JSON.parse((await runCliCaptured(['report', dir, '--format', 'sarif'])).stdout);
    const res = sarif.runs[0].results[0];
    assert.equal(res.ruleId, 'target-oom-killed');
    assert.equal(res.level, 'error');
    assert.match(res.message.text, /^OOM killed between /);
    assert.ok(sarif.runs[0].tool.driver.rules.some((x: { id: string }) => x.id === 'target-oom-killed'));
  });

  it('calls the recorded real OOM kill of the demo service (96 MiB v1 group) OOM-killed, with its recorded figures', async () => {
    // Figures checked by hand in testdata/oom-killed-series/series.json (see its README).
    const dir = path.resolve(__dirname, '../../../testdata/oom-killed-series');
    const r = await report(dir);
    const l = r.lifecycle;
    assert.equal(l.state, 'oom-killed');
    assert.deepEqual(l.oomKill, { before: 0, after: 1 });
    assert.deepEqual(l.lastGoodSnapshot, {
      seq: 14,
      timeMs: 1795930121699,
      memoryCurrent: 96202752,
      memoryMax: 100663296,
    });
    assert.equal(l.atMs, 1795930122699);
    assert.equal(l.unansweredSnapshots, 8);
    assert.equal(
      l.summary,
      'OOM killed between 05:28:41 and 05:28:42 UTC: oom_kill 0→1, memory.current 91.7 MiB of 96.0 MiB at the last good snapshot',
    );
    assert.match(l.evidence.find((e) => e.code === 'limit-hits')!.message, /0→124/);
    // The leak analysis of the 14 answered snapshots is unchanged by the death.
    assert.equal(r.snapshots, 14);
    assert.ok(r.heap!.suspects.some((s) => s.verdict === 'leak' && s.file.endsWith('cache/session_cache.go')));
  });

  it('sees a death during a snapshot: the figures read after it are not taken as the baseline', async () => {
    const steps: Step[] = [
      ...climbing(4, 150, 160),
      {
        kind: 'ok',
        failAfterHeap: { error: 'EndpointUnreachableError', reason: 'reading /debug/pprof/goroutine: socket hang up' },
        cgroup: { currentMiB: 0.2, maxMiB: 160, oomKill: 1, processGone: true },
      },
    ];
    const l = (await report(series(steps))).lifecycle;
    assert.equal(l.state, 'oom-killed');
    assert.deepEqual(l.oomKill, { before: 0, after: 1 });
    assert.equal(l.atMs, T0 + 4 * STEP_S * 1000);
    assert.equal(l.unansweredSnapshots, 0);
    // memory.current is the last reading while it lived, not the 0.2 MiB read after the kill.
    assert.equal(l.lastGoodSnapshot?.memoryCurrent, 150 * 1024 * 1024);
    assert.match(
      l.summary,
      /^OOM killed during the snapshot at .*: oom_kill 0→1, memory\.current 150\.0 MiB of 160\.0 MiB/,
    );
    // Followed by snapshots it did not answer, the same death keeps its time.
    const more = (await report(series([...steps, ...dead(2, { currentMiB: 0, maxMiB: 160, oomKill: 1 })]))).lifecycle;
    assert.equal(more.state, 'oom-killed');
    assert.equal(more.atMs, T0 + 4 * STEP_S * 1000);
    assert.equal(more.unansweredSnapshots, 2);
  });

  it('reads the v2 memory.events oom_kill counter the same way', async () => {
    const dir = series([
      ...climbing(4, 250, 256, { v2: true }),
      ...dead(2, { currentMiB: 1, maxMiB: 256, oomKill: 2, v2: true }),
    ]);
    const l = (await report(dir)).lifecycle;
    assert.equal(l.state, 'oom-killed');
    assert.deepEqual(l.oomKill, { before: 0, after: 2 });
  });

  it('gate exits 1 on an OOM kill with a clear stderr line, even when every budget is met', async () => {
    const dir = series([...climbing(5, 155, 160), ...dead(2, { currentMiB: 0, maxMiB: 160, oomKill: 1 })]);
    const g = await runCliCaptured(['gate', dir, ...LOOSE]);
    assert.equal(g.code, 1, g.stderr);
    assert.match(
      g.stderr,
      /over budget \(1\):\n {2}- target OOM killed between .*: oom_kill 0→1, memory\.current 155\.0 MiB of 160\.0 MiB/,
    );
  });

  it('calls a target that died without the counter rising "stopped answering", not OOM, and the gate notes it', async () => {
    const dir = series([
      ...climbing(5, 40, 512),
      ...dead(3, { currentMiB: 0.1, maxMiB: 512, oomKill: 0, processGone: true }),
    ]);
    const l = (await report(dir)).lifecycle;
    assert.equal(l.state, 'unreachable');
    assert.equal(l.oomKilled, false);
    assert.deepEqual(l.oomKill, { before: 0, after: 0 });
    assert.match(
      l.summary,
      /^Stopped answering between .*: cannot connect to 127\.0\.0\.1:6060: ECONNREFUSED; not an OOM kill \(oom_kill stayed 0\)/,
    );
    assert.ok(l.evidence.some((e) => e.code === 'no-oom-kill'));
    assert.ok(!l.evidence.some((e) => e.code === 'near-limit'));
    const g = await runCliCaptured(['gate', dir, ...LOOSE]);
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stderr, /leakhunt gate: note: Stopped answering between /);
    assert.doesNotMatch(g.stderr, /OOM killed/);
  });

  it('without cgroup figures after the death it cannot confirm an OOM kill, and says so (likely, when near the limit)', async () => {
    const l = (await report(series([...climbing(5, 158, 160), ...dead(2)]))).lifecycle;
    assert.equal(l.state, 'unreachable');
    assert.equal(l.oomKill, null);
    assert.match(l.summary, /no OOM evidence \(cgroup counters not read both before and after it\)/);
    const codes = l.evidence.map((e) => e.code);
    assert.ok(codes.includes('no-cgroup-after') && codes.includes('near-limit'), codes.join());
    assert.match(l.evidence.find((e) => e.code === 'near-limit')!.message, /98\.8% .*an OOM kill is likely/);
  });

  it('a counter read only after the death is no proof of an OOM kill in the window', async () => {
    const ok: Step[] = Array.from({ length: 4 }, () => ({ kind: 'ok' as const }));
    const l = (await report(series([...ok, ...dead(2, { currentMiB: 0, maxMiB: 160, oomKill: 3 })]))).lifecycle;
    assert.equal(l.state, 'unreachable');
    assert.equal(l.oomKilled, false);
    assert.match(l.evidence.find((e) => e.code === 'no-cgroup-after')!.message, /was 3 after .* no reading before/);
  });

  it('tells a lost SSH connection (the host) from a refused endpoint (the service)', async () => {
    const lost = { error: 'ConnectionLostError', reason: 'SSH connection to ecu lost' };
    const l = (await report(series([...climbing(4, 40, 512), ...dead(2, undefined, lost)]))).lifecycle;
    assert.equal(l.state, 'unreachable');
    assert.match(l.summary, /^Unreachable between /);
    assert.equal(l.evidence[0]!.code, 'host-unreachable');
  });

  it('calls a new process behind the endpoint a restart (counters went back), after an OOM kill when oom_kill rose', async () => {
    const steps: Step[] = [
      ...climbing(4, 155, 160),
      ...dead(2, { currentMiB: 0, maxMiB: 160, oomKill: 1 }),
      {
        kind: 'ok',
        memStats: { totalAllocMiB: 3, mallocs: 900, numGC: 1 },
        cgroup: { currentMiB: 9, maxMiB: 160, oomKill: 1 },
        allocMiB: 3,
      },
      {
        kind: 'ok',
        memStats: { totalAllocMiB: 40, mallocs: 2000, numGC: 2 },
        cgroup: { currentMiB: 19, maxMiB: 160, oomKill: 1 },
        allocMiB: 40,
      },
    ];
    const dir = series(steps);
    const l = (await report(dir)).lifecycle;
    assert.equal(l.state, 'restarted');
    assert.equal(l.atMs, T0 + 6 * STEP_S * 1000);
    assert.equal(l.lastGoodSnapshot?.seq, 4);
    assert.equal(l.oomKilled, true);
    assert.deepEqual(
      l.evidence.map((e) => e.code),
      ['outage', 'counters-reset', 'oom-kill-counter'],
    );
    assert.match(
      l.summary,
      /^Restarted at .* after an OOM kill: oom_kill 0→1; TotalAlloc 350\.0 MiB→3\.0 MiB, Mallocs 13000→900, NumGC 6→1/,
    );
    const g = await runCliCaptured(['gate', dir, ...LOOSE]);
    assert.equal(g.code, 1);
    assert.match(g.stderr, /- target Restarted at .* after an OOM kill/);
  });

  it('a restart without OOM evidence is a restart, and only a note for the gate', async () => {
    const dir = series([
      ...climbing(4, 60, 512),
      {
        kind: 'ok',
        memStats: { totalAllocMiB: 2, mallocs: 100, numGC: 1 },
        cgroup: { currentMiB: 8, maxMiB: 512, oomKill: 0 },
      },
    ]);
    const l = (await report(dir)).lifecycle;
    assert.equal(l.state, 'restarted');
    assert.equal(l.oomKilled, false);
    assert.ok(!l.evidence.some((e) => e.code === 'outage'));
    const g = await runCliCaptured(['gate', dir, ...LOOSE]);
    assert.equal(g.code, 0, g.stderr);
    assert.match(g.stderr, /note: Restarted at /);
  });

  it('an outage the same process comes back from is running, with the outage as evidence', async () => {
    const ok = climbing(6, 60, 512);
    const l = (await report(series([...ok.slice(0, 3), ...dead(2), ...ok.slice(3)]))).lifecycle;
    assert.equal(l.state, 'running');
    assert.equal(l.atMs, null);
    assert.deepEqual(
      l.evidence.map((e) => e.code),
      ['counters-continue'],
    );
    assert.match(l.summary, /^Running; no answer for 2 snapshots after .* then answers again .*: the same process/);
  });

  it('a healthy series is running with no lifecycle line, and an oom_kill of another process in the group is not its death', async () => {
    const healthy = await report(series(climbing(5, 60, 512)));
    assert.equal(healthy.lifecycle.state, 'running');
    assert.equal(healthy.lifecycle.summary, '');
    const text = await runCliCaptured(['report', series(climbing(5, 60, 512))]);
    assert.match(text.stdout.split('\n')[0]!, /^leakhunt report for /);
    const steps = climbing(5, 150, 160);
    for (const s of steps.slice(3)) if (s.kind === 'ok' && s.cgroup) s.cgroup.oomKill = 1;
    const other = await report(series(steps));
    assert.equal(other.lifecycle.state, 'running');
    assert.equal(other.lifecycle.oomKilled, false);
    assert.ok(other.container.warnings.some((w) => w.code === 'oom-events'));
  });

  it('keeps the death in a --window that holds fewer snapshots than the series', async () => {
    const dir = series([...climbing(8, 150, 160), ...dead(2, { currentMiB: 0, maxMiB: 160, oomKill: 1 })]);
    const r = await report(dir, '--window', '3');
    assert.equal(r.snapshots, 3);
    assert.equal(r.lifecycle.state, 'oom-killed');
    assert.equal(r.lifecycle.lastGoodSnapshot?.seq, 8);
  });

  it('a service that answers with errors (HTTP 500) is not called dead', async () => {
    const l = (
      await report(
        series([
          ...climbing(4, 60, 512),
          ...dead(2, undefined, { error: 'HttpStatusError', reason: 'HTTP 500 for /debug/pprof/heap' }),
        ]),
      )
    ).lifecycle;
    assert.equal(l.state, 'running');
  });

  it('without MemStats or allocation totals a comeback cannot be told from a restart, and says what is missing', () => {
    const s = (i: number, answered: boolean): LifecycleSnapshot => ({ timeMs: T0 + i * 1000, answered, failures: [] });
    const l = analyzeLifecycle([s(0, true), s(1, false), s(2, true)]);
    assert.equal(l.state, 'running');
    assert.equal(l.evidence[0]?.code, 'restart-unknown');
    assert.match(l.evidence[0]!.message, /no MemStats or allocation totals were recorded/);
    assert.equal(analyzeLifecycle([]).state, 'running');
    const none = analyzeLifecycle([s(0, false), s(1, false)]);
    assert.equal(none.state, 'unreachable');
    assert.equal(none.lastGoodSnapshot, null);
    assert.match(none.summary, /no answer in the window/);
  });
});
