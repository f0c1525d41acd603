import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseGoroutineDebug1, parseGoroutineDebug2 } from '../../../src/core/pprof/goroutineText';
import { parseHeapDebug1 } from '../../../src/core/pprof/heapText';
import { ProfileFormatError } from '../../../src/core/pprof/profileErrors';
import { readAnyProfile } from '../../../src/core/pprof/readAnyProfile';

const triplets = path.resolve(__dirname, '../../../../shared/corpus/profiles/goroutine-triplets');
const debug1 = readFileSync(path.join(triplets, '2.net.http.pprof.goroutine.debug1.txt'), 'utf8');
const debug2 = readFileSync(path.join(triplets, '2.net.http.pprof.goroutine.debug2.txt'), 'utf8');
const heap = [
  'heap profile: 3: 3072 [9: 9216] @ heap/1048576',
  '2: 2048 [6: 6144] @ 0x4a1 0x4b2',
  '#\t0x4a0\tmain.alloc+0x10\t\t/src/main.go:10',
  '#\t0x4b1\tmain.main+0x21\t\t/src/main.go:20',
  '',
  '1: 1024 [3: 3072] @ 0x4c3',
  '#\t0x4c2\tmain.other+0x1\t/src/o.go:3',
  '',
  '# runtime.MemStats',
  '# Alloc = 100',
  '# Stack = 1 / 2',
  '# PauseNs = [1 2 3]',
].join('\n');

/** Accepts a result or a ProfileFormatError; anything else (TypeError, RangeError, ...) fails the property. */
function typedOrOk(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ProfileFormatError, `untyped error ${(e as Error).name}: ${(e as Error).message}`);
  }
}

/** Mutations of a real text: truncation, deleted/duplicated/swapped lines, and inserted junk bytes. */
const mutated = (text: string): fc.Arbitrary<string> => {
  const lines = text.split('\n');
  return fc
    .tuple(
      fc.nat({ max: text.length }),
      fc.array(fc.tuple(fc.nat({ max: lines.length - 1 }), fc.constantFrom('del', 'dup', 'junk', 'swap', 'trim')), {
        maxLength: 6,
      }),
      fc.string({ maxLength: 12 }),
    )
    .map(([cut, edits, junk]) => {
      const ls = [...lines];
      for (const [i, op] of edits) {
        if (i >= ls.length) continue;
        if (op === 'del') ls.splice(i, 1);
        else if (op === 'dup') ls.splice(i, 0, ls[i]!);
        else if (op === 'junk') ls[i] = ls[i]!.slice(0, ls[i]!.length >> 1) + junk;
        else if (op === 'swap' && i + 1 < ls.length) [ls[i], ls[i + 1]] = [ls[i + 1]!, ls[i]!];
        else if (op === 'trim') ls[i] = ls[i]!.trim();
      }
      return ls.join('\n').slice(0, cut + 200);
    });
};

describe('text profile parsers under fuzzing never crash untyped', () => {
  it('goroutine debug=1', () => {
    fc.assert(
      fc.property(mutated(debug1), (t) => typedOrOk(() => parseGoroutineDebug1(t))),
      { numRuns: 300 },
    );
  });

  it('goroutine debug=2', () => {
    fc.assert(
      fc.property(mutated(debug2), (t) => typedOrOk(() => parseGoroutineDebug2(t))),
      { numRuns: 300 },
    );
  });

  it('heap debug=1', () => {
    fc.assert(
      fc.property(mutated(heap), (t) => typedOrOk(() => parseHeapDebug1(t))),
      { numRuns: 300 },
    );
  });

  it('readAnyProfile on arbitrary bytes and strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)),
        ),
        (b) => typedOrOk(() => readAnyProfile(b)),
      ),
      { numRuns: 500 },
    );
  });

  // A hang here would trip mocha's timeout; speed itself is measured in benchmarks, not asserted.
  it('handles large adversarial lines', () => {
    const long = '\t' + ':1'.repeat(200_000);
    typedOrOk(() => parseGoroutineDebug2(`goroutine 1 [running]:\nmain.f()\n${long}\n`));
    typedOrOk(() =>
      parseGoroutineDebug1(
        `goroutine profile: total 1\n1 @${' 0x1'.repeat(100_000)}\n#\t0x1\t${'('.repeat(100_000)}\n`,
      ),
    );
    typedOrOk(() => parseHeapDebug1(`heap profile: 1: 1 [1: 1] @ heap/2\n${'1: 1 [1: 1] @ 0x1 '.repeat(50_000)}\n`));
  });
});
