import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeProfile } from '../../../src/core/pprof/decodeProfile';
import { encodeProfile, encodeProfileUncompressed } from '../../../src/core/pprof/encodeProfile';
import { ProfilePrecisionError } from '../../../src/core/pprof/profileErrors';
import { sampleTableFromRows, type Profile } from '../../../src/core/pprof/profileModel';
import { runGoPprof } from '../../fixtures/goPprofTop';
import { corpusName, protoCorpusFiles } from '../../fixtures/profileCorpus';
import { decodeRaw, encodeRaw, projectProfile, projectRaw, smallRaw } from '../../fixtures/rawProfile';

describe('encodeProfile', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'leakhunt-encode-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('decode → encode → decode is the identity on every corpus profile, and go tool pprof reads ours the same', () => {
    for (const file of protoCorpusFiles()) {
      it(corpusName(file), function () {
        this.timeout(60000);
        const p = decodeProfile(readFileSync(file));
        const encoded = encodeProfile(p);
        assert.deepStrictEqual(decodeProfile(encoded), p);
        // protobufjs reads our bytes to the same model too (an independent decoder).
        assert.deepEqual(projectRaw(decodeRaw(gunzipSync(encoded))), projectProfile(p));
        const ours = path.join(dir, 'ours.pb.gz');
        writeFileSync(ours, encoded);
        assert.equal(runGoPprof(['-raw', ours]), runGoPprof(['-raw', file]));
      });
    }
  });

  it('round-trips the hand-made profile with labels, inlined frames, empty stacks and negative values', () => {
    const p = decodeProfile(encodeRaw(smallRaw()));
    assert.deepStrictEqual(decodeProfile(encodeProfile(p)), p);
    assert.deepStrictEqual(decodeProfile(encodeProfileUncompressed(p)), p);
  });

  it('keeps 64-bit addresses, mapping ranges and times exactly', () => {
    const p = decodeProfile(encodeRaw(smallRaw()));
    p.locations[0]!.address = 0xffffffffffffffffn;
    p.mappings[0]!.memoryLimit = 0xfffffffffffff000n;
    p.timeNanos = -1n;
    p.durationNanos = 9223372036854775807n;
    const q = decodeProfile(encodeProfile(p));
    assert.equal(q.locations[0]!.address, 0xffffffffffffffffn);
    assert.equal(q.mappings[0]!.memoryLimit, 0xfffffffffffff000n);
    assert.equal(q.timeNanos, -1n);
    assert.equal(q.durationNanos, 9223372036854775807n);
  });

  it('encodes a profile built in memory, which go tool pprof then reads', () => {
    const fn = { id: 1, name: 'main.grow', systemName: 'main.grow', filename: '/src/main.go', startLine: 3 };
    const fn2 = { id: 2, name: 'main.main', systemName: 'main.main', filename: '/src/main.go', startLine: 9 };
    const p: Profile = {
      sampleTypes: [{ type: 'inuse_space', unit: 'bytes' }],
      samples: sampleTableFromRows(
        [
          { stack: [0, 1], values: [4096] },
          { stack: [1], values: [-100] },
        ],
        1,
      ),
      mappings: [],
      locations: [
        { id: 1, mapping: undefined, address: 0n, lines: [{ function: fn, line: 5, column: 0 }], isFolded: false },
        { id: 2, mapping: undefined, address: 0n, lines: [{ function: fn2, line: 12, column: 0 }], isFolded: false },
      ],
      functions: [fn, fn2],
      dropFrames: '',
      keepFrames: '',
      timeNanos: 0n,
      durationNanos: 0n,
      periodType: { type: 'space', unit: 'bytes' },
      period: 524288,
      comments: [],
      defaultSampleType: '',
    };
    const file = path.join(dir, 'mem.pb.gz');
    writeFileSync(file, encodeProfile(p));
    const top = runGoPprof(['-top', '-unit=B', file]);
    assert.match(top, /4096B\s+\S+%\s+\S+%\s+4096B\s+\S+%\s+main\.grow\n/);
    assert.match(top, /-100B\s+\S+%\s+\S+%\s+3996B\s+\S+%\s+main\.main\n/);
  });

  it('refuses a sample value that int64 cannot carry exactly', () => {
    const p = decodeProfile(encodeRaw(smallRaw()));
    p.samples.values[0] = 1.5;
    assert.throws(() => encodeProfile(p), ProfilePrecisionError);
    p.samples.values[0] = 2 ** 60;
    assert.throws(() => encodeProfile(p), ProfilePrecisionError);
  });
});
