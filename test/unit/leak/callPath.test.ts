import assert from 'node:assert/strict';
import { callPathLabel } from '../../../src/core/leak/callPath';

const f = (fn: string, file: string, line: number) => ({ function: fn, file, line });
const site = f('example.com/ecu/cache.storeSession', '/src/ecu/cache/session_cache.go', 51);

describe('leak/callPath (naming a call path by its callers)', () => {
  it('names the callers above the site, nearest first, without runtime frames', () => {
    const frames = [
      f('runtime.mallocgc', '/go/src/runtime/malloc.go', 1000),
      site,
      f('example.com/ecu/cache.renewSession', '/src/ecu/cache/session_cache.go', 70),
      f('runtime.inlinedHelper', '/go/src/runtime/x.go', 3),
      f('example.com/ecu/cache.RunSessionCache', '/src/ecu/cache/session_cache.go', 40),
    ];
    assert.equal(
      callPathLabel(frames, site),
      'via cache.renewSession session_cache.go:70 ← cache.RunSessionCache session_cache.go:40',
    );
  });

  it('stops after max callers, and says when the site has none', () => {
    const frames = [site, f('a.b', '/x/a.go', 1), f('a.c', '/x/a.go', 2), f('a.d', '', 0)];
    assert.equal(callPathLabel(frames, site, 2), 'via a.b a.go:1 ← a.c a.go:2 ← …');
    assert.equal(callPathLabel(frames, site), 'via a.b a.go:1 ← a.c a.go:2 ← a.d ?');
    assert.equal(callPathLabel([site], site), '(no callers)');
  });
});
