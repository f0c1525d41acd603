import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { aggregateByFunction, aggregateByLine } from '../../../src/core/pprof/aggregate';
import { decodeProfile } from '../../../src/core/pprof/decodeProfile';
import { sampleTableFromRows, type Profile, type ProfileFunction } from '../../../src/core/pprof/profileModel';
import { goPprofTop, runGoPprof } from '../../fixtures/goPprofTop';
import { corpusDir, corpusName, protoCorpusFiles } from '../../fixtures/profileCorpus';
import { encodeRaw, smallRaw } from '../../fixtures/rawProfile';

function asMap(
  rows: { flat: number; cum: number }[],
  key: (r: never) => string,
): Map<string, { flat: number; cum: number }> {
  const m = new Map<string, { flat: number; cum: number }>();
  for (const r of rows) {
    const k = key(r as never);
    assert.ok(!m.has(k), `duplicate row ${k}`);
    m.set(k, { flat: r.flat, cum: r.cum });
  }
  return m;
}

describe('aggregate', () => {
  describe('per function, agrees exactly with go tool pprof -top on every sample type of every corpus profile', () => {
    for (const file of protoCorpusFiles()) {
      it(corpusName(file), function () {
        this.timeout(120000);
        const p = decodeProfile(readFileSync(file));
        p.sampleTypes.forEach((t, si) => {
          const go = goPprofTop(file, { sampleIndex: t.type, unit: t.unit });
          const ours = aggregateByFunction(p, si);
          assert.ok(ours.rows.length > 0, `${t.type}: no rows`);
          assert.deepEqual(
            asMap(ours.rows, (r: { name: string }) => r.name),
            go.byName,
            `${t.type}`,
          );
          assert.equal(ours.total, go.total, `${t.type} total`);
          // Same order as pprof prints.
          assert.deepEqual(
            ours.rows.map((r) => r.name),
            go.rows.map((r) => r.name),
            `${t.type} order`,
          );
        });
      });
    }
  });

  describe('per line, agrees exactly with go tool pprof -top -lines on the default sample type of every corpus profile', () => {
    for (const file of protoCorpusFiles()) {
      it(corpusName(file), function () {
        this.timeout(120000);
        const p = decodeProfile(readFileSync(file));
        const si = p.sampleTypes.length - 1;
        const t = p.sampleTypes[si]!;
        const go = goPprofTop(file, { sampleIndex: t.type, unit: t.unit, granularity: 'lines' });
        const ours = aggregateByLine(p, si);
        assert.deepEqual(
          asMap(ours.rows, (r: { label: string }) => r.label),
          go.byName,
        );
        assert.equal(ours.total, go.total);
      });
    }
  });

  describe('on profiles go tool pprof itself wrote for -base and -diff_base (negative values, pprof::base totals)', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'leakhunt-aggregate-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));
    const series = path.join(corpusDir, 'parca-heap-series');
    const base = path.join(series, '1644509272337470000.pb.gz');
    const current = path.join(series, '1644509299337903000.pb.gz');
    for (const flag of ['-base', '-diff_base']) {
      it(flag, function () {
        this.timeout(120000);
        const file = path.join(dir, `${flag.slice(1)}.pb.gz`);
        runGoPprof(['-proto', '-output', file, `${flag}=${base}`, current]);
        const p = decodeProfile(readFileSync(file));
        assert.ok(
          p.samples.values.some((v) => v < 0),
          'the difference has negative values',
        );
        const hasBaseLabels = p.samples.labels.some((ls) => ls?.some((l) => l.key === 'pprof::base'));
        assert.equal(hasBaseLabels, flag === '-diff_base');
        p.sampleTypes.forEach((t, si) => {
          const go = goPprofTop(file, { sampleIndex: t.type, unit: t.unit });
          const ours = aggregateByFunction(p, si);
          assert.deepEqual(
            asMap(ours.rows, (r: { name: string }) => r.name),
            go.byName,
            t.type,
          );
          assert.equal(ours.total, go.total, `${t.type} total`);
        });
      });
    }
  });

  describe('semantics on a hand-made profile', () => {
    const p = decodeProfile(encodeRaw(smallRaw()));
    // Stacks (leaf first): [leaf, inlined<-caller], [leaf, caller], [], [inlined<-caller, caller]; values of alloc_space.

    it('counts flat at the leaf frame and cum once per function per sample, inlined frames as their own nodes', () => {
      const a = aggregateByFunction(p, 1);
      const m = asMap(a.rows, (r: { name: string }) => r.name);
      assert.deepEqual(m.get('main.leaf'), { flat: 512 + 1024, cum: 512 + 1024 });
      assert.deepEqual(m.get('main.inlined'), { flat: -2048, cum: 512 - 2048 });
      // main.caller appears twice in the last sample's stack but counts once.
      assert.deepEqual(m.get('main.caller'), { flat: 0, cum: 512 + 1024 - 2048 });
      assert.equal(a.total, 512 + 1024 + 96 + 2048);
      assert.equal(m.size, 3);
    });

    it('per line keeps lines of one function apart', () => {
      const a = aggregateByLine(p, 1);
      const m = asMap(a.rows, (r: { label: string }) => r.label);
      assert.deepEqual(m.get('main.caller main.go:22'), { flat: 0, cum: 512 - 2048 });
      assert.deepEqual(m.get('main.caller main.go:25'), { flat: 0, cum: 1024 - 2048 });
      assert.deepEqual(m.get('main.inlined main.go:31'), { flat: -2048, cum: 512 - 2048 });
      const row = a.rows.find((r) => r.label === 'main.leaf main.go:12')!;
      assert.deepEqual([row.name, row.file, row.line, row.flat], ['main.leaf', 'main.go', 12, 1536]);
    });

    it('drops nodes whose values cancel to zero, and rejects a bad sample index', () => {
      const q = decodeProfile(
        encodeRaw({
          ...smallRaw(),
          sample: [
            { location_id: [1], value: [1, 10] },
            { location_id: [1], value: [1, -10] },
          ],
        }),
      );
      assert.deepEqual(aggregateByFunction(q, 1).rows, []);
      assert.equal(aggregateByFunction(q, 1).total, 20);
      assert.throws(() => aggregateByFunction(q, 2), RangeError);
    });

    it('merges same-named functions from different files as pprof does at function granularity', () => {
      const f1: ProfileFunction = { id: 1, name: 'pkg.F', systemName: '', filename: 'a.go', startLine: 0 };
      const f2: ProfileFunction = { id: 2, name: 'pkg.F', systemName: '', filename: 'b.go', startLine: 0 };
      const loc = (id: number, fn: ProfileFunction) => ({
        id,
        mapping: undefined,
        address: 0n,
        lines: [{ function: fn, line: id, column: 0 }],
        isFolded: false,
      });
      const q: Profile = {
        ...p,
        sampleTypes: [{ type: 'x', unit: 'count' }],
        functions: [f1, f2],
        locations: [loc(1, f1), loc(2, f2)],
        samples: sampleTableFromRows(
          [
            { stack: [0, 1], values: [3] },
            { stack: [1], values: [4] },
          ],
          1,
        ),
      };
      assert.deepEqual(aggregateByFunction(q, 0).rows, [{ name: 'pkg.F', file: 'a.go', flat: 7, cum: 7 }]);
      assert.equal(aggregateByLine(q, 0).rows.length, 2);
    });
  });
});
