import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEcuDemo, type EcuDemo } from '../../fixtures/ecuDemo';
import { createMemoryCgroup, type MemoryCgroupFixture } from '../../fixtures/memoryCgroup';
import { reportOf, watchPid } from '../../fixtures/watchCli';

/**
 * The road to OOM on a real memory-limited cgroup (v1, as this machine has; v2 parsing is tested on recorded
 * files by the remote layer): the demo service leaks 4 MiB/s into its session map inside a 160 MiB group,
 * `leakhunt watch --pid` reads the group's figures with every snapshot, and the report must show the limit,
 * the growth, an OOM ETA that agrees with them, and the Go heap in the breakdown.
 */
describe('container memory and the road to OOM in a real memory-limited cgroup', function () {
  this.timeout(120_000);
  const LIMIT = 160 * 1024 * 1024;
  let demo: EcuDemo;
  let cg: MemoryCgroupFixture;
  let dir: string;

  before(async () => {
    cg = await createMemoryCgroup(LIMIT);
    demo = await startEcuDemo({ flags: ['-map-leak-bytes-per-sec', String(4 << 20)] });
    await cg.add(demo.pid);
    dir = mkdtempSync(path.join(os.tmpdir(), 'leakhunt-oom-'));
  });
  after(async () => {
    await demo?.stop();
    await cg?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports the limit, the growth, an OOM ETA consistent with them, and where the memory goes', async () => {
    const w = await watchPid(demo.url, demo.pid, dir, 8, ['--format', 'json']);
    assert.equal(w.code, 0, w.stderr);
    const c = (await reportOf(dir)).container;
    assert.equal(c.cgroup, 'v1');
    assert.equal(c.memoryMax, LIMIT);
    assert.ok(c.memoryCurrent !== null && c.memoryCurrent > 0 && c.memoryCurrent < LIMIT, String(c.memoryCurrent));
    assert.ok(c.ratio !== null && Math.abs(c.ratio - c.memoryCurrent / LIMIT) < 1e-12);
    // The leak is 4 MiB/s of live heap: the group grows by at least a few MiB per minute.
    assert.ok(c.growthBytesPerMin !== null && c.growthBytesPerMin > 4 * 1024 * 1024, String(c.growthBytesPerMin));
    assert.ok(c.oomEtaSeconds !== null, JSON.stringify(c));
    const expected = ((LIMIT - c.memoryCurrent) / c.growthBytesPerMin) * 60;
    assert.ok(Math.abs(c.oomEtaSeconds - expected) < 1e-6 * expected + 1e-9);
    assert.ok(c.oomEtaSeconds > 0 && c.oomEtaSeconds < 3600, String(c.oomEtaSeconds));
    assert.ok(c.warnings.some((x) => x.code === 'oom-eta'));
    assert.ok(
      c.breakdown.goHeapInuse !== null && c.breakdown.goHeapInuse > 8 * 1024 * 1024,
      JSON.stringify(c.breakdown),
    );
    assert.ok(c.breakdown.goRuntimeNonHeap !== null && c.breakdown.goRuntimeNonHeap > 0);
    assert.ok(c.breakdown.anon !== null && c.breakdown.anon > 0);
    assert.equal(c.oomEvents.oomKill, 0);
  });
});
