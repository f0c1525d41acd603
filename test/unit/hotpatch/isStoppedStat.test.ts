import assert from 'node:assert/strict';
import { isStoppedStat } from '../../../src/core/hotpatch/delveProcess';

describe('isStoppedStat', () => {
  it('reads the state after the last parenthesis, even when the command name has one', () => {
    assert.equal(isStoppedStat('123 (ecu-demo) T 1 123 123 0'), true);
    assert.equal(isStoppedStat('123 (ecu-demo) t 1 123 123 0'), true);
    assert.equal(isStoppedStat('123 (ecu-demo) S 1 123 123 0'), false);
    assert.equal(isStoppedStat('123 (a) T (b) R 1 123 123 0'), false);
    assert.equal(isStoppedStat('123 (a) S (b) T 1 123 123 0'), true);
  });
});
