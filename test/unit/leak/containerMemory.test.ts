import assert from 'node:assert/strict';
import { analyzeContainer, type ContainerSnapshotInput } from '../../../src/core/leak/containerMemory';
import { resolveLeakConfig } from '../../../src/core/leak/leakConfig';
import type { CgroupMemory } from '../../../src/core/remote/cgroupMemory';

const MiB = 1024 * 1024;
const T0 = 1_700_000_000_000;
const cfg = resolveLeakConfig();

function v2(
  current: number,
  max: number | null,
  stat: Record<string, number> = {},
  events: Record<string, number> = {},
): CgroupMemory {
  return { cgroup: 'v2', path: '/system.slice/docker-x.scope', memoryCurrent: current, memoryMax: max, stat, events };
}

describe('leak/containerMemory', () => {
  it('computes the watermark, the OOM ETA from the slope and the breakdown', () => {
    // 200 MiB limit, growing 2 MiB per 2 s = 60 MiB/min from 150 MiB.
    const snaps: ContainerSnapshotInput[] = Array.from({ length: 10 }, (_, i) => ({
      timeMs: T0 + i * 2000,
      cgroup: v2((150 + 2 * i) * MiB, 200 * MiB, {
        anon: (120 + 2 * i) * MiB,
        file: 20 * MiB,
        inactive_file: 12 * MiB,
      }),
      memStats: { HeapInuse: (90 + 2 * i) * MiB, Sys: (140 + 2 * i) * MiB, other: {} },
    }));
    const a = analyzeContainer(snaps, cfg);
    assert.equal(a.cgroup, 'v2');
    assert.equal(a.memoryCurrent, 168 * MiB);
    assert.equal(a.memoryMax, 200 * MiB);
    assert.equal(a.ratio, 168 / 200);
    assert.ok(Math.abs(a.growthBytesPerMin! - 60 * MiB) < 1);
    // 32 MiB left at 60 MiB/min = 32 s.
    assert.ok(Math.abs(a.oomEtaSeconds! - 32) < 1e-6, String(a.oomEtaSeconds));
    assert.deepEqual(a.breakdown, {
      goHeapInuse: 108 * MiB,
      goRuntimeNonHeap: 50 * MiB,
      pageCache: 20 * MiB,
      inactiveFile: 12 * MiB,
      anon: 138 * MiB,
      other: 0,
    });
    assert.deepEqual(
      a.warnings.map((w) => w.code),
      ['oom-eta'],
    );
  });

  it('gives no ETA when memory is flat or there is no limit, and warns at the watermark', () => {
    const flat = Array.from({ length: 6 }, (_, i) => ({
      timeMs: T0 + i * 2000,
      cgroup: v2(190 * MiB + (i % 2) * 4096, 200 * MiB),
    }));
    const a = analyzeContainer(flat, cfg);
    assert.equal(a.oomEtaSeconds, null);
    assert.deepEqual(
      a.warnings.map((w) => w.code),
      ['watermark'],
    );
    const unlimited = Array.from({ length: 6 }, (_, i) => ({
      timeMs: T0 + i * 2000,
      cgroup: v2((100 + 10 * i) * MiB, null),
    }));
    const b = analyzeContainer(unlimited, cfg);
    assert.equal(b.oomEtaSeconds, null);
    assert.equal(b.ratio, null);
    assert.ok(b.growthBytesPerMin! > 0);
  });

  it('warns when the cgroup grows while the Go heap does not', () => {
    const snaps = Array.from({ length: 8 }, (_, i) => ({
      timeMs: T0 + i * 5000,
      cgroup: v2((300 + 8 * i) * MiB, null),
      memStats: { HeapInuse: 100 * MiB + (i % 2) * MiB, Sys: (200 + 8 * i) * MiB, other: {} },
    }));
    const a = analyzeContainer(snaps, cfg);
    const w = a.warnings.find((x) => x.code === 'non-heap-growth');
    assert.ok(w, JSON.stringify(a.warnings));
    assert.match(w.message, /madvdontneed/);
    // A cgroup that grows with its heap raises nothing of the kind.
    const withHeap = snaps.map((s, i) => ({
      ...s,
      memStats: { HeapInuse: (100 + 8 * i) * MiB, Sys: (200 + 8 * i) * MiB, other: {} },
    }));
    assert.ok(!analyzeContainer(withHeap, cfg).warnings.some((x) => x.code === 'non-heap-growth'));
  });

  it('raises the early OOM warning on fast RSS growth while inactive_file holds, not when the page cache gives way', () => {
    const mk = (inactive2: number) => [
      { timeMs: T0, cgroup: v2(500 * MiB, null, { anon: 300e6, inactive_file: 100e6 }) },
      { timeMs: T0 + 1000, cgroup: v2(600 * MiB, null, { anon: 400e6, inactive_file: inactive2 }) },
    ];
    assert.ok(analyzeContainer(mk(98e6), cfg).warnings.some((w) => w.code === 'early-oom'));
    assert.ok(!analyzeContainer(mk(50e6), cfg).warnings.some((w) => w.code === 'early-oom'));
  });

  it('reads v1 names and reports OOM events from failcnt and memory.events', () => {
    const v1 = (usage: number, failcnt: number): CgroupMemory => ({
      cgroup: 'v1',
      path: '/leakhunt-test',
      memoryCurrent: usage,
      memoryMax: 64 * MiB,
      stat: { rss: usage - 4 * MiB, cache: 4 * MiB, total_inactive_file: 1 * MiB },
      failcnt,
    });
    const a = analyzeContainer(
      [
        { timeMs: T0, cgroup: v1(60 * MiB, 3) },
        { timeMs: T0 + 2000, cgroup: v1(63 * MiB, 10) },
      ],
      cfg,
    );
    assert.equal(a.cgroup, 'v1');
    assert.deepEqual(a.oomEvents, { oom: 0, oomKill: 0, failcnt: 10, duringWindow: 7 });
    assert.equal(a.breakdown.pageCache, 4 * MiB);
    assert.equal(a.breakdown.anon, 59 * MiB);
    assert.equal(a.breakdown.inactiveFile, 1 * MiB);
    assert.ok(a.warnings.some((w) => w.code === 'oom-events' && /failcnt 10 \(7 during this window\)/.test(w.message)));
    const ev = analyzeContainer([{ timeMs: T0, cgroup: v2(1, 2, {}, { oom: 1, oom_kill: 1 }) }], cfg);
    assert.deepEqual(ev.oomEvents, { oom: 1, oomKill: 1, failcnt: 0, duringWindow: 0 });
  });

  it('reports cgroup none without figures', () => {
    const a = analyzeContainer(
      [
        {
          timeMs: T0,
          cgroup: {
            cgroup: 'none',
            path: null,
            memoryCurrent: null,
            memoryMax: null,
            stat: {},
            reason: 'no memory controller',
          },
        },
      ],
      cfg,
    );
    assert.equal(a.cgroup, 'none');
    assert.equal(a.memoryCurrent, null);
    assert.equal(a.oomEtaSeconds, null);
    assert.deepEqual(a.warnings, []);
  });
});
