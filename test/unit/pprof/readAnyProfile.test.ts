import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ProfileFormatError } from '../../../src/core/pprof/profileErrors';
import { readAnyProfile } from '../../../src/core/pprof/readAnyProfile';

const corpus = path.resolve(__dirname, '../../../../shared/corpus/profiles');
const triplets = path.join(corpus, 'goroutine-triplets');

describe('readAnyProfile', () => {
  it('recognises each goroutine format of the triplets', () => {
    for (const f of readdirSync(triplets)) {
      const r = readAnyProfile(readFileSync(path.join(triplets, f)));
      const want = f.includes('debug0') ? 'proto' : f.includes('debug1') ? 'count-debug1' : 'goroutine-debug2';
      assert.equal(r.format, want, f);
      assert.equal(r.profile.sampleTypes[0]!.type, 'goroutine', f);
      assert.equal(r.goroutines !== undefined, want === 'goroutine-debug2', f);
      assert.ok(r.profile.samples.count > 0, f);
    }
  });

  it('reads every proto in the corpus as proto', () => {
    for (const f of readdirSync(corpus).filter((n) => /\.(pb\.gz|pprof)$/.test(n))) {
      const r = readAnyProfile(readFileSync(path.join(corpus, f)));
      assert.equal(r.format, 'proto', f);
      assert.ok(r.profile.sampleTypes.length > 0, f);
    }
  });

  it('reads gzipped text and heap text with MemStats', () => {
    const text = readFileSync(path.join(triplets, '1.pprof.lookup.goroutine.debug2.txt'));
    const r = readAnyProfile(gzipSync(text));
    assert.equal(r.format, 'goroutine-debug2');
    const heap =
      'heap profile: 1: 8 [1: 8] @ heap/1048576\n1: 8 [1: 8] @ 0x2\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n# runtime.MemStats\n# HeapAlloc = 42\n';
    const h = readAnyProfile(Buffer.from(heap));
    assert.equal(h.format, 'heap-debug1');
    assert.equal(h.memStats?.HeapAlloc, 42);
    assert.equal(h.profile.period, 524288);
  });

  it('rejects HTML pages, random bytes, empty input and decompression bombs with ProfileFormatError', () => {
    const bad: [string, Uint8Array][] = [
      ['html', Buffer.from('<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>')],
      ['html after blank lines', Buffer.from('\n\n  <html><body>404 page not found</body></html>')],
      ['plain text', Buffer.from('404 page not found\n')],
      ['random', Uint8Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 251)],
      ['empty', new Uint8Array(0)],
    ];
    for (const [name, data] of bad) assert.throws(() => readAnyProfile(data), ProfileFormatError, name);
    const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024, 'a'));
    assert.throws(() => readAnyProfile(bomb, { maxDecompressedBytes: 1024 * 1024 }), /decompress/);
  });
});
