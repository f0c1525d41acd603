/**
 * Bench section: the hot patch through SSH. Repeated patch + rollback cycles of the demo ECU service's pool with dlv
 * started over a real loopback OpenSSH server (pty exec) and JSON-RPC through a forwardOut tunnel, against a
 * reference measured in the same run: the same cycles done locally. Shows what the tunnel adds to the time the target
 * is stopped (frozenMs) and to the whole operation.
 */
import { mkdtempSync } from 'node:fs';
import * as path from 'node:path';
import { hotpatchPool, localAccess, rollbackPool, type TargetAccess } from '../../src/core/hotpatch/patchPool';
import { remoteAccess, sshShell } from '../../src/core/hotpatch/remoteAccess';
import { dlvPath } from '../../test/fixtures/delve';
import { ecuDemoDir, startEcuDemo } from '../../test/fixtures/ecuDemo';
import { startSshd } from '../../test/fixtures/sshd';
import type { BenchContext, BenchSection } from '../benchSection';
import { loginTo } from '../../test/fixtures/sshLogin';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const max = (xs: number[]): number => Math.max(...xs);
const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;

interface Series {
  frozen: number[];
  attach: number[];
  wall: number[];
}

async function cycles(ctx: BenchContext, name: string, access: TargetAccess, pid: number, n: number): Promise<Series> {
  const dlv = dlvPath();
  const auditDir = mkdtempSync(path.join(ctx.tmpDir, `audit-${name}-`));
  const s: Series = { frozen: [], attach: [], wall: [] };
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const p = await hotpatchPool({
      pid,
      pool: 'pool.BufPool',
      with: 'pool.FixedNew',
      source: ecuDemoDir,
      dlvPath: dlv,
      access,
      auditDir,
    });
    s.wall.push(performance.now() - t0);
    if (!p.applied || p.frozenMs === undefined) throw new Error(`${name} patch ${i} failed: ${p.error ?? ''}`);
    s.frozen.push(p.frozenMs);
    s.attach.push(p.attachFrozenMs ?? NaN);
    const r = await rollbackPool({ pid, auditDir, dlvPath: dlv, access });
    if (!r.applied) throw new Error(`${name} rollback ${i} failed: ${r.error ?? ''}`);
    ctx.log(`${name} cycle ${i + 1}: patch frozen ${fmt(p.frozenMs)}, whole patch ${fmt(s.wall.at(-1)!)}`);
  }
  return s;
}

async function run(ctx: BenchContext): Promise<string> {
  const n = 6;
  const sshd = await startSshd();
  const demo = await startEcuDemo({ flags: ['-pool-gets-per-sec', '200'] });
  let local: Series;
  let ssh: Series;
  try {
    const opened = await loginTo(sshd);
    try {
      local = await cycles(ctx, 'local', localAccess(), demo.pid, n);
      ssh = await cycles(ctx, 'ssh', remoteAccess(sshShell(opened.connection, opened.label)), demo.pid, n);
    } finally {
      opened.session.close();
    }
  } finally {
    await demo.stop();
    await sshd.stop();
  }
  const row = (what: string, l: number[], r: number[]): string =>
    `| ${what} | ${fmt(median(l))} | ${fmt(median(r))} | ${fmt(max(r))} | ${(median(r) / median(l)).toFixed(2)}× |`;
  return [
    `${n} patch + rollback cycles of \`pool.BufPool.New\` in the demo ECU service, first locally (reference, same run),`,
    'then through a real loopback OpenSSH server: dlv started with a pty by SSH exec as the login user, JSON-RPC through',
    'a forwardOut tunnel, /proc and the binary read with `cat`. Loopback hides network latency: on a vehicle link each',
    'RPC of the halted window adds one round trip.',
    '',
    '| measure | local median | SSH median | SSH max | SSH / local |',
    '|---|---|---|---|---|',
    row('patch frozenMs (halt → write → verify → detach)', local.frozen, ssh.frozen),
    row('attach stop (dlv attach + checks)', local.attach, ssh.attach),
    row('whole patch (every check, sandbox build included)', local.wall, ssh.wall),
    '',
    `Target: median patch frozenMs under 300 ms — over SSH ${median(ssh.frozen) < 300 ? 'met' : 'NOT met'} (${fmt(median(ssh.frozen))}).`,
  ].join('\n');
}

/** The hot patch through SSH vs locally. */
const section: BenchSection = { title: 'Hot patch through SSH: frozenMs vs local', run };
export default section;
