import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createGzip, gunzipSync, gzipSync } from 'node:zlib';
import * as protobuf from 'protobufjs';
import { decodeProfile } from '../../../src/core/pprof/decodeProfile';
import { ProfileFormatError, ProfilePrecisionError } from '../../../src/core/pprof/profileErrors';
import { sampleStack } from '../../../src/core/pprof/profileModel';
import { corpusName, protoCorpusFiles } from '../../fixtures/profileCorpus';
import {
  decodeRaw,
  encodeRaw,
  encodeRawGz,
  projectProfile,
  projectRaw,
  smallRaw,
  type RawProfile,
} from '../../fixtures/rawProfile';

/** Asserts `fn` throws a ProfileFormatError whose message matches `re`. */
function assertFormatError(fn: () => unknown, re: RegExp): ProfileFormatError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ProfileFormatError, `expected ProfileFormatError, got ${String(caught)}`);
  assert.match(caught.message, re);
  return caught;
}

function withRaw(edit: (r: RawProfile) => void): Uint8Array {
  const r = smallRaw();
  edit(r);
  return encodeRaw(r);
}

describe('decodeProfile', () => {
  describe('real profiles from the corpus agree with an independent protobufjs decode', () => {
    for (const file of protoCorpusFiles()) {
      it(corpusName(file), () => {
        const bytes = readFileSync(file);
        const p = decodeProfile(bytes);
        assert.ok(p.sampleTypes.length > 0);
        assert.deepEqual(projectProfile(p), projectRaw(decodeRaw(gunzipSync(bytes))));
      });
    }
  });

  describe('the model', () => {
    it('decodes plain and gzipped input alike, keeping every top-level field', () => {
      const plain = decodeProfile(encodeRaw(smallRaw()));
      const gz = decodeProfile(encodeRawGz(smallRaw()));
      assert.deepEqual(projectProfile(plain), projectProfile(gz));
      assert.deepEqual(projectProfile(plain), projectRaw(decodeRaw(encodeRaw(smallRaw()))));
      assert.deepEqual(plain.sampleTypes, [
        { type: 'alloc_objects', unit: 'count' },
        { type: 'alloc_space', unit: 'bytes' },
      ]);
      assert.deepEqual(plain.periodType, { type: 'space', unit: 'bytes' });
      assert.equal(plain.period, 524288);
      assert.equal(plain.timeNanos, 1700000000000000000n);
      assert.equal(plain.durationNanos, 5000000000n);
      assert.deepEqual(plain.comments, ['a comment']);
      assert.equal(plain.defaultSampleType, 'alloc_space');
      assert.equal(plain.mappings[0]!.file, '/bin/app');
      assert.equal(plain.mappings[0]!.buildId, 'build-1');
      assert.equal(plain.mappings[0]!.memoryLimit, 65536n);
      assert.equal(plain.mappings[0]!.hasFunctions, true);
      assert.equal(plain.mappings[0]!.hasInlineFrames, false);
    });

    it('keeps inlined frames innermost first and resolves functions and mappings to shared objects', () => {
      const p = decodeProfile(encodeRaw(smallRaw()));
      const loc2 = p.locations.find((l) => l.id === 2)!;
      assert.deepEqual(
        loc2.lines.map((l) => [l.function.name, l.line, l.column]),
        [
          ['main.inlined', 31, 2],
          ['main.caller', 22, 0],
        ],
      );
      assert.equal(loc2.mapping, p.mappings[0]);
      assert.equal(
        loc2.lines[1]!.function,
        p.functions.find((f) => f.id === 2),
      );
      assert.equal(p.locations.find((l) => l.id === 3)!.mapping, undefined);
    });

    it('stores stacks leaf first, accepts empty stacks, and keeps labels only where present', () => {
      const p = decodeProfile(encodeRaw(smallRaw()));
      const ids = (i: number) => Array.from(sampleStack(p.samples, i), (x) => p.locations[x]!.id);
      assert.deepEqual(ids(0), [1, 2]);
      assert.deepEqual(ids(2), []);
      assert.equal(p.samples.labels[0], undefined);
      assert.deepEqual(p.samples.labels[1], [
        { key: 'bytes-label', num: 512, numUnit: 'bytes' },
        { key: 'region', str: 'eu' },
      ]);
      assert.deepEqual(Array.from(p.samples.values), [1, 512, 2, 1024, 3, 96, -5, -2048]);
    });

    it('decodes negative int64 (ten-byte two’s complement varints) exactly', () => {
      const p = decodeProfile(
        withRaw((r) => {
          r.sample[0].value = ['-5', '-9007199254740991'];
          r.period = '-1';
        }),
      );
      assert.equal(p.samples.values[0], -5);
      assert.equal(p.samples.values[1], -9007199254740991);
      assert.equal(p.period, -1);
    });

    it('accepts unpacked repeated fields as well as packed ones', () => {
      const w = protobuf.Writer.create();
      w.uint32(0x0a).fork().uint32(0x08).int64(1).uint32(0x10).int64(2).ldelim(); // sample_type
      w.uint32(0x12).fork().uint32(0x08).uint64(7).uint32(0x10).int64(-3).ldelim(); // sample, unpacked
      w.uint32(0x22).fork().uint32(0x08).uint64(7).ldelim(); // location 7, no lines
      for (const s of ['', 'samples', 'count']) w.uint32(0x32).string(s);
      const p = decodeProfile(w.finish());
      assert.equal(p.samples.count, 1);
      assert.equal(p.samples.values[0], -3);
      assert.equal(p.locations[sampleStack(p.samples, 0)[0]!]!.id, 7);
    });

    it('decodes samples whose location ids cannot be pre-counted (unknown fields inside), growing the stack column', () => {
      const w = protobuf.Writer.create();
      w.uint32(0x0a).fork().uint32(0x08).int64(1).uint32(0x10).int64(2).ldelim();
      const ids = Array.from({ length: 300 }, (_, k) => (k % 3) + 1);
      for (let n = 0; n < 4; n++) {
        w.uint32(0x12)
          .fork()
          .uint32((9 << 3) | 0)
          .uint64(5); // unknown field first: pass 1 stops counting
        w.uint32(0x0a).fork();
        for (const id of ids) w.uint64(id);
        w.ldelim();
        w.uint32(0x12).fork().int64(n).ldelim();
        w.ldelim();
      }
      for (let id = 1; id <= 3; id++) w.uint32(0x22).fork().uint32(0x08).uint64(id).ldelim();
      for (const s of ['', 'samples', 'count']) w.uint32(0x32).string(s);
      const p = decodeProfile(w.finish());
      assert.equal(p.samples.count, 4);
      assert.equal(p.samples.locIndex.length, 1200);
      assert.deepEqual(
        Array.from(sampleStack(p.samples, 3), (x) => p.locations[x]!.id),
        ids,
      );
      assert.deepEqual(Array.from(p.samples.values), [0, 1, 2, 3]);
    });

    it('decodes multi-member gzip (the trailer size then covers only the last member)', () => {
      const plain = Buffer.from(encodeRaw(smallRaw()));
      const cut = 40;
      const multi = Buffer.concat([gzipSync(plain.subarray(0, cut)), gzipSync(plain.subarray(cut))]);
      assert.deepEqual(projectProfile(decodeProfile(multi)), projectProfile(decodeProfile(plain)));
    });

    it('skips unknown fields of every wire type', () => {
      const base = encodeRaw(smallRaw());
      const w = protobuf.Writer.create();
      w.uint32((99 << 3) | 0).uint64(123456789);
      w.uint32((98 << 3) | 1).fixed64(1);
      w.uint32((97 << 3) | 2).bytes(new Uint8Array([1, 2, 3]));
      w.uint32((96 << 3) | 5).fixed32(7);
      const extra = w.finish();
      const p = decodeProfile(Buffer.concat([extra, base, extra]));
      assert.deepEqual(projectProfile(p), projectProfile(decodeProfile(base)));
    });
  });

  describe('bad input gets a ProfileFormatError that says what is wrong', () => {
    it('empty input', () => {
      assertFormatError(() => decodeProfile(new Uint8Array(0)), /empty input/);
    });

    it('an HTML error page, plain or gzipped', () => {
      const html = '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body>oops</body></html>';
      assertFormatError(() => decodeProfile(Buffer.from(html)), /got an HTML page, not a profile/);
      assertFormatError(() => decodeProfile(gzipSync(html)), /got an HTML page, not a profile/);
      assertFormatError(() => decodeProfile(Buffer.from('\n  <html><body>404</body></html>')), /HTML page/);
    });

    it('a text profile where protobuf was expected', () => {
      const text = 'goroutine profile: total 3\n2 @ 0x43a1c5 0x4064ec\n#\t0x43a1c4\tmain.f+0x24\t/x/main.go:7\n';
      assertFormatError(() => decodeProfile(Buffer.from(text)), /input is text, not a protobuf profile/);
    });

    it('random bytes', () => {
      let seed = 12345;
      for (let n = 0; n < 200; n++) {
        const b = new Uint8Array(50 + n * 7);
        for (let i = 0; i < b.length; i++) {
          seed = (seed * 1103515245 + 12345) >>> 0;
          b[i] = seed >>> 24;
        }
        assertFormatError(() => decodeProfile(b), /./);
      }
    });

    it('a broken gzip stream', () => {
      const gz = Buffer.from(encodeRawGz(smallRaw()));
      gz[gz.length - 6]! ^= 0xff; // corrupt the CRC
      assertFormatError(() => decodeProfile(gz), /not a valid gzip stream/);
    });

    it('every truncation of a gzipped real profile', () => {
      const file = protoCorpusFiles().find((f) => f.endsWith('datadog-memory-profiler.pprof'))!;
      const gz = readFileSync(file);
      for (let n = 1; n < gz.length; n++) assertFormatError(() => decodeProfile(gz.subarray(0, n)), /./);
    });

    it('every truncation of a plain profile fails unless it ends on a top-level field boundary', () => {
      const plain = gunzipSync(
        readFileSync(protoCorpusFiles().find((f) => f.endsWith('datadog-memory-profiler.pprof'))!),
      );
      // Top-level boundaries, found with protobufjs's Reader as an independent parser.
      const boundaries = new Set<number>();
      const r = protobuf.Reader.create(plain);
      while (r.pos < r.len) {
        r.skipType(r.uint32() & 7);
        boundaries.add(r.pos);
      }
      let decodedPrefixes = 0;
      for (let n = 1; n < plain.length; n++) {
        const prefix = plain.subarray(0, n);
        if (!boundaries.has(n)) {
          assertFormatError(() => decodeProfile(prefix), /./);
          continue;
        }
        try {
          decodeProfile(prefix);
          decodedPrefixes++;
        } catch (e) {
          assert.ok(e instanceof ProfileFormatError, String(e));
        }
      }
      // Only the prefixes that end after the string table (the trailing scalar fields cut off) are whole profiles.
      assert.ok(decodedPrefixes < 10, `${decodedPrefixes} prefixes decoded`);
    });

    it('a length prefix beyond the buffer', () => {
      const b = Buffer.from([0x12, 0x64, 0x0a, 0x01, 0x01]);
      assertFormatError(() => decodeProfile(b), /length 100 runs past the end/);
      const nested = withRaw(() => {});
      // Rewrite the first sample's inner location_id length to exceed the sample's own length.
      const w = protobuf.Writer.create();
      w.uint32(0x12).fork().uint32(0x0a).uint32(50).uint32(1).ldelim();
      assertFormatError(() => decodeProfile(Buffer.concat([w.finish(), nested])), /length 50 runs past the end/);
    });

    it('a varint cut at the end of its packed field, even when the next field’s bytes would complete it', () => {
      const tail = [0x22, 0x02, 0x08, 0x01, 0x32, 0x00, 0x32, 0x01, 0x61, 0x32, 0x01, 0x62]; // location 1, strings
      const vt = [0x0a, 0x04, 0x08, 0x01, 0x10, 0x02];
      // location_id packed field of one byte 0x81 (a continuation byte), then a values field.
      const ids = Buffer.from([...vt, 0x12, 0x06, 0x0a, 0x01, 0x81, 0x12, 0x01, 0x05, ...tail]);
      assertFormatError(() => decodeProfile(ids), /truncated varint/);
      // values packed field ending in 0xff, followed by more bytes of the sample.
      const vals = Buffer.from([...vt, 0x12, 0x07, 0x12, 0x01, 0xff, 0x0a, 0x01, 0x01, 0x00, ...tail]);
      assertFormatError(() => decodeProfile(vals), /truncated varint/);
    });

    it('a truncated varint', () => {
      assertFormatError(() => decodeProfile(Buffer.from([0x38, 0xff, 0xff])), /truncated varint/);
    });

    it('a varint longer than ten bytes', () => {
      const b = Buffer.from([0x38, ...new Array<number>(11).fill(0xff), 0x01]);
      assertFormatError(() => decodeProfile(b), /varint longer than 10 bytes/);
    });

    it('a wrong wire type for a known field', () => {
      assertFormatError(() => decodeProfile(Buffer.from([0x08, 0x01])), /wire type 0/);
      assertFormatError(() => decodeProfile(Buffer.from([0x3a, 0x00])), /Profile.drop_frames has wire type 2/);
    });

    it('an invalid wire type', () => {
      assertFormatError(() => decodeProfile(Buffer.from([0x7b, 0x00])), /invalid wire type 3/);
    });

    it('a string table whose first entry is not empty, or no string table', () => {
      assertFormatError(() => decodeProfile(withRaw((r) => (r.string_table[0] = 'x'))), /string_table\[0\] must be ''/);
      assertFormatError(() => decodeProfile(withRaw((r) => (r.string_table = []))), /string table is empty/);
    });

    it('out-of-range string indexes, naming the field', () => {
      assertFormatError(
        () => decodeProfile(withRaw((r) => (r.function[1].name = 999))),
        /function 2 name: string index 999 is out of range \(string table has 16 entries\)/,
      );
      assertFormatError(() => decodeProfile(withRaw((r) => (r.function[0].filename = -1))), /function 1 filename/);
      assertFormatError(() => decodeProfile(withRaw((r) => (r.sample_type[1].unit = 16))), /sample_type\[1\]\.unit/);
      assertFormatError(() => decodeProfile(withRaw((r) => (r.mapping[0].build_id = 40))), /mapping 1 build_id/);
      assertFormatError(() => decodeProfile(withRaw((r) => (r.sample[1].label[1].str = 40))), /label str/);
      assertFormatError(() => decodeProfile(withRaw((r) => (r.comment = [70]))), /comment\[0\]/);
      assertFormatError(() => decodeProfile(withRaw((r) => (r.drop_frames = 17))), /drop_frames/);
      assertFormatError(() => decodeProfile(withRaw((r) => (r.default_sample_type = 16))), /default_sample_type/);
      assertFormatError(() => decodeProfile(withRaw((r) => (r.period_type.type = 99))), /period_type\.type/);
    });

    it('dangling location, function and mapping ids', () => {
      assertFormatError(
        () => decodeProfile(withRaw((r) => r.sample[3].location_id.push(42))),
        /sample 3 references missing location id 42/,
      );
      assertFormatError(
        () => decodeProfile(withRaw((r) => (r.location[1].line[1].function_id = 9))),
        /references missing function id 9/,
      );
      assertFormatError(() => decodeProfile(withRaw((r) => (r.location[0].line[0].function_id = 0))), /no function/);
      assertFormatError(
        () => decodeProfile(withRaw((r) => (r.location[2].mapping_id = 5))),
        /location 3 references missing mapping id 5/,
      );
    });

    it('reserved and duplicate ids', () => {
      assertFormatError(() => decodeProfile(withRaw((r) => (r.location[0].id = 0))), /reserved id 0/);
      assertFormatError(() => decodeProfile(withRaw((r) => (r.location[0].id = 2))), /duplicate location id 2/);
      assertFormatError(() => decodeProfile(withRaw((r) => (r.function[0].id = 3))), /duplicate function id 3/);
      assertFormatError(() => decodeProfile(withRaw((r) => (r.mapping[0].id = 0))), /mapping has reserved id 0/);
    });

    it('a value count that does not match the sample types', () => {
      assertFormatError(
        () => decodeProfile(withRaw((r) => (r.sample[2].value = [1]))),
        /sample 2 has 1 values but there are 2 sample types/,
      );
      assertFormatError(
        () => decodeProfile(withRaw((r) => (r.sample[0].value = [1, 2, 3]))),
        /sample 0 has more values than the 2 sample types/,
      );
      assertFormatError(() => decodeProfile(withRaw((r) => (r.sample_type = []))), /4 samples but no sample types/);
    });

    it('an int64 above 2^53 is reported, not rounded', () => {
      const e = assertFormatError(
        () => decodeProfile(withRaw((r) => (r.sample[0].value = [1, '9007199254740993']))),
        /Sample.value value 9007199254740993 .* does not fit a JavaScript number exactly/,
      );
      assert.ok(e instanceof ProfilePrecisionError);
      const neg = assertFormatError(
        () => decodeProfile(withRaw((r) => (r.sample[0].value = [1, '-9007199254740993']))),
        /value -9007199254740993/,
      );
      assert.ok(neg instanceof ProfilePrecisionError);
      assertFormatError(
        () => decodeProfile(withRaw((r) => (r.location[0].id = '18446744073709551615'))),
        /Location.id/,
      );
      // 2^53 - 1 is still exact.
      const p = decodeProfile(withRaw((r) => (r.sample[0].value = [1, '9007199254740991'])));
      assert.equal(p.samples.values[1], 9007199254740991);
    });

    it('64-bit addresses and times keep full precision as bigint', () => {
      const p = decodeProfile(
        withRaw((r) => {
          r.location[0].address = '18446744073709551615';
          r.mapping[0].memory_limit = '18446744073709551000';
          r.time_nanos = '-9223372036854775808';
        }),
      );
      assert.equal(p.locations[0]!.address, 18446744073709551615n);
      assert.equal(p.mappings[0]!.memoryLimit, 18446744073709551000n);
      assert.equal(p.timeNanos, -9223372036854775808n);
    });

    it('a decompression bomb beyond a configured cap', () => {
      const gz = encodeRawGz(smallRaw());
      assert.ok(decodeProfile(gz, { maxDecompressedBytes: 4096 }));
      assertFormatError(
        () => decodeProfile(gz, { maxDecompressedBytes: 100 }),
        /decompressed size exceeds 100 bytes \(maxDecompressedBytes\)/,
      );
    });

    it('a nonsensical cap is a programming error, not a format error', () => {
      for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
        assert.throws(() => decodeProfile(encodeRawGz(smallRaw()), { maxDecompressedBytes: bad }), RangeError);
      }
    });

    it('a decompression bomb beyond the default 256 MiB cap', async function () {
      this.timeout(60000);
      // 260 MiB of zeros, gzipped chunk by chunk so the test never holds them in memory.
      const gz = await new Promise<Buffer>((resolve, reject) => {
        const z = createGzip({ level: 1 });
        const parts: Buffer[] = [];
        z.on('data', (c: Buffer) => parts.push(c));
        z.on('end', () => resolve(Buffer.concat(parts)));
        z.on('error', reject);
        const chunk = Buffer.alloc(1 << 20);
        for (let i = 0; i < 260; i++) z.write(chunk);
        z.end();
      });
      assert.ok(gz.length < 2 << 20, `bomb is ${gz.length} bytes`);
      assertFormatError(() => decodeProfile(gz), /decompressed size exceeds 268435456 bytes/);
    });
  });
});
