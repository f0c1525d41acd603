import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeProfile } from '../../../src/core/pprof/decodeProfile';
import { parseHeapDebug1, parseMemStats, scaleHeapSample } from '../../../src/core/pprof/heapText';
import { ProfileFormatError } from '../../../src/core/pprof/profileErrors';
import type { Profile } from '../../../src/core/pprof/profileModel';
import { topReport } from '../../../src/core/pprof/topReport';
import { buildGoProgram, repoRoot } from '../../fixtures/ecuDemo';
import { goUnitFlag, parseGoPprofTop, runGoPprof } from '../../fixtures/goPprofTop';
import { sampleRows } from '../../fixtures/tinyProfile';

/** Sums of each sample type per leaf function, skipping all-zero entries. */
function leafSums(p: Profile): [string, number[]][] {
  const m = new Map<string, number[]>();
  const t = p.sampleTypes.length;
  for (let i = 0; i < p.samples.count; i++) {
    const li = p.samples.locIndex[p.samples.stackStart[i]!];
    const name =
      li === undefined || p.samples.stackStart[i] === p.samples.stackStart[i + 1]
        ? '<none>'
        : (p.locations[li]!.lines[0]?.function.name ?? '?');
    const a = m.get(name) ?? new Array<number>(t).fill(0);
    for (let j = 0; j < t; j++) a[j]! += p.samples.values[i * t + j]!;
    m.set(name, a);
  }
  return [...m].filter(([, v]) => v.some((x) => x !== 0)).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

describe('heap debug=1 text', () => {
  it('gives the same unsampled values as the runtime proto of the same heap (real Go program)', async function () {
    this.timeout(180_000);
    const bin = await buildGoProgram({ dir: path.join(repoRoot, 'testdata', 'heaptext-gen') });
    const dir = mkdtempSync(path.join(tmpdir(), 'heaptext-'));
    try {
      await promisify(execFile)(bin, [dir], { timeout: 60_000 });
      const proto = decodeProfile(readFileSync(path.join(dir, 'heap.pb.gz')));
      const { profile, memStats } = parseHeapDebug1(readFileSync(path.join(dir, 'heap.txt'), 'utf8'));
      assert.deepEqual(profile.sampleTypes, proto.sampleTypes);
      assert.deepEqual(profile.periodType, proto.periodType);
      assert.equal(profile.period, proto.period);
      assert.equal(profile.period, 4096, 'the generator sets MemProfileRate = 4096');
      const want = leafSums(proto);
      assert.ok(want.some(([n]) => n === 'main.smallObjects') && want.some(([n]) => n === 'main.bigObjects'));
      assert.deepEqual(leafSums(profile), want);
      assert.ok(memStats, 'MemStats block parsed');
      assert.ok((memStats.HeapAlloc ?? 0) > 2_000_000, `HeapAlloc ${memStats.HeapAlloc}`);
      assert.ok((memStats.NumGC ?? 0) >= 2);
      assert.equal(memStats.NumForcedGC, 2);
      assert.ok((memStats.StackInuse ?? 0) > 0 && (memStats.StackSys ?? 0) >= (memStats.StackInuse ?? 0));
      assert.equal(memStats.PauseNs?.length, 256);
      assert.equal(typeof memStats.LastGC, 'bigint');
      assert.ok((memStats.NextGC ?? 0n) > BigInt(Number.MAX_SAFE_INTEGER), 'GC off: NextGC is huge and kept exactly');
      assert.equal(memStats.DebugGC, false);

      // go tool pprof reads the same text (symbolizing with the binary): same total, same figures for user code.
      // (Its stacks also hold runtime.goexit, which Go's text writer omits, so only main.* rows are compared.)
      for (const si of ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space']) {
        const unit = si.endsWith('space') ? 'bytes' : 'count';
        const u = goUnitFlag(unit);
        const goOut = runGoPprof([
          '-top',
          '-nodecount=1000000',
          '-nodefraction=0',
          '-edgefraction=0',
          `-sample_index=${si}`,
          ...(u ? [`-unit=${u}`] : []),
          bin,
          path.join(dir, 'heap.txt'),
        ]);
        const go = parseGoPprofTop(goOut, u ?? '');
        const report = topReport(profile, { sampleIndex: si });
        assert.equal(report.total, go.total, `${si} total`);
        const user = (rows: { name: string; flat: number; cum: number }[]): string[] =>
          rows.filter((r) => r.name.startsWith('main.')).map((r) => `${r.name} ${r.flat} ${r.cum}`);
        assert.deepEqual(user(report.functions), user(go.rows), si);
        assert.ok(user(go.rows).length >= 3, si);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scales like pprof/runtime scaleHeapSample (truncating), with period = header rate / 2', () => {
    assert.deepEqual(scaleHeapSample(1, 96, 524288), [
      Math.trunc(1 / (1 - Math.exp(-96 / 524288))),
      Math.trunc(96 / (1 - Math.exp(-96 / 524288))),
    ]);
    assert.deepEqual(scaleHeapSample(0, 0, 524288), [0, 0]);
    assert.deepEqual(scaleHeapSample(3, 30, 1), [3, 30]);
    const text = [
      'heap profile: 1: 2048 [2: 4096] @ heap/2048',
      '1: 2048 [2: 4096] @ 0x1001 0x1002',
      '#\t0x1000\tmain.alloc+0x10\t/src/a.go:3',
      '#\t0x1001\tmain.main+0x20\t/src/a.go:9',
      '',
      '0: 0 [0: 0] @ 0x2001',
      '',
      '# runtime.MemStats',
      '# Alloc = 123',
      '# Stack = 10 / 20',
      '# GCCPUFraction = 0.5',
      '# NewField = hello',
    ].join('\n');
    const { profile, memStats } = parseHeapDebug1(text);
    assert.equal(profile.period, 1024);
    const [ao, as] = scaleHeapSample(2, 4096, 1024);
    const [io, is] = scaleHeapSample(1, 2048, 1024);
    assert.deepEqual(sampleRows(profile), [
      ` = 0,0,0,0`,
      `main.alloc:3;main.main:9 = ${ao},${as},${io},${is} [{"key":"bytes","num":2048}]`,
    ]);
    assert.deepEqual(memStats, {
      other: { NewField: 'hello' },
      Alloc: 123,
      StackInuse: 10,
      StackSys: 20,
      GCCPUFraction: 0.5,
    });
  });

  it('rejects malformed heap text with typed errors', () => {
    assert.throws(() => parseHeapDebug1('<!DOCTYPE html><html></html>'), ProfileFormatError);
    assert.throws(() => parseHeapDebug1('heap profile: 1: 2 [3: 4] @ heap/1024\n0: 5 [0: 0] @ 0x1\n'), /count was 0/);
    assert.throws(() => parseHeapDebug1('heap profile: 1: 2 [3: 4] @ heap/1024\nwhat is this\n'), /line 2/);
    assert.deepEqual(parseMemStats(['# PauseNs = [1 2 3]']).PauseNs, [1, 2, 3]);
  });
});
