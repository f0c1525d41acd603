import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compact } from '../../../src/core/pprof/compact';
import { diff } from '../../../src/core/pprof/diff';
import { filterSamplesByName } from '../../../src/core/pprof/filter';
import { merge } from '../../../src/core/pprof/merge';
import { ProfileFormatError, ProfileMismatchError } from '../../../src/core/pprof/profileErrors';
import { prune, removeUninteresting } from '../../../src/core/pprof/prune';
import { roundHalfAwayFromZero, scale } from '../../../src/core/pprof/scale';
import { sampleRows, tinyProfile } from '../../fixtures/tinyProfile';

describe('pprof operations', () => {
  describe('scale', () => {
    it('rounds half away from zero like Go math.Round', () => {
      assert.deepEqual([2.5, -2.5, 0.5, -0.5, 1.49, -1.51].map(roundHalfAwayFromZero), [3, -3, 1, -1, 1, -2]);
      const p = tinyProfile([{ stack: ['a'], values: [5, 3] }]);
      assert.deepEqual(sampleRows(scale(p, 0.5)), ['a:1 = 3,2']);
      assert.deepEqual(sampleRows(scale(p, -0.5)), ['a:1 = -3,-2']);
    });

    it('drops samples whose scaled values are all zero, never shows -0', () => {
      const p = tinyProfile([
        { stack: ['a'], values: [1, 1] },
        { stack: ['b'], values: [0, 4] },
      ]);
      assert.deepEqual(sampleRows(scale(p, 0.1)), []);
      const neg = scale(p, -1);
      assert.deepEqual(sampleRows(neg), ['a:1 = -1,-1', 'b:1 = 0,-4']);
      assert.ok(!Object.is(neg.samples.values[2], -0), 'zero must not be negative zero');
    });

    it('keeps pprof ScaleN quirk: only columns with ratio != 1 decide whether a sample survives', () => {
      const p = tinyProfile([
        { stack: ['a'], values: [7, 0] },
        { stack: ['b'], values: [7, 2] },
      ]);
      assert.deepEqual(sampleRows(scale(p, [1, 2])), ['b:1 = 7,4']);
      assert.equal(scale(p, [1, 1]), p);
    });

    it('rejects a ratio count that does not match the sample types', () => {
      assert.throws(() => scale(tinyProfile([]), [1, 2, 3]), ProfileMismatchError);
    });
  });

  describe('merge', () => {
    it('sums samples with equal stacks and keeps different labels apart', () => {
      const a = tinyProfile([
        { stack: ['leaf', 'main'], values: [10, 1] },
        { stack: ['leaf', 'main'], values: [5, 1], labels: [{ key: 'k', str: 'v' }] },
      ]);
      const b = tinyProfile([
        { stack: ['other', 'main'], values: [1, 1] },
        { stack: ['leaf', 'main'], values: [2, 3] },
        { stack: ['leaf', 'main'], values: [4, 4], labels: [{ key: 'k', str: 'v' }] },
      ]);
      const m = merge([a, b]);
      assert.deepEqual(sampleRows(m), [
        'leaf:1;main:1 = 12,4',
        'leaf:1;main:1 = 9,5 [{"key":"k","str":"v"}]',
        'other:1;main:1 = 1,1',
      ]);
      // Functions and locations are deduplicated across the inputs and renumbered from 1.
      assert.deepEqual(
        m.functions.map((f) => `${f.id}:${f.name}`),
        ['1:leaf', '2:main', '3:other'],
      );
      assert.deepEqual(
        m.locations.map((l) => l.id),
        [1, 2, 3],
      );
      assert.equal(m.mappings.length, 1);
      assert.equal(m.durationNanos, 20n);
    });

    it('treats label order as irrelevant but label values as significant', () => {
      const l1 = [
        { key: 'a', str: '1' },
        { key: 'b', str: '2' },
      ];
      const l2 = [
        { key: 'b', str: '2' },
        { key: 'a', str: '1' },
      ];
      const m = merge([
        tinyProfile([{ stack: ['f'], values: [1, 1], labels: l1 }]),
        tinyProfile([{ stack: ['f'], values: [1, 1], labels: l2 }]),
      ]);
      assert.equal(m.samples.count, 1);
      const n = merge([
        tinyProfile([{ stack: ['f'], values: [1, 1], labels: [{ key: 'bytes', num: 8 }] }]),
        tinyProfile([{ stack: ['f'], values: [1, 1], labels: [{ key: 'bytes', num: 16 }] }]),
      ]);
      assert.equal(n.samples.count, 2);
    });

    it('drops samples that cancel out and garbage-collects their locations', () => {
      const a = tinyProfile([
        { stack: ['gone', 'main'], values: [5, 5] },
        { stack: ['kept', 'main'], values: [1, 1] },
      ]);
      const b = tinyProfile([{ stack: ['gone', 'main'], values: [-5, -5] }]);
      const m = merge([a, b]);
      assert.deepEqual(sampleRows(m), ['kept:1;main:1 = 1,1']);
      assert.deepEqual(
        m.functions.map((f) => f.name),
        ['kept', 'main'],
      );
    });

    it('rejects profiles with different sample types or period types', () => {
      const a = tinyProfile([]);
      const b = tinyProfile([], { types: [['inuse_space', 'bytes']] });
      assert.throws(() => merge([a, b]), ProfileMismatchError);
      assert.throws(() => merge([a, { ...a, periodType: { type: 'cpu', unit: 'nanoseconds' } }]), /period types/);
      assert.throws(() => merge([]), ProfileMismatchError);
    });

    it('merging a profile with itself doubles every value (property)', () => {
      const frame = fc.constantFrom('a', 'b', 'c', 'a:2', 'main');
      const sample = fc.record({
        stack: fc.array(frame, { minLength: 0, maxLength: 4 }),
        values: fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 })),
      });
      fc.assert(
        fc.property(fc.array(sample, { maxLength: 12 }), (rows) => {
          const p = tinyProfile(rows.map((r) => ({ stack: r.stack, values: [...r.values] })));
          const once = compact(p);
          const twice = merge([p, p]);
          const doubled = sampleRows(scale(once, 2));
          assert.deepEqual(sampleRows(twice), doubled);
          assert.deepEqual(sampleRows(diff(p, p)), []);
        }),
      );
    });
  });

  describe('diff', () => {
    it('computes current - base, keeping negative values', () => {
      const base = tinyProfile([
        { stack: ['a', 'main'], values: [10, 10] },
        { stack: ['b', 'main'], values: [3, 3] },
      ]);
      const cur = tinyProfile([
        { stack: ['a', 'main'], values: [15, 10] },
        { stack: ['c', 'main'], values: [1, 1] },
      ]);
      assert.deepEqual(sampleRows(diff(base, cur)), ['a:1;main:1 = 5,0', 'b:1;main:1 = -3,-3', 'c:1;main:1 = 1,1']);
    });

    it('restricts both profiles to their common sample types, like pprof -base', () => {
      const base = tinyProfile([{ stack: ['a'], values: [1, 2, 3] }], {
        types: [
          ['x', 'count'],
          ['y', 'bytes'],
          ['z', 'count'],
        ],
      });
      const cur = tinyProfile([{ stack: ['a'], values: [10, 20] }], {
        types: [
          ['z', 'count'],
          ['y', 'bytes'],
        ],
      });
      const d = diff(base, cur);
      assert.deepEqual(
        d.sampleTypes.map((s) => s.type),
        ['z', 'y'],
      );
      assert.deepEqual(sampleRows(d), ['a:1 = 7,18']);
      assert.throws(() => diff(base, tinyProfile([], { types: [['q', 'count']] })), ProfileMismatchError);
    });
  });

  describe('compact', () => {
    it('drops zero samples and unused functions and locations', () => {
      const p = tinyProfile([
        { stack: ['a'], values: [0, 0] },
        { stack: ['b'], values: [1, 0] },
        { stack: ['b'], values: [2, 0] },
      ]);
      const c = compact(p);
      assert.deepEqual(sampleRows(c), ['b:1 = 3,0']);
      assert.deepEqual(
        c.functions.map((f) => f.name),
        ['b'],
      );
      assert.equal(c.locations.length, 1);
    });
  });

  describe('filterSamplesByName (pprof -focus/-ignore/-hide/-show)', () => {
    const p = tinyProfile([
      { stack: ['alloc', 'cache.Put', 'main'], values: [1, 1] },
      { stack: ['alloc', 'pool.Get', 'main'], values: [2, 2] },
      { stack: ['other', 'main'], values: [4, 4] },
    ]);

    it('focus keeps samples with a matching frame, ignore drops them', () => {
      assert.deepEqual(sampleRows(filterSamplesByName(p, { focus: 'alloc' }).profile), [
        'alloc:1;cache.Put:1;main:1 = 1,1',
        'alloc:1;pool.Get:1;main:1 = 2,2',
      ]);
      assert.deepEqual(sampleRows(filterSamplesByName(p, { focus: 'alloc', ignore: '^pool' }).profile), [
        'alloc:1;cache.Put:1;main:1 = 1,1',
      ]);
      // File names match too (functions live in <name>.go in the fixture).
      assert.deepEqual(sampleRows(filterSamplesByName(p, { focus: 'other\\.go$' }).profile), ['other:1;main:1 = 4,4']);
      const r = filterSamplesByName(p, { focus: 'nothing' });
      assert.equal(r.matched.focus, false);
      assert.equal(r.profile.samples.count, 0);
    });

    it('hide removes frames, show keeps only matching frames', () => {
      assert.deepEqual(sampleRows(filterSamplesByName(p, { hide: '^main$' }).profile), [
        'alloc:1;cache.Put:1 = 1,1',
        'alloc:1;pool.Get:1 = 2,2',
        'other:1 = 4,4',
      ]);
      assert.deepEqual(sampleRows(filterSamplesByName(p, { show: 'cache|pool' }).profile), [
        'cache.Put:1 = 1,1',
        'pool.Get:1 = 2,2',
      ]);
    });

    it('supports Go (?i) flags and reports bad regexps as typed errors', () => {
      assert.equal(filterSamplesByName(p, { focus: '(?i)CACHE' }).profile.samples.count, 1);
      assert.throws(() => filterSamplesByName(p, { focus: '(' }), ProfileFormatError);
    });
  });

  describe('prune / removeUninteresting', () => {
    it('drops the first matching frame from the root and everything beneath it', () => {
      const p = tinyProfile(
        [
          { stack: ['malloc', 'runtime.mallocgc', 'user', 'main'], values: [1, 1] },
          { stack: ['runtime.mallocgc'], values: [2, 2] },
        ],
        { dropFrames: 'runtime\\..*|malloc' },
      );
      assert.deepEqual(sampleRows(removeUninteresting(p)), ['runtime.mallocgc:1 = 2,2', 'user:1;main:1 = 1,1']);
      assert.deepEqual(sampleRows(prune(p, /^(user)$/)), ['main:1 = 1,1', 'runtime.mallocgc:1 = 2,2']);
      assert.equal(removeUninteresting(tinyProfile([])).samples.count, 0);
    });
  });
});
