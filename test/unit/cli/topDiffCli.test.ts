import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TopReport } from '../../../src/core/pprof/topReport';
import { runCliCaptured } from '../../fixtures/runCliCaptured';

const corpus = path.resolve(__dirname, '../../../../shared/corpus/profiles');
const triplet = (s: string): string => path.join(corpus, 'goroutine-triplets', `2.pprof.lookup.goroutine.${s}`);
const heap = path.join(corpus, 'datadog-memory-profiler.pprof');

/** Asserts a failed run: exit 1, nothing on stdout, one stderr line without a JS stack frame. */
function assertOneLineError(r: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.match(lines[0]!, pattern);
  assert.ok(!/\n\s+at /.test(r.stderr), `stack trace in stderr: ${r.stderr}`);
}

describe('leakhunt top / diff (in-process)', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'leakhunt-cli-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the goroutine text formats as goroutine count profiles that agree with the proto on user code', async () => {
    const reports: TopReport[] = [];
    for (const f of ['debug0.pb.gz', 'debug1.txt', 'debug2.txt']) {
      const r = await runCliCaptured(['top', '--format', 'json', triplet(f)]);
      assert.equal(r.code, 0, r.stderr);
      reports.push(JSON.parse(r.stdout) as TopReport);
    }
    for (const rep of reports) {
      assert.equal(rep.sampleIndex, 'goroutine');
      assert.equal(rep.unit, 'count');
    }
    const cum = (rep: TopReport, name: string): number | undefined => rep.functions.find((f) => f.name === name)?.cum;
    for (const fn of ['main.shortSleepLoop', 'main.sleepLoop', 'main.chanReceiveForever']) {
      const want = cum(reports[0]!, fn);
      assert.ok(want !== undefined && want > 0, fn);
      assert.equal(cum(reports[1]!, fn), want, `${fn} debug=1`);
      assert.equal(cum(reports[2]!, fn), want, `${fn} debug=2`);
    }
  });

  it('selects sample types by name, legacy alias or index, and lists valid names on a bad one', async () => {
    const byName = JSON.parse(
      (await runCliCaptured(['top', '--format', 'json', '--sample-index', 'alloc_space', heap])).stdout,
    ) as TopReport;
    const byIndex = JSON.parse(
      (await runCliCaptured(['top', '--format', 'json', '--sample-index', '1', heap])).stdout,
    ) as TopReport;
    assert.equal(byName.sampleIndex, 'alloc_space');
    assert.deepEqual(byIndex, byName);
    const dflt = JSON.parse((await runCliCaptured(['top', '--format', 'json', heap])).stdout) as TopReport;
    assert.equal(dflt.sampleIndex, 'alloc_space', 'this profile names alloc_space as its default_sample_type');
    const noDefault = path.join(corpus, 'azure-eno-heap.pprof');
    const last = JSON.parse((await runCliCaptured(['top', '--format', 'json', noDefault])).stdout) as TopReport;
    assert.equal(last.sampleIndex, 'inuse_space', 'the last type when there is no default_sample_type');
    assertOneLineError(
      await runCliCaptured(['top', '--sample-index', 'bogus', heap]),
      /bogus.*alloc_objects, alloc_space, inuse_objects, inuse_space/,
    );
    assertOneLineError(await runCliCaptured(['top', '--sample-index', '9', heap]), /outside the range \[0\.\.3\]/);
  });

  it('prints a pprof-like text table by default, per line with --by line', async () => {
    const r = await runCliCaptured(['top', heap]);
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /^File: .*\nType: alloc_space\nShowing nodes accounting for .* of .* total\n\s+flat\s+flat%\s+sum%\s+cum\s+cum%\n/,
    );
    assert.match(r.stdout, /main\.allocBig\n|main\.alloc\n/);
    const lines = JSON.parse(
      (await runCliCaptured(['top', '--by', 'line', '--format', 'json', heap])).stdout,
    ) as TopReport;
    assert.ok(lines.functions.length > 0 && lines.functions.every((f) => Number.isInteger(f.line) && f.file !== ''));
  });

  it('fails with one line on stderr for bad input and bad usage', async () => {
    const html = path.join(dir, 'error.html');
    writeFileSync(html, '<!DOCTYPE html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n');
    const random = path.join(dir, 'random.bin');
    writeFileSync(random, Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 131 + 7) % 256)));
    assertOneLineError(await runCliCaptured(['top', html]), /HTML/);
    assertOneLineError(await runCliCaptured(['top', random]), /ProfileFormatError/);
    assertOneLineError(
      await runCliCaptured(['top', path.join(dir, 'missing.pb.gz')]),
      /cannot read .*missing\.pb\.gz: no such file/,
    );
    assertOneLineError(await runCliCaptured(['top', dir]), /is a directory/);
    assertOneLineError(await runCliCaptured(['top']), /expected 1 profile file, got 0/);
    assertOneLineError(await runCliCaptured(['top', '--by', 'file', heap]), /--by must be function or line/);
    assertOneLineError(await runCliCaptured(['top', '--format', 'xml', heap]), /--format must be text or json/);
    assertOneLineError(await runCliCaptured(['top', '--nope', heap]), /Unknown option '--nope'/);
    assertOneLineError(await runCliCaptured(['diff', heap]), /expected 2 profile files, got 1/);
    assertOneLineError(await runCliCaptured(['top', '--focus', '(', heap]), /parsing focus regexp/);
    assertOneLineError(
      await runCliCaptured(['diff', triplet('debug0.pb.gz'), heap]),
      /ProfileMismatchError: .*no sample type in common/,
    );
  });

  it('diff of the goroutine text formats of two snapshots works across formats', async () => {
    const r = await runCliCaptured([
      'diff',
      '--format',
      'json',
      path.join(corpus, 'goroutine-triplets', '1.pprof.lookup.goroutine.debug1.txt'),
      triplet('debug2.txt'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const rep = JSON.parse(r.stdout) as TopReport;
    assert.equal(rep.sampleIndex, 'goroutine');
    assert.ok(rep.functions.length > 0);
  });
});
