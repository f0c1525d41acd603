import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hotpatchPool } from '../../../src/core/hotpatch/patchPool';
import { dlvPath, procStatus, runsFreely, waitFor } from '../../fixtures/delve';
import { ecuDemoDir, startEcuDemo, type EcuDemo } from '../../fixtures/ecuDemo';
import { runCliCaptured } from '../../fixtures/runCliCaptured';

interface CliJson {
  applied: boolean;
  dryRun: boolean;
  refused: boolean;
  checks: { name: string; passed: boolean; detail: string }[];
  before: { function: string; funcval: string; entry: string } | null;
  after: { function: string; funcval: string; entry: string } | null;
  frozenMs: number | null;
  attachFrozenMs: number | null;
  error?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('leakhunt hotpatch on the demo ECU service (real dlv, real Go process)', function () {
  this.timeout(240_000);
  let demo: EcuDemo;
  let out: string;
  const dlv = dlvPath();
  const base = ['local', '--pool', 'pool.BufPool', '--source', ecuDemoDir, '--format', 'json', '--dlv', dlv];

  beforeEach(async () => {
    demo = await startEcuDemo({ flags: ['-pool-gets-per-sec', '200', '-can-leak-per-sec', '1'] });
    out = mkdtempSync(path.join(tmpdir(), 'lh-hotpatch-'));
    await waitFor(async () => (await demo.state()).pool_buffers_retained > 0, 10_000, 'first pool misses');
  });
  afterEach(async () => {
    await demo?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  async function run(args: string[]): Promise<{ code: number; json: CliJson; stderr: string }> {
    const r = await runCliCaptured(['hotpatch', ...base, '--pid', String(demo.pid), '--out', out, ...args]);
    return { code: r.code, json: JSON.parse(r.stdout) as CliJson, stderr: r.stderr };
  }

  it('patches BufPool.New from pool.FixedNew: retention stops, the target runs untraced, rollback restores it', async () => {
    const { code, json } = await run(['--with', 'pool.FixedNew', '--yes']);
    assert.equal(code, 0, JSON.stringify(json));
    assert.equal(json.applied, true);
    assert.ok(json.checks.length >= 12);
    for (const c of json.checks) assert.ok(c.passed, `${c.name}: ${c.detail}`);
    for (const name of ['debug-info', 'pool-type', 'candidate-type', 'no-captures', 'sandbox-type', 'sandbox-allocs'])
      assert.ok(
        json.checks.some((c) => c.name === name),
        `check ${name} ran`,
      );
    assert.equal(json.before?.function, 'example.com/ecu-demo/pool.leakyNew');
    assert.equal(json.after?.function, 'example.com/ecu-demo/pool.fixedNew');
    assert.notEqual(json.before?.funcval, json.after?.funcval);
    assert.ok(typeof json.frozenMs === 'number' && json.frozenMs > 0);
    assert.equal(runsFreely(demo.pid), undefined);

    // /state: the process itself now reports the fixed New, and retention stops while gets go on.
    const s1 = await demo.state();
    assert.equal(s1.pool_new, 'example.com/ecu-demo/pool.fixedNew');
    await sleep(1500);
    const s2 = await demo.state();
    assert.ok(s2.pool_gets > s1.pool_gets + 100, 'the pool is still used');
    assert.equal(s2.pool_buffers_retained, s1.pool_buffers_retained, 'no buffer retained after the patch');
    assert.ok(s2.pool_fixed_new_calls > s1.pool_fixed_new_calls, 'misses now go to the fixed New');

    const audit = readFileSync(path.join(out, 'audit.jsonl'), 'utf8').trim().split('\n');
    assert.equal(audit.length, 1);
    const entry = JSON.parse(audit[0]!) as { result: string; target: { pid: number }; before: unknown; after: unknown };
    assert.equal(entry.result, 'applied');
    assert.equal(entry.target.pid, demo.pid);
    assert.deepEqual(entry.before, json.before);

    const rb = await runCliCaptured([
      'rollback',
      'local',
      '--pid',
      String(demo.pid),
      '--out',
      out,
      '--yes',
      '--format',
      'json',
      '--dlv',
      dlv,
    ]);
    const rj = JSON.parse(rb.stdout) as CliJson;
    assert.equal(rb.code, 0, rb.stdout + rb.stderr);
    assert.equal(rj.after?.function, 'example.com/ecu-demo/pool.leakyNew');
    assert.equal(rj.after?.funcval, json.before?.funcval);
    assert.equal(runsFreely(demo.pid), undefined);
    const s3 = await demo.state();
    assert.equal(s3.pool_new, 'example.com/ecu-demo/pool.leakyNew');
    await sleep(1000);
    assert.ok((await demo.state()).pool_buffers_retained > s3.pool_buffers_retained, 'leaking again after rollback');
    assert.equal(readFileSync(path.join(out, 'audit.jsonl'), 'utf8').trim().split('\n').length, 2);
  });

  it('patches from a top-level function by a verified raw write of its funcval', async () => {
    const { code, json } = await run(['--with', 'pool.fixedNew', '--yes']);
    assert.equal(code, 0, JSON.stringify(json));
    const fv = json.checks.find((c) => c.name === 'candidate-funcval');
    assert.ok(fv?.passed, fv?.detail);
    assert.match(fv.detail, /holds example\.com\/ecu-demo\/pool\.fixedNew's entry/);
    assert.equal(json.after?.function, 'example.com/ecu-demo/pool.fixedNew');
    assert.equal((await demo.state()).pool_new, 'example.com/ecu-demo/pool.fixedNew');
    assert.equal(runsFreely(demo.pid), undefined);
  });

  it('a dry run runs every check, writes nothing and leaves the target running', async () => {
    const { code, json } = await run(['--with', 'pool.FixedNew', '--dry-run']);
    assert.equal(code, 0, JSON.stringify(json));
    assert.equal(json.applied, false);
    assert.equal(json.dryRun, true);
    assert.ok(json.checks.every((c) => c.passed));
    assert.equal(json.after, null);
    assert.ok(json.attachFrozenMs !== null, 'Delve attached for the target checks');
    assert.equal(runsFreely(demo.pid), undefined);
    assert.equal((await demo.state()).pool_new, 'example.com/ecu-demo/pool.leakyNew');
  });

  it('refuses without --yes when stdin is not a TTY, before touching the process', async () => {
    const { code, json } = await run(['--with', 'pool.FixedNew']);
    assert.equal(code, 2);
    assert.equal(json.applied, false);
    assert.match(json.error ?? '', /not a TTY/);
    assert.equal(json.attachFrozenMs, null);
    assert.equal((await demo.state()).pool_new, 'example.com/ecu-demo/pool.leakyNew');
  });

  it('asks for confirmation with every passed check while the target runs, and a no changes nothing', async () => {
    let seen: { summary: string; checks: number; state: string; gets: number } | undefined;
    const r = await hotpatchPool({
      pid: demo.pid,
      pool: 'pool.BufPool',
      with: 'pool.FixedNew',
      source: ecuDemoDir,
      dlvPath: dlv,
      auditDir: out,
      confirm: async (summary, checks) => {
        const before = (await demo.state()).pool_gets;
        await sleep(300);
        seen = {
          summary,
          checks: checks.filter((c) => c.passed).length,
          state: procStatus(demo.pid).state,
          gets: (await demo.state()).pool_gets - before,
        };
        return false;
      },
    });
    assert.ok(seen);
    assert.match(seen.summary, new RegExp(`process ${demo.pid} .*leakyNew to example.com/ecu-demo/pool.FixedNew`));
    assert.equal(seen.checks, r.checks.length);
    assert.notEqual(seen.state, 't', 'the target is not stopped while the user decides');
    assert.ok(seen.gets > 0, 'the target makes progress while the user decides');
    assert.equal(r.applied, false);
    assert.equal(r.errorCode, 'declined');
    assert.equal(runsFreely(demo.pid), undefined);
    assert.equal((await demo.state()).pool_new, 'example.com/ecu-demo/pool.leakyNew');
    const audit = readFileSync(path.join(out, 'audit.jsonl'), 'utf8').trim().split('\n');
    assert.equal((JSON.parse(audit[0]!) as { result: string }).result, 'declined');
  });
});
