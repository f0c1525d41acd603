/**
 * Bench section: how long a hot patch keeps the target stopped. Repeated patch + rollback cycles of the demo ECU
 * service's pool through the real dlv, reporting frozenMs (halt → write → verify → detach) and the stop while Delve
 * attaches and checks, against a reference measured in the same run: a bare halt → continue round trip of the same
 * Delve session (the floor of anything done halted).
 */
import { mkdtempSync } from 'node:fs';
import * as path from 'node:path';
import { LocalDelveHost, startDelve } from '../../src/core/hotpatch/delveProcess';
import { hotpatchPool, releaseTarget, rollbackPool } from '../../src/core/hotpatch/patchPool';
import { dlvPath } from '../../test/fixtures/delve';
import { ecuDemoDir, startEcuDemo } from '../../test/fixtures/ecuDemo';
import type { BenchContext, BenchSection } from '../benchSection';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const max = (xs: number[]): number => Math.max(...xs);
const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;

async function run(ctx: BenchContext): Promise<string> {
  const dlv = dlvPath();
  const demo = await startEcuDemo({ flags: ['-pool-gets-per-sec', '200'] });
  const auditDir = mkdtempSync(path.join(ctx.tmpDir, 'audit-'));
  const cycles = 8;
  const patchFrozen: number[] = [];
  const rollbackFrozen: number[] = [];
  const attachFrozen: number[] = [];
  const bare: number[] = [];
  try {
    // Reference: halt → continue on one attached session, repeated.
    const session = await startDelve(new LocalDelveHost(), { pid: demo.pid, dlvPath: dlv });
    try {
      await session.client.continueRunning();
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        await session.client.halt();
        await session.client.continueRunning();
        bare.push(performance.now() - t0);
      }
    } finally {
      await releaseTarget(session);
    }
    for (let i = 0; i < cycles; i++) {
      const p = await hotpatchPool({
        pid: demo.pid,
        pool: 'pool.BufPool',
        with: 'pool.FixedNew',
        source: ecuDemoDir,
        dlvPath: dlv,
        auditDir,
      });
      if (!p.applied || p.frozenMs === undefined) throw new Error(`patch ${i} failed: ${p.error ?? ''}`);
      patchFrozen.push(p.frozenMs);
      attachFrozen.push(p.attachFrozenMs ?? NaN);
      const r = await rollbackPool({ pid: demo.pid, auditDir, dlvPath: dlv });
      if (!r.applied || r.frozenMs === undefined) throw new Error(`rollback ${i} failed: ${r.error ?? ''}`);
      rollbackFrozen.push(r.frozenMs);
      attachFrozen.push(r.attachFrozenMs ?? NaN);
      ctx.log(`cycle ${i + 1}: patch frozen ${fmt(p.frozenMs)}, rollback frozen ${fmt(r.frozenMs)}`);
    }
  } finally {
    await demo.stop();
  }
  const ref = median(bare);
  const m = median(patchFrozen);
  return [
    `${cycles} patch + rollback cycles of \`pool.BufPool.New\` in the demo ECU service (local, real dlv), every check`,
    'run each time. "Frozen" is halt → record → write → read back → detach; the attach stop (Delve attaching and',
    'reading DWARF, plus the type checks) happens before, once per patch, and is reported separately.',
    '',
    '| measure | median | max | ratio to bare halt→continue |',
    '|---|---|---|---|',
    `| bare halt → continue (reference, same run) | ${fmt(ref)} | ${fmt(max(bare))} | 1.0× |`,
    `| patch frozenMs | ${fmt(m)} | ${fmt(max(patchFrozen))} | ${(m / ref).toFixed(1)}× |`,
    `| rollback frozenMs | ${fmt(median(rollbackFrozen))} | ${fmt(max(rollbackFrozen))} | ${(median(rollbackFrozen) / ref).toFixed(1)}× |`,
    `| attach stop (dlv attach + checks) | ${fmt(median(attachFrozen))} | ${fmt(max(attachFrozen))} | ${(median(attachFrozen) / ref).toFixed(1)}× |`,
    '',
    `Target: median patch frozenMs under 300 ms locally — ${m < 300 ? 'met' : 'NOT met'} (${fmt(m)}).`,
  ].join('\n');
}

const section: BenchSection = { title: 'Hot patch: time the target is frozen', run };
export default section;
