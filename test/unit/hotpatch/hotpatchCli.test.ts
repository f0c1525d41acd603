import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { exitCodeOf, resultJson } from '../../../src/cli/commands/hotpatch';
import type { HotpatchResult } from '../../../src/core/hotpatch/patchPool';
import { runCliCaptured } from '../../fixtures/runCliCaptured';

describe('leakhunt hotpatch / rollback usage', () => {
  it('rejects bad targets, pids, formats and missing options with usage errors (exit 1)', async () => {
    const cases: [string[], RegExp][] = [
      [['hotpatch', '--pid', '1', '--pool', 'p.P', '--with', 'p.F'], /expected one TARGET/],
      [['hotpatch', 'remote', '--pid', '1', '--pool', 'p.P', '--with', 'p.F'], /TARGET must be local or ssh/],
      [
        ['hotpatch', 'http://127.0.0.1:1', '--pid', '1', '--pool', 'p.P', '--with', 'p.F'],
        /TARGET must be local or ssh/,
      ],
      [['hotpatch', 'ssh://bad host', '--pid', '1', '--pool', 'p.P', '--with', 'p.F'], /TARGET must be/],
      [
        ['hotpatch', 'local', '--identity', '/k', '--pid', '1', '--pool', 'p.P', '--with', 'p.F'],
        /--identity\/--known-hosts\/--ssh-config\/--accept-new-host-key need an ssh:\/\/ TARGET/,
      ],
      [
        [
          'hotpatch',
          'ssh://ecu',
          '--identity',
          '/no/such/key',
          '--pid',
          '1',
          '--pool',
          'p.P',
          '--with',
          'p.F',
          '--yes',
        ],
        /--identity: no such file \/no\/such\/key/,
      ],
      [['hotpatch', 'local', '--pid', '12; rm -rf /', '--pool', 'p.P', '--with', 'p.F'], /--pid must be a process id/],
      [['hotpatch', 'local', '--pid', '1', '--with', 'p.F'], /--pool PKG\.VAR is required/],
      [['hotpatch', 'local', '--pid', '1', '--pool', 'p.P'], /--with PKG\.NAME is required/],
      [
        ['hotpatch', 'local', '--pid', '1', '--pool', 'p.P', '--with', 'p.F', '--format', 'xml'],
        /--format must be text or json/,
      ],
      [['hotpatch', 'local', '--pid', '1', '--bogus'], /Unknown option '--bogus'/],
      [['rollback', 'local'], /--pid must be a process id/],
    ];
    for (const [argv, re] of cases) {
      const r = await runCliCaptured(argv);
      assert.equal(r.code, 1, argv.join(' '));
      assert.match(r.stderr, re, argv.join(' '));
      assert.equal(r.stderr.split('\n').filter(Boolean).length, 2, 'one error line plus the usage line');
    }
  });

  it('maps results to exit codes 0 / 2 / 1 and the documented JSON shape', () => {
    const base: HotpatchResult = { applied: false, refused: false, dryRun: false, checks: [] };
    assert.equal(exitCodeOf({ ...base, applied: true }), 0);
    assert.equal(exitCodeOf({ ...base, dryRun: true }), 0);
    assert.equal(exitCodeOf({ ...base, dryRun: true, refused: true, error: 'x' }), 2);
    assert.equal(exitCodeOf({ ...base, refused: true, error: 'refused by no-captures' }), 2);
    assert.equal(exitCodeOf({ ...base, error: 'declined by the user', errorCode: 'declined' }), 2);
    assert.equal(exitCodeOf({ ...base, error: 'boom', errorCode: 'rpc-timeout' }), 1);
    const j = resultJson({
      ...base,
      applied: true,
      frozenMs: 12.5,
      checks: [{ name: 'a', passed: true, detail: 'd' }],
    });
    assert.deepEqual(Object.keys(j).sort(), [
      'after',
      'applied',
      'attachFrozenMs',
      'before',
      'checks',
      'dryRun',
      'frozenMs',
      'refused',
    ]);
    assert.ok(!('error' in j));
    assert.equal((resultJson({ ...base, error: 'e', errorCode: 'x' }) as { error: string }).error, 'e');
  });

  it('refuses a non-Go process by the binary checks, before attaching, and audits the refusal', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'lh-cli-'));
    const r = await runCliCaptured([
      'hotpatch',
      'local',
      '--pid',
      String(process.pid),
      '--pool',
      'p.P',
      '--with',
      'p.F',
      '--yes',
      '--format',
      'json',
      '--dlv',
      '/nonexistent/dlv',
      '--out',
      out,
    ]);
    // This node process has no Go symbols: the binary checks refuse it, and Delve is never started.
    const j = JSON.parse(r.stdout) as { applied: boolean; checks: { name: string; passed: boolean }[] };
    assert.equal(r.code, 2, r.stdout);
    assert.equal(j.applied, false);
    assert.ok(j.checks.some((c) => c.name === 'go-binary' && !c.passed));
    const audit = readFileSync(path.join(out, 'audit.jsonl'), 'utf8').trim().split('\n');
    assert.equal(audit.length, 1);
    assert.equal((JSON.parse(audit[0]!) as { result: string }).result, 'refused');
    rmSync(out, { recursive: true, force: true });
  });
});
