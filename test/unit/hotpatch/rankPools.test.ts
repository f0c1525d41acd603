import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { scanWorkspace } from '../../../src/core/analysis/workspaceScanner';
import { listPatchVariables } from '../../../src/core/hotpatch/patchTargets';
import { poolNewName, rankPoolsByFindings, runtimeFlagsPool } from '../../../src/core/hotpatch/rankPools';
import type { Finding } from '../../../src/core/analysis/finding';
import type { PatchVariable } from '../../../src/core/hotpatch/patchTargets';

const root = path.resolve(__dirname, '../../..');

const finding = (file: string, message: string, rule = 'pool-misuse'): Finding => ({
  rule,
  file,
  line: 3,
  column: 1,
  endLine: 3,
  endColumn: 2,
  severity: 'warning',
  message,
});
const pool = (name: string, file: string): PatchVariable => ({ name, kind: 'pool', file, line: 1 });

describe('ranking sync.Pool variables by static pool-misuse findings (hot patch picker)', () => {
  it('puts the flagged pool first, matched by its New function within the package', () => {
    const a = pool('m/a.Clean', '/w/a/a.go');
    const b = pool('m/a.Leaky', '/w/a/b.go');
    const c = pool('m/c.Other', '/w/c/c.go');
    const news: Record<string, string> = { 'm/a.Clean': 'cleanNew', 'm/a.Leaky': 'leakyNew', 'm/c.Other': 'otherNew' };
    const r = rankPoolsByFindings(
      [a, b, c],
      [
        finding('a/x.go', "sync.Pool New (leakyNew) writes package-level 'retained'"),
        finding('c/c.go', 'unrelated', 'goroutine-leak'),
      ],
      '/w',
      (p) => news[p.name],
    );
    assert.deepEqual(
      r.map((x) => [x.pool.name, x.findings.length]),
      [
        ['m/a.Leaky', 1],
        ['m/a.Clean', 0],
        ['m/c.Other', 0],
      ],
    );
  });

  it('reads the New identifier from the declaration', () => {
    assert.equal(poolNewName(pool('p.P', '/x.go'), 'var P = sync.Pool{New: leakyNew}\n'), 'leakyNew');
    assert.equal(
      poolNewName(pool('p.P', '/x.go'), 'var P = sync.Pool{\n\tNew: func() any { return 1 },\n}\n'),
      undefined,
    );
  });

  it('flags the demo service pool from a real pool-misuse scan of testdata/ecu-demo', async () => {
    const demo = path.join(root, 'testdata', 'ecu-demo');
    const pools = (await listPatchVariables(demo)).filter((v) => v.kind === 'pool');
    const scan = await scanWorkspace([demo], { rules: ['pool-misuse'], threads: 0 });
    const r = rankPoolsByFindings(pools, scan.findings, process.cwd());
    assert.equal(r[0]?.pool.name, 'example.com/ecu-demo/pool.BufPool');
    assert.ok((r[0]?.findings.length ?? 0) > 0);
    assert.match(r[0]?.findings[0]?.message ?? '', /leakyNew/);
  });

  it('runtime detection flags a pool when a leaking site lies in the function its New names (demo sources)', () => {
    const file = path.join(root, 'testdata', 'ecu-demo', 'pool', 'buffers.go');
    const src = readFileSync(file, 'utf8');
    const lines = src.split('\n');
    const inLeaky = lines.findIndex((l) => l.includes('leakhunt:planted pool-leaky-new')) + 1;
    const inFixed = lines.findIndex((l) => /^func fixedNew\(/.test(l)) + 2;
    assert.ok(inLeaky > 0 && inFixed > 1);
    const newName = poolNewName(
      { name: 'p.BufPool', kind: 'pool', file, line: lines.findIndex((l) => l.startsWith('var BufPool')) + 1 },
      src,
    );
    assert.equal(newName, 'leakyNew');
    assert.equal(runtimeFlagsPool(newName, src, [inLeaky]), true);
    assert.equal(runtimeFlagsPool(newName, src, [inFixed]), false);
    assert.equal(runtimeFlagsPool(newName, src, []), false);
    assert.equal(runtimeFlagsPool(undefined, src, [inLeaky]), false);
  });
});
