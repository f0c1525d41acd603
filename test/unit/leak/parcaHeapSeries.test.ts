import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeHeap } from '../../../src/core/leak/heapAnalysis';
import { HeapSeries } from '../../../src/core/leak/heapSeries';
import { resolveLeakConfig } from '../../../src/core/leak/leakConfig';
import { decodeProfile } from '../../../src/core/pprof/decodeProfile';

const repoRoot = path.resolve(__dirname, '../../..');
const dir = path.resolve(repoRoot, '../shared/corpus/profiles/parca-heap-series');

/**
 * Offline run over a real series: ten heap profiles of one Parca process taken 3 s apart (file name = time in ns).
 *
 * Checked by hand with `go tool pprof -top -sample_index=inuse_space` on each file and with `-base` between
 * neighbours:
 * - files 1–8 are byte-for-byte the same heap (46.66 MB in use, 73,788 objects, identical alloc totals): no GC
 *   completed, so the runtime kept publishing the same profile. They are ONE GC epoch, not eight flat points.
 * - file 9 (16:08:16) adds 87,244,800 B at github.com/dgraph-io/badger/v3/skl.newArena (arena.go:48), reached
 *   from badger Open → newMemTable: the memtable arena badger allocates when the metastore opens. Everything
 *   else moves by at most ~1.3 MB (ristretto newCmRow 1,332,474 B, bloom filter 1,212,696 B), i.e. under the
 *   four-sample floor (2 MiB at the 512 KiB MemProfileRate).
 * - file 10 is identical to file 9 (second epoch repeated).
 * So there are two epochs; the arena is one large jump, which is growth but not evidence of a leak (two points
 * cannot show steady growth): `growing`, with the reason naming the missing epochs. Nothing else is a suspect.
 */
describe('leak: offline run over the parca heap series (real process)', () => {
  it('collapses unchanged profiles into GC epochs and calls the start-up arena growing, nothing a leak', () => {
    const cfg = resolveLeakConfig();
    const series = new HeapSeries({ config: cfg });
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.pb.gz'))
      .sort();
    assert.equal(files.length, 10);
    for (const f of files) {
      const ns = BigInt(f.slice(0, -'.pb.gz'.length));
      series.add(Number(ns / 1_000_000n), decodeProfile(readFileSync(path.join(dir, f))));
    }
    assert.deepEqual(
      series.points.map((p) => p.newEpoch),
      [true, false, false, false, false, false, false, false, true, false],
    );
    // Totals as `go tool pprof -top -unit=B -sample_index=inuse_space` prints them (46.66 MB → 137.04 MB).
    assert.equal(series.points[0]!.totalInuseSpace, 48928729);
    assert.equal(series.points[9]!.totalInuseSpace, 143698391);

    const a = analyzeHeap(series, cfg);
    assert.equal(a.snapshots, 10);
    assert.equal(a.epochs, 2);
    assert.equal(a.totalVerdict, 'growing');
    assert.equal(a.suspects.length, 1);
    const arena = a.suspects[0]!;
    assert.equal(arena.function, 'github.com/dgraph-io/badger/v3/skl.newArena');
    assert.equal(path.basename(arena.file), 'arena.go');
    assert.equal(arena.line, 48);
    assert.equal(arena.verdict, 'growing');
    assert.match(arena.reason, /2 distinct GC epochs/);
    assert.deepEqual(arena.series, [0, 87244800]);
    assert.equal(arena.inuseBytes, 87244800);
    assert.ok(
      arena.stack.some((f) => f.function === 'github.com/dgraph-io/badger/v3.Open'),
      'the representative stack reaches badger Open',
    );
    assert.ok(!a.notable.some((x) => x.verdict === 'leak'));
    // The arena explains most of the total growth (the rest is the ~1 MB moves listed above).
    assert.ok(a.explainedShare !== null && a.explainedShare > 0.85 && a.explainedShare <= 1);
  });
});
