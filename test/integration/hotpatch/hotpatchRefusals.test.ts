import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dlvPath, runsFreely } from '../../fixtures/delve';
import { buildGoProgram, repoRoot, startGoService, type EcuDemo } from '../../fixtures/ecuDemo';
import { runCliCaptured } from '../../fixtures/runCliCaptured';

const targetDir = path.join(repoRoot, 'testdata', 'hotpatch-target');

interface CliJson {
  applied: boolean;
  refused: boolean;
  checks: { name: string; passed: boolean; detail: string }[];
  attachFrozenMs: number | null;
  error?: string;
}

/** Each bad candidate in testdata/hotpatch-target/bufs and the check that must refuse it. */
const cases: { candidate: string; check: string; detail: RegExp }[] = [
  { candidate: 'bufs.CapturingNew', check: 'no-captures', detail: /captures shared/ },
  {
    candidate: 'bufs.WrongTypeNew',
    check: 'sandbox-type',
    detail: /candidate returns \[\]uint8, current New returns \*\[\]uint8/,
  },
  { candidate: 'bufs.WrongTypeNew', check: 'static-type', detail: /candidate returns \[\]byte/ },
  { candidate: 'bufs.ReflectNew', check: 'no-reflect-unsafe-go', detail: /uses reflect/ },
  { candidate: 'bufs.UnsafeNew', check: 'no-reflect-unsafe-go', detail: /uses unsafe/ },
  { candidate: 'bufs.GoNew', check: 'no-reflect-unsafe-go', detail: /starts a goroutine/ },
  { candidate: 'bufs.CountingNew', check: 'no-package-writes', detail: /assigns made/ },
  { candidate: 'bufs.SlowNew', check: 'sandbox-speed', detail: /ms\/call .*limit 5\.00 ms/ },
  { candidate: 'bufs.HeavyNew', check: 'sandbox-allocs', detail: /limit \+1024 B/ },
  { candidate: 'bufs.NoSuchNew', check: 'candidate-symbol', detail: /not in the binary's symbol table/ },
];

describe('leakhunt hotpatch refuses bad candidates before any halt (real Go process, real go test sandbox)', function () {
  this.timeout(300_000);
  let target: EcuDemo;
  let out: string;

  before(async () => {
    target = await startGoService(await buildGoProgram({ dir: targetDir }), ['-addr', '127.0.0.1:0']);
    out = mkdtempSync(path.join(tmpdir(), 'lh-refuse-'));
  });
  after(async () => {
    await target?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(`refuses ${c.candidate} by ${c.check}`, async () => {
      const r = await runCliCaptured([
        'hotpatch',
        'local',
        '--pid',
        String(target.pid),
        '--pool',
        'bufs.Pool',
        '--with',
        c.candidate,
        '--source',
        targetDir,
        '--yes',
        '--format',
        'json',
        '--out',
        out,
        '--dlv',
        dlvPath(),
      ]);
      const json = JSON.parse(r.stdout) as CliJson;
      assert.equal(r.code, 2, r.stdout);
      assert.equal(json.applied, false);
      assert.equal(json.refused, true);
      const check = json.checks.find((k) => k.name === c.check);
      assert.ok(check, `check ${c.check} ran: ${JSON.stringify(json.checks)}`);
      assert.equal(check.passed, false);
      assert.match(check.detail, c.detail);
      assert.match(json.error ?? '', new RegExp(`refused by .*${c.check}`));
      assert.equal(json.attachFrozenMs, null, 'Delve never attached');
      assert.equal(runsFreely(target.pid), undefined);
      const st = JSON.parse((await target.get('/state')).toString()) as { pool_new: string };
      assert.equal(st.pool_new, 'example.com/hotpatch-target/bufs.leakyNew');
    });
  }

  it('accepts the good candidate of the same target (so the refusals above are about the candidates)', async () => {
    const r = await runCliCaptured([
      'hotpatch',
      'local',
      '--pid',
      String(target.pid),
      '--pool',
      'bufs.Pool',
      '--with',
      'bufs.FixedNew',
      '--source',
      targetDir,
      '--dry-run',
      '--format',
      'json',
      '--out',
      out,
      '--dlv',
      dlvPath(),
    ]);
    const json = JSON.parse(r.stdout) as CliJson;
    assert.equal(r.code, 0, r.stdout);
    assert.ok(json.checks.every((k) => k.passed));
    const audit = readFileSync(path.join(out, 'audit.jsonl'), 'utf8').trim().split('\n');
    assert.equal(audit.length, cases.length + 1);
    assert.equal((JSON.parse(audit[audit.length - 1]!) as { result: string }).result, 'dry-run');
    assert.equal(runsFreely(target.pid), undefined);
  });
});
