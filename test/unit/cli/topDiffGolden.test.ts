import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readAnyProfile } from '../../../src/core/pprof/readAnyProfile';
import type { TopReport } from '../../../src/core/pprof/topReport';
import { goPprofTop } from '../../fixtures/goPprofTop';
import { runCliCaptured } from '../../fixtures/runCliCaptured';

const corpus = path.resolve(__dirname, '../../../../shared/corpus/profiles');
const series = path.join(corpus, 'parca-heap-series');

/** pprof's printable name of one of our rows. */
function pprofName(f: TopReport['functions'][number]): string {
  if (f.line === undefined) return f.name;
  if (f.name.startsWith('[') || f.name === '<unknown>') return f.line !== 0 ? `${f.file}:${f.line}` : f.name;
  return f.line !== 0 ? `${f.name} ${f.file}:${f.line}` : f.file !== '' ? `${f.name} ${f.file}` : f.name;
}

async function ours(args: string[]): Promise<TopReport> {
  const r = await runCliCaptured(args);
  assert.equal(r.stderr, '', `stderr of leakhunt ${args.join(' ')}`);
  assert.equal(r.code, 0);
  return JSON.parse(r.stdout) as TopReport;
}

/** Asserts our report equals pprof's: same rows, same order, exact flat/cum, same total. */
function assertSameAsPprof(
  report: TopReport,
  file: string,
  sampleIndex: string,
  extra: { base?: string; lines?: boolean } = {},
): void {
  const go = goPprofTop(file, {
    sampleIndex,
    unit: report.unit,
    ...(extra.base ? { base: extra.base } : {}),
    ...(extra.lines ? { granularity: 'lines' as const } : {}),
  });
  assert.equal(report.sampleIndex, sampleIndex);
  assert.equal(report.total, go.total, 'total');
  const mine = report.functions.map((f) => ({ name: pprofName(f), flat: f.flat, cum: f.cum }));
  const theirs = go.rows.map((r) => ({ name: r.name, flat: r.flat, cum: r.cum }));
  assert.deepEqual(mine, theirs);
  assert.ok(
    report.functions.every((f) => f.flat !== 0 || f.cum !== 0),
    'only non-zero rows',
  );
}

const protoFiles = readdirSync(corpus)
  .filter((n) => /\.(pb\.gz|pprof)$/.test(n))
  .map((n) => path.join(corpus, n))
  .concat(readdirSync(series).map((n) => path.join(series, n)))
  .concat(
    readdirSync(path.join(corpus, 'goroutine-triplets'))
      .filter((n) => n.endsWith('.pb.gz'))
      .map((n) => path.join(corpus, 'goroutine-triplets', n)),
  );

describe('leakhunt top/diff agree with go tool pprof (golden, real corpus)', function () {
  this.timeout(120_000);

  for (const file of protoFiles) {
    const rel = path.relative(corpus, file);
    const types = readAnyProfile(readFileSync(file)).profile.sampleTypes.map((t) => t.type);
    describe(`top ${rel}`, () => {
      for (const t of types) {
        it(`-sample_index=${t}`, async () => {
          assertSameAsPprof(await ours(['top', '--format', 'json', '--sample-index', t, file]), file, t);
        });
      }
      it('-lines, default sample index', async () => {
        const report = await ours(['top', '--format', 'json', '--by', 'line', file]);
        assert.ok(report.functions.every((f) => typeof f.line === 'number'));
        assertSameAsPprof(report, file, report.sampleIndex, { lines: true });
      });
    });
  }

  const snaps = readdirSync(series).sort();
  for (let i = 1; i < snaps.length; i++) {
    const base = path.join(series, snaps[i - 1]!);
    const cur = path.join(series, snaps[i]!);
    describe(`diff parca-heap-series ${snaps[i - 1]} → ${snaps[i]}`, () => {
      for (const t of ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space']) {
        it(`-base -sample_index=${t}`, async () => {
          const report = await ours(['diff', '--format', 'json', '--sample-index', t, base, cur]);
          assertSameAsPprof(report, cur, t, { base });
        });
      }
    });
  }

  it('diff of a profile against itself is empty, and has negative rows when swapped', async () => {
    const a = path.join(series, snaps[0]!);
    const b = path.join(series, snaps[snaps.length - 1]!);
    const self = await ours(['diff', '--format', 'json', a, a]);
    assert.deepEqual(self.functions, []);
    assert.equal(self.total, 0);
    const fwd = await ours(['diff', '--format', 'json', '--sample-index', 'alloc_space', a, b]);
    const back = await ours(['diff', '--format', 'json', '--sample-index', 'alloc_space', b, a]);
    assert.ok(fwd.functions.length > 0);
    assert.deepEqual(
      back.functions.map((f) => [f.name, 0 - f.flat, 0 - f.cum]),
      fwd.functions.map((f) => [f.name, f.flat, f.cum]),
    );
  });
});
