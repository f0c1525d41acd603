import assert from 'node:assert/strict';
import { harnessSource, judgeSandbox, type SandboxMeasure } from '../../../src/core/hotpatch/sandboxCheck';

const m = (over: Partial<SandboxMeasure>): SandboxMeasure => ({
  type: '*[]uint8',
  nsPerCall: 300,
  allocsPerCall: 2,
  bytesPerCall: 4120,
  ...over,
});

describe('judgeSandbox', () => {
  it('passes a same-type, fast candidate that allocates no more than the original plus 1 KiB', () => {
    const checks = judgeSandbox({ original: m({}), candidate: m({ bytesPerCall: 4120 + 1024 }) });
    assert.deepEqual(
      checks.map((c) => [c.name, c.passed]),
      [
        ['sandbox-type', true],
        ['sandbox-speed', true],
        ['sandbox-allocs', true],
      ],
    );
  });

  it('fails each limit on its own', () => {
    const byName = (r: ReturnType<typeof judgeSandbox>, n: string): boolean | undefined =>
      r.find((c) => c.name === n)?.passed;
    assert.equal(byName(judgeSandbox({ original: m({}), candidate: m({ type: '[]uint8' }) }), 'sandbox-type'), false);
    assert.equal(
      byName(judgeSandbox({ original: m({}), candidate: m({ nsPerCall: 5_000_001 }) }), 'sandbox-speed'),
      false,
    );
    assert.equal(
      byName(judgeSandbox({ original: m({}), candidate: m({ nsPerCall: 5_000_000 }) }), 'sandbox-speed'),
      true,
    );
    assert.equal(
      byName(judgeSandbox({ original: m({}), candidate: m({ bytesPerCall: 4120 + 1025 }) }), 'sandbox-allocs'),
      false,
    );
    const custom = judgeSandbox(
      { original: m({}), candidate: m({ nsPerCall: 2000 }) },
      { maxNsPerCall: 1000, maxExtraBytesPerCall: 0 },
    );
    assert.equal(byName(custom, 'sandbox-speed'), false);
  });

  it('reports a panic instead of judging', () => {
    const r = judgeSandbox({ original: m({}), candidate: m({ panic: 'boom' }) });
    assert.deepEqual(
      r.map((c) => [c.name, c.passed]),
      [['sandbox-run', false]],
    );
    assert.match(r[0]!.detail, /candidate panicked: boom/);
  });

  it('generates a harness in the pool package that imports the candidate package only when it differs', () => {
    const same = harnessSource('pool', 'BufPool', 'FixedNew');
    assert.match(same, /^package pool\n/);
    assert.match(same, /orig := BufPool\.New/);
    assert.doesNotMatch(same, /lhcand/);
    const other = harnessSource('pool', 'BufPool', 'lhcand.FixedNew', 'example.com/app/fixes');
    assert.match(other, /lhcand "example\.com\/app\/fixes"/);
  });
});
