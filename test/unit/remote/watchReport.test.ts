import * as assert from 'node:assert/strict';
import { formatBytes, renderWatchReport } from '../../../src/core/report/renderWatchReport';
import { buildWatchReport, type WatchReportInput } from '../../../src/core/report/watchReport';
import type { SnapshotEntry } from '../../../src/core/series/seriesIndex';

function snap(seq: number, over: Partial<SnapshotEntry> = {}): SnapshotEntry {
  return {
    seq,
    takenAtMs: seq * 1000,
    startedAt: new Date(seq * 1000).toISOString(),
    finishedAt: new Date(seq * 1000 + 10).toISOString(),
    status: 'ok',
    files: { heap: `snap-${seq}-heap.pb.gz` },
    sha256: {},
    notAvailable: [],
    gaps: [],
    summary: { heapInuseBytes: seq * 1024 * 1024, goroutines: 10 + seq },
    ...over,
  };
}

describe('watch report', () => {
  const base: WatchReportInput = {
    command: 'watch',
    target: 'ssh://ecu → 172.17.0.3:6060',
    out: '/tmp/s',
    snapshots: [],
    snapshotsThisRun: 0,
    stoppedBy: 'count',
  };

  it('counts snapshots and gaps and takes container figures from the latest snapshot with cgroup data', () => {
    const cg = (cur: number, max: number | null) => ({
      cgroup: 'v2' as const,
      path: '/x',
      memoryCurrent: cur,
      memoryMax: max,
      stat: {},
      events: { oom_kill: 2 },
    });
    const r = buildWatchReport({
      ...base,
      snapshots: [
        snap(1, { cgroup: cg(100, 1000) }),
        snap(2, { status: 'gap', files: {}, summary: {} }),
        snap(3, { cgroup: cg(300, null) }),
        snap(4),
      ],
      snapshotsThisRun: 4,
      container: { name: 'ecu-app', id: 'abcdef0123456789' },
      pid: 4242,
    });
    assert.equal(r.snapshots, 4);
    assert.equal(r.gaps, 1);
    assert.deepEqual(r.heapInuseBytes, { first: 1024 * 1024, last: 4 * 1024 * 1024 });
    assert.deepEqual(r.goroutines, { first: 11, last: 14 });
    assert.equal(r.container.cgroup, 'v2');
    assert.equal(r.container.memoryCurrent, 300);
    assert.equal(r.container.memoryMax, null);
    assert.equal(r.container.oomKills, 2);
    assert.equal(r.container.name, 'ecu-app');
    const text = renderWatchReport(r, 'text');
    assert.match(text, /memory +300 B of unlimited/);
    assert.match(text, /container +ecu-app \(abcdef012345\)/);
  });

  it('reports cgroup none with a reason when no PID is known, and lets analysis sections extend it', () => {
    const r = buildWatchReport({ ...base, snapshots: [snap(1)] }, [
      () => ({ id: 'growth', title: 'Growth', lines: ['heap grows'], data: { slope: 1 } }),
      () => undefined,
    ]);
    assert.equal(r.container.cgroup, 'none');
    assert.equal(r.container.memoryMax, null);
    assert.match(r.container.reason ?? '', /no PID/);
    assert.equal(r.sections.length, 1);
    const json = JSON.parse(renderWatchReport(r, 'json')) as {
      container: { cgroup: string };
      snapshots: number;
      sections: unknown[];
    };
    assert.equal(json.snapshots, 1);
    assert.equal(json.container.cgroup, 'none');
    const md = renderWatchReport(r, 'markdown');
    assert.match(md, /^# leakhunt watch report\n/);
    assert.match(md, /\n## Growth\n\nheap grows\n/);
    assert.match(md, /\| target \| ssh:\/\/ecu → 172\.17\.0\.3:6060 \|/);
  });

  it('formats bytes in IEC units', () => {
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(448 * 1024 * 1024), '448.0 MiB');
    assert.equal(formatBytes(null), '—');
  });
});
