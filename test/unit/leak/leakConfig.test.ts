import assert from 'node:assert/strict';
import { DEFAULT_LEAK_CONFIG, LeakConfigError, resolveLeakConfig } from '../../../src/core/leak/leakConfig';

describe('leak/leakConfig', () => {
  it('has the documented defaults from the issue', () => {
    const c = resolveLeakConfig();
    assert.equal(c.site.mode, 'innermost-user');
    assert.equal(c.container.watermarkRatio, 0.9);
    assert.equal(c.container.earlyWarningRssBytesPerSec, 80e6);
    assert.equal(c.container.earlyWarningInactiveFileBytesPerSec, 5e6);
    assert.deepEqual(c.sli, { allocBytesPerSec: 50e6, liveObjects: 2e6, heapInuseRatio: 0.6 });
  });

  it('merges a partial input per section and leaves the defaults untouched', () => {
    const c = resolveLeakConfig({ heap: { leakMinR2: 0.9 }, site: { mode: 'leaf' }, maxSuspects: 3 });
    assert.equal(c.heap.leakMinR2, 0.9);
    assert.equal(c.heap.noiseSamples, DEFAULT_LEAK_CONFIG.heap.noiseSamples);
    assert.equal(c.site.mode, 'leaf');
    assert.equal(c.maxSuspects, 3);
    c.goroutines.blockingStates.push('IO wait');
    assert.ok(!DEFAULT_LEAK_CONFIG.goroutines.blockingStates.includes('IO wait'));
    assert.equal(DEFAULT_LEAK_CONFIG.heap.leakMinR2, 0.7);
  });

  it('rejects nonsense with a typed error naming the field', () => {
    const bad: [Parameters<typeof resolveLeakConfig>[0], RegExp][] = [
      [{ container: { watermarkRatio: 1.5 } }, /container\.watermarkRatio/],
      [{ heap: { noiseSamples: -1 } }, /heap\.noiseSamples/],
      [{ heap: { minPoints: 1 } }, /minPoints/],
      [{ sli: { allocBytesPerSec: Number.NaN } }, /sli\.allocBytesPerSec/],
      [{ site: { mode: 'bogus' as never } }, /site\.mode/],
      [{ maxSuspects: 0 }, /maxSuspects/],
      [{ site: { userModules: [''] } }, /userModules/],
    ];
    for (const [input, re] of bad) {
      assert.throws(
        () => resolveLeakConfig(input),
        (e: unknown) => e instanceof LeakConfigError && re.test(e.message),
      );
    }
  });
});

describe('leak/leakConfig defaults', () => {
  it('are deeply frozen so no caller can change them for everyone', () => {
    assert.throws(() => {
      (DEFAULT_LEAK_CONFIG.heap as { leakMinR2: number }).leakMinR2 = 0;
    }, TypeError);
    assert.throws(() => (DEFAULT_LEAK_CONFIG.goroutines.blockingStates as string[]).push('x'), TypeError);
  });
});
