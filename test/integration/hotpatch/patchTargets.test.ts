import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { binarySymbolNames, listGoProcesses, listPatchVariables } from '../../../src/core/hotpatch/patchTargets';
import { buildEcuDemo, buildGoProgram, ecuDemoDir, repoRoot, startEcuDemo } from '../../fixtures/ecuDemo';

describe('hot patch pickers: Go processes and patchable variables (real binaries)', function () {
  this.timeout(120_000);

  it('lists the running demo as a Go process, and not this node process', async () => {
    const demo = await startEcuDemo();
    try {
      const procs = await listGoProcesses();
      const me = procs.find((p) => p.pid === demo.pid);
      assert.ok(me, `demo ${demo.pid} listed`);
      assert.match(me.goVersion, /^go1\.\d+/);
      assert.equal(me.exe, demo.binary);
      assert.match(me.cmdline, /-addr 127\.0\.0\.1:0/);
      assert.ok(!procs.some((p) => p.pid === process.pid));
    } finally {
      await demo.stop();
    }
  });

  it('finds the demo pool and its candidate in the sources, at their declaration lines, kept by the linker', async () => {
    const symbols = await binarySymbolNames(await buildEcuDemo());
    const vars = await listPatchVariables(ecuDemoDir, symbols);
    const pool = vars.find((v) => v.name === 'example.com/ecu-demo/pool.BufPool');
    assert.equal(pool?.kind, 'pool');
    const src = readFileSync(path.join(ecuDemoDir, 'pool', 'buffers.go'), 'utf8').split('\n');
    assert.match(src[pool.line - 1] ?? '', /^var BufPool = sync\.Pool/);
    assert.equal(pool.file, path.join(ecuDemoDir, 'pool', 'buffers.go'));
    const cand = vars.find((v) => v.name === 'example.com/ecu-demo/pool.FixedNew');
    assert.equal(cand?.kind, 'candidate');
    assert.equal(vars[0]?.kind, 'pool', 'pools first');
  });

  it('drops variables the linker removed, and lists every candidate the test target keeps', async () => {
    const dir = path.join(repoRoot, 'testdata', 'hotpatch-target');
    const symbols = await binarySymbolNames(await buildGoProgram({ dir }));
    const vars = await listPatchVariables(dir, symbols);
    const names = vars.filter((v) => v.kind === 'candidate').map((v) => v.name.replace(/^.*\./, ''));
    for (const n of ['FixedNew', 'CapturingNew', 'WrongTypeNew', 'SlowNew', 'HeavyNew', 'GoNew'])
      assert.ok(names.includes(n), n);
    assert.ok(vars.some((v) => v.kind === 'pool' && v.name === 'example.com/hotpatch-target/bufs.Pool'));
    // Without the binary filter an unreferenced name would be listed; with a filter that lacks it, it is not.
    const partial = new Set([...symbols].filter((s) => !s.endsWith('bufs.SlowNew')));
    assert.ok(!(await listPatchVariables(dir, partial)).some((v) => v.name.endsWith('bufs.SlowNew')));
    assert.ok((await listPatchVariables(dir)).some((v) => v.name.endsWith('bufs.SlowNew')));
  });
});
