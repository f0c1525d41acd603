import * as assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { decodeProfile } from '../../../src/core/pprof/decodeProfile';
import { ProfileFormatError } from '../../../src/core/pprof/profileErrors';
import type { Profile } from '../../../src/core/pprof/profileModel';
import { decodeRaw, encodeRaw, projectProfile, projectRaw, smallRaw } from '../../fixtures/rawProfile';

/** A hang detector, not a speed test: no input this small may take anywhere near this long. */
const MAX_MS_PER_CASE = 2000;

/** Decodes and checks the only two allowed outcomes: a profile, or a ProfileFormatError. */
function outcome(bytes: Uint8Array): Profile | ProfileFormatError {
  const t0 = performance.now();
  let r: Profile | ProfileFormatError;
  try {
    r = decodeProfile(bytes);
  } catch (e) {
    if (!(e instanceof ProfileFormatError)) throw new Error(`unexpected ${String(e)}`, { cause: e });
    assert.ok(e.message.length > 0);
    r = e;
  }
  const ms = performance.now() - t0;
  assert.ok(ms < MAX_MS_PER_CASE, `took ${ms} ms`);
  return r;
}

const valid = encodeRaw(smallRaw());

describe('decodeProfile fuzzing: every input gives a Profile or a ProfileFormatError, promptly', () => {
  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => {
        outcome(b);
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes behind a gzip header, and gzipped random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), (b) => {
        outcome(Buffer.concat([Buffer.from([0x1f, 0x8b]), b]));
        outcome(gzipSync(b));
      }),
      { numRuns: 300 },
    );
  });

  it('bit flips in a valid profile', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: valid.length * 8 - 1 }), { minLength: 1, maxLength: 8 }), (bits) => {
        const b = Uint8Array.from(valid);
        for (const bit of bits) b[bit >> 3]! ^= 1 << (bit & 7);
        outcome(b);
        outcome(gzipSync(b));
      }),
      { numRuns: 1000 },
    );
  });

  it('truncations and splices of a valid profile', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: valid.length }),
        fc.nat({ max: valid.length }),
        fc.uint8Array({ maxLength: 32 }),
        (cut, at, junk) => {
          outcome(valid.subarray(0, cut));
          outcome(Buffer.concat([valid.subarray(0, at), junk, valid.subarray(at)]));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('random well-formed messages decode exactly as protobufjs reads them, or are rejected', () => {
    // Mostly plausible numbers, sometimes hostile ones (beyond 2^53, out of range, the int64 minimum).
    const id = fc.oneof(
      { weight: 19, arbitrary: fc.integer({ min: 0, max: 6 }) },
      { weight: 1, arbitrary: fc.constant('18446744073709551615') },
    );
    const idx = fc.oneof(
      { weight: 19, arbitrary: fc.integer({ min: -2, max: 8 }) },
      { weight: 1, arbitrary: fc.constant('9007199254740993') },
    );
    const int64 = fc.oneof(
      { weight: 19, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('-9007199254740991', '9007199254740991', '9007199254740992', '-9223372036854775808'),
      },
    );
    const raw = fc.record({
      string_table: fc.oneof(fc.constant(['', 'a', 'b', 'c', 'd', 'e']), fc.array(fc.string(), { maxLength: 6 })),
      sample_type: fc.array(fc.record({ type: idx, unit: idx }), { maxLength: 3 }),
      sample: fc.array(
        fc.record({
          location_id: fc.array(id, { maxLength: 5 }),
          value: fc.array(int64, { maxLength: 3 }),
          label: fc.array(fc.record({ key: idx, str: idx, num: int64, num_unit: idx }), { maxLength: 2 }),
        }),
        { maxLength: 5 },
      ),
      mapping: fc.array(fc.record({ id, filename: idx, memory_start: id, memory_limit: id }), { maxLength: 2 }),
      location: fc.array(
        fc.record({
          id,
          mapping_id: id,
          address: id,
          line: fc.array(fc.record({ function_id: id, line: int64, column: int64 }), { maxLength: 3 }),
        }),
        { maxLength: 5 },
      ),
      function: fc.array(fc.record({ id, name: idx, system_name: idx, filename: idx, start_line: int64 }), {
        maxLength: 4,
      }),
      drop_frames: idx,
      period_type: fc.option(fc.record({ type: idx, unit: idx }), { nil: undefined }),
      period: int64,
      comment: fc.array(idx, { maxLength: 2 }),
      default_sample_type: idx,
      time_nanos: int64,
    });
    let decoded = 0;
    fc.assert(
      fc.property(raw, fc.boolean(), (r, repair) => {
        if (repair) makeConsistent(r);
        const bytes = encodeRaw(r);
        const got = outcome(bytes);
        if (got instanceof ProfileFormatError) return;
        decoded++;
        assert.deepEqual(projectProfile(got), projectRaw(decodeRaw(bytes)));
      }),
      { numRuns: 1000 },
    );
    assert.ok(decoded >= 100, `only ${decoded} generated messages were valid profiles; too few to check decoding`);
  });
});

/** Bends a random message towards validity (ids, indexes, value counts) so that half the cases reach the resolver's success path. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function makeConsistent(r: any): void {
  r.string_table = ['', ...r.string_table.filter((x: string) => x !== ''), 'x'];
  const n = r.string_table.length;
  const ix = (x: unknown) => Math.abs(Number(x) % n) || 0;
  const fixVt = (v: { type: unknown; unit: unknown }) => ({ type: ix(v.type), unit: ix(v.unit) });
  r.sample_type = r.sample_type.map(fixVt);
  if (r.period_type) r.period_type = fixVt(r.period_type);
  r.drop_frames = ix(r.drop_frames);
  r.default_sample_type = ix(r.default_sample_type);
  r.comment = r.comment.map(ix);
  r.mapping.forEach((m: { id: number; filename: unknown }, i: number) => {
    m.id = i + 1;
    m.filename = ix(m.filename);
  });
  r.function.forEach((f: Record<string, unknown>, i: number) => {
    f.id = i + 1;
    for (const k of ['name', 'system_name', 'filename']) f[k] = ix(f[k]);
  });
  const nf = r.function.length;
  r.location.forEach((l: Record<string, unknown> & { line: { function_id: unknown }[] }, i: number) => {
    l.id = i + 1;
    l.mapping_id = r.mapping.length > 0 ? i % (r.mapping.length + 1) : 0;
    if (nf === 0) l.line = [];
    l.line.forEach((ln, k) => (ln.function_id = ((i + k) % nf) + 1));
  });
  const nl = r.location.length;
  for (const smp of r.sample) {
    smp.location_id = nl === 0 ? [] : smp.location_id.map((_: unknown, k: number) => (k % nl) + 1);
    smp.value = r.sample_type.map((_: unknown, k: number) => smp.value[k] ?? k);
    for (const l of smp.label) {
      l.key = ix(l.key);
      l.str = ix(l.str);
      l.num_unit = ix(l.num_unit);
    }
  }
}
