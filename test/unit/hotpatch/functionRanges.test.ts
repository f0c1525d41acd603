import assert from 'node:assert/strict';
import { functionRanges } from '../../../src/core/hotpatch/functionRanges';

const SRC = `package cache

import "sync"

var m sync.Map

func one() int { return 1 }

// store keeps everything.
func (s *Store) store(k int) {
	x := make([]byte, 10)
	m.Store(k, &x)
}

func other() {
	go func() {
		select {}
	}()
}
`;

describe('hotpatch/functionRanges (gofmt layout heuristic for the hot-patch lens)', () => {
  it('finds top-level functions with their line ranges, methods and one-liners included', () => {
    assert.deepEqual(functionRanges(SRC), [
      { name: 'one', startLine: 7, endLine: 7 },
      { name: 'store', startLine: 10, endLine: 13 },
      { name: 'other', startLine: 15, endLine: 19 },
    ]);
  });
});
