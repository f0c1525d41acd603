import assert from 'node:assert/strict';
import { startEcuDemo, plantedSites, type EcuDemo } from '../fixtures/ecuDemo';

/** Counts `goroutine N [...]` blocks in a debug=2 dump whose stack passes through file:line. */
function goroutinesAt(dump: string, fileLine: string): number {
  return dump.split(/\n\n+/).filter((block) => block.startsWith('goroutine ') && block.includes(fileLine)).length;
}

describe('demo ECU service (real Go process)', function () {
  this.timeout(180_000);
  let demo: EcuDemo;
  const sites = plantedSites();

  before(async () => {
    // MemProfileRate 1 records every allocation, so the planted heap sites are certain to appear.
    demo = await startEcuDemo({
      flags: ['-mem-profile-rate', '1', '-can-leak-per-sec', '10', '-pool-gets-per-sec', '100'],
    });
  });
  after(async () => {
    await demo?.stop();
  });

  it('finds every planted marker in the sources', () => {
    for (const id of ['can-reader-block', 'map-unsafe-alloc', 'pool-leaky-new', 'pool-fixed-new', 'churn-alloc']) {
      const s = sites.get(id);
      assert.ok(s, `marker ${id}`);
      assert.ok(s.line > 0);
    }
    assert.equal(sites.get('can-reader-block')?.function, 'example.com/ecu-demo/can.readFrames');
    assert.equal(sites.get('bounded-alloc')?.function, 'example.com/ecu-demo/cache.(*Bounded).Put');
  });

  it('grows goroutines at the CAN reader and retained pool buffers over a few seconds', async () => {
    const block = sites.get('can-reader-block');
    assert.ok(block);
    const at = `${block.relFile}:${block.line}`;
    const s1 = await demo.state();
    const g1 = goroutinesAt((await demo.get('/debug/pprof/goroutine?debug=2')).toString(), at);
    await new Promise((r) => setTimeout(r, 3000));
    const s2 = await demo.state();
    const dump2 = (await demo.get('/debug/pprof/goroutine?debug=2')).toString();
    const g2 = goroutinesAt(dump2, at);

    assert.equal(s2.pid, demo.pid);
    assert.ok(g2 >= g1 + 10, `blocked CAN readers grew from ${g1} to ${g2}`);
    assert.ok(s2.goroutines > s1.goroutines, `goroutines ${s1.goroutines} -> ${s2.goroutines}`);
    assert.ok(s2.can_readers_blocked >= s1.can_readers_blocked + 10);
    assert.ok(s2.pool_buffers_retained > s1.pool_buffers_retained + 20, 'pool retention grows');
    assert.equal(s2.pool_buffers_retained, s2.pool_leaky_new_calls);
    assert.equal(s2.pool_new, 'example.com/ecu-demo/pool.leakyNew');
    assert.ok(s2.pool_fixed_new_available);
    assert.ok(s2.map_entries > s1.map_entries);
    assert.ok(s2.churn_bytes > s1.churn_bytes + (8 << 20), 'churn allocates megabytes per second');
    assert.ok(s2.bounded_cache_size > 0 && s2.bounded_cache_size <= 2000);
    // pprof labels reach the goroutine profile.
    const debug1 = (await demo.get('/debug/pprof/goroutine?debug=1')).toString();
    assert.match(debug1, /# labels: \{"can_id":"0x10\d", "component":"can-reader"\}/);
  });

  it('serves a heap profile naming the planted allocation sites', async () => {
    const heap = await demo.get('/debug/pprof/heap');
    assert.equal(heap[0], 0x1f, 'gzipped profile.proto');
    assert.equal(heap[1], 0x8b);
    const text = (await demo.get('/debug/pprof/heap?debug=1')).toString();
    for (const id of ['pool-leaky-new', 'map-unsafe-alloc']) {
      const s = sites.get(id);
      assert.ok(s);
      assert.ok(text.includes(`${s.relFile}:${s.line}`), `heap profile names ${id} at ${s.relFile}:${s.line}`);
    }
  });

  it('lets the bounded cache plateau at its cap', async () => {
    const small = await startEcuDemo({ flags: ['-bounded-cap', '50', '-bounded-puts-per-sec', '200'] });
    try {
      await new Promise((r) => setTimeout(r, 1500));
      const a = await small.state();
      await new Promise((r) => setTimeout(r, 500));
      const b = await small.state();
      assert.equal(a.bounded_cache_size, 50);
      assert.equal(b.bounded_cache_size, 50);
    } finally {
      await small.stop();
    }
  });

  it('reports the CAN readers in /debug/pprof/goroutineleak when built with GOEXPERIMENT=goroutineleakprofile', async () => {
    const leaky = await startEcuDemo({
      env: { GOEXPERIMENT: 'goroutineleakprofile' },
      flags: ['-can-leak-per-sec', '20'],
    });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const block = sites.get('can-reader-block');
      assert.ok(block);
      const text = (await leaky.get('/debug/pprof/goroutineleak?debug=1')).toString();
      assert.match(text, /^goroutineleak profile: total [1-9]/);
      assert.ok(text.includes(`can.readFrames`) && text.includes(`${block.relFile}:${block.line}`), text.slice(0, 400));
    } finally {
      await leaky.stop();
    }
  });
});
