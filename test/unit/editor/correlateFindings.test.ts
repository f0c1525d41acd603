import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  correlate,
  correlationMessage,
  functionRanges,
  owningFunction,
  raiseSeverity,
} from '../../../src/core/editor/correlateFindings';
import { plantedSites } from '../../fixtures/ecuDemo';

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

describe('editor/correlateFindings (static findings that explain runtime leak sites)', () => {
  it('finds top-level functions with their line ranges, methods and one-liners included', () => {
    assert.deepEqual(functionRanges(SRC), [
      { name: 'one', startLine: 7, endLine: 7 },
      { name: 'store', startLine: 10, endLine: 13 },
      { name: 'other', startLine: 15, endLine: 19 },
    ]);
    assert.equal(owningFunction(functionRanges(SRC), 11)?.name, 'store');
    assert.equal(owningFunction(functionRanges(SRC), 14), undefined);
  });

  it('links a finding on the site line first, then findings elsewhere in the owning function, and nothing else', () => {
    const ranges = functionRanges(SRC);
    const findings = [
      { rule: 'sync-map-misuse', line: 12, message: 'Store without Delete' },
      { rule: 'unsafe-pointer-escape', line: 11, message: 'escapes' },
      { rule: 'goroutine-leak', line: 16, message: 'never exits' },
    ];
    const c = correlate({ line: 11 }, findings, ranges);
    assert.deepEqual(
      c.map((x) => [x.finding.rule, x.match]),
      [
        ['unsafe-pointer-escape', 'line'],
        ['sync-map-misuse', 'function'],
      ],
    );
    assert.equal(
      correlationMessage(c),
      'static rule unsafe-pointer-escape, sync-map-misuse on this line explains the runtime growth',
    );
    assert.deepEqual(correlate({ line: 7 }, findings, ranges), []);
  });

  it("links a goroutine group to a finding on its go statement's function through extra lines", () => {
    const ranges = functionRanges(SRC);
    const findings = [{ rule: 'goroutine-leak', line: 16, message: 'never exits' }];
    assert.deepEqual(correlate({ line: 3 }, findings, ranges), []);
    const c = correlate({ line: 3 }, findings, ranges, [16]);
    assert.equal(c[0]?.match, 'line');
    assert.match(correlationMessage(correlate({ line: 17 }, findings, ranges)), /in this function explains/);
  });

  it('raises info to warning and warning to error', () => {
    assert.equal(raiseSeverity('info'), 'warning');
    assert.equal(raiseSeverity('warning'), 'error');
    assert.equal(raiseSeverity('error'), 'error');
  });

  it('on the demo service, the sync.Map store finding explains the leaking allocation two lines above it', () => {
    const sites = plantedSites();
    const alloc = sites.get('map-unsafe-alloc')!;
    const store = sites.get('map-unsafe-store')!;
    const text = readFileSync(alloc.file, 'utf8');
    const ranges = functionRanges(text);
    assert.equal(owningFunction(ranges, alloc.line)?.name, alloc.function.split('.').pop());
    const c = correlate(alloc, [{ rule: 'sync-map-misuse', line: store.line, message: 'x' }], ranges);
    assert.deepEqual(
      c.map((x) => x.match),
      ['function'],
    );
    // A finding in another function of the same file explains nothing here.
    const elsewhere = ranges.find((r) => r.name !== owningFunction(ranges, alloc.line)?.name);
    assert.ok(elsewhere, path.basename(alloc.file));
    assert.deepEqual(correlate(alloc, [{ rule: 'r', line: elsewhere.startLine, message: 'x' }], ranges), []);
  });
});
