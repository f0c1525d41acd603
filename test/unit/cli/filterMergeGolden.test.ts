import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { aggregateByFunction } from '../../../src/core/pprof/aggregate';
import { merge } from '../../../src/core/pprof/merge';
import { readAnyProfile } from '../../../src/core/pprof/readAnyProfile';
import { sampleIndexByName } from '../../../src/core/pprof/sampleIndexByName';
import type { TopReport } from '../../../src/core/pprof/topReport';
import { goUnitFlag, parseGoPprofTop, runGoPprof } from '../../fixtures/goPprofTop';
import { runCliCaptured } from '../../fixtures/runCliCaptured';

const corpus = path.resolve(__dirname, '../../../../shared/corpus/profiles');
const series = path.join(corpus, 'parca-heap-series');

function goTop(
  files: string[],
  unit: string,
  extra: string[],
): { name: string; flat: number; cum: number }[] & { total?: number } {
  const u = goUnitFlag(unit);
  const out = runGoPprof([
    '-top',
    '-nodecount=1000000',
    '-nodefraction=0',
    '-edgefraction=0',
    ...(u ? [`-unit=${u}`] : []),
    ...extra,
    ...files,
  ]);
  const t = parseGoPprofTop(out, u ?? '');
  return Object.assign(
    t.rows.map((r) => ({ name: r.name, flat: r.flat, cum: r.cum })),
    { total: t.total },
  );
}

describe('name filters and merge agree with go tool pprof (golden)', function () {
  this.timeout(120_000);

  const cases: [string, string, string[], string[]][] = [
    // [file, sample index, our flags, pprof flags]
    ['tinkerrogue-heap.pb.gz', 'inuse_space', ['--focus', 'ecs'], ['-focus=ecs']],
    ['tinkerrogue-heap.pb.gz', 'alloc_space', ['--ignore', '^runtime\\.'], ['-ignore=^runtime\\.']],
    [
      'tinkerrogue-heap.pb.gz',
      'alloc_objects',
      ['--focus', 'main', '--ignore', 'json'],
      ['-focus=main', '-ignore=json'],
    ],
    ['parca-heap-series/1644509272337470000.pb.gz', 'inuse_space', ['--hide', '^runtime\\.'], ['-hide=^runtime\\.']],
    ['parca-heap-series/1644509272337470000.pb.gz', 'alloc_space', ['--show', 'sroar|json'], ['-show=sroar|json']],
    [
      'google-pprof-large-cpu.pb.gz',
      'cpu',
      ['--focus', '\\.go$', '--hide', 'runtime'],
      ['-focus=\\.go$', '-hide=runtime'],
    ],
    ['parca-fgprof-wallclock.pb.gz', 'time', ['--ignore', 'syscall'], ['-ignore=syscall']],
  ];
  for (const [file, si, ourFlags, goFlags] of cases) {
    it(`top ${file} -sample_index=${si} ${goFlags.join(' ')}`, async () => {
      const f = path.join(corpus, file);
      const r = await runCliCaptured(['top', '--format', 'json', '--sample-index', si, ...ourFlags, f]);
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as TopReport;
      const go = goTop([f], report.unit, [`-sample_index=${si}`, ...goFlags]);
      assert.ok(go.length > 0, 'the filter leaves something to compare');
      assert.equal(report.total, go.total);
      assert.deepEqual(
        report.functions.map((x) => ({ name: x.name, flat: x.flat, cum: x.cum })),
        [...go],
      );
    });
  }

  it('merge of three heap snapshots equals go tool pprof with several sources', () => {
    const files = ['1644509272337470000', '1644509281339135000', '1644509299337903000'].map((n) =>
      path.join(series, `${n}.pb.gz`),
    );
    const merged = merge(files.map((f) => readAnyProfile(readFileSync(f)).profile));
    for (const si of ['alloc_space', 'inuse_objects']) {
      const agg = aggregateByFunction(merged, sampleIndexByName(merged, si));
      const go = goTop(files, merged.sampleTypes[sampleIndexByName(merged, si)]!.unit, [`-sample_index=${si}`]);
      assert.equal(agg.total, go.total);
      assert.deepEqual(
        agg.rows.map((x) => ({ name: x.name, flat: x.flat, cum: x.cum })),
        [...go],
      );
    }
  });

  it('diff --by line equals go tool pprof -base -lines', async () => {
    const [a, b] = ['1644509272337470000', '1644509299337903000'].map((n) => path.join(series, `${n}.pb.gz`)) as [
      string,
      string,
    ];
    const r = await runCliCaptured(['diff', '--format', 'json', '--by', 'line', '--sample-index', 'alloc_space', a, b]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as TopReport;
    const go = goTop([b], 'bytes', ['-sample_index=alloc_space', '-lines', `-base=${a}`]);
    assert.equal(report.total, go.total);
    assert.deepEqual(
      report.functions.map((x) => ({ name: `${x.name} ${x.file}:${x.line}`, flat: x.flat, cum: x.cum })),
      [...go],
    );
  });
});
