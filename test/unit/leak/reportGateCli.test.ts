import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliCaptured } from '../../fixtures/runCliCaptured';
import { writeSeries } from './seriesFolder';

describe('leakhunt report / gate (saved series)', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const series = (...a: Parameters<typeof writeSeries>) => {
    const d = writeSeries(...a);
    dirs.push(d);
    return d;
  };

  it('report prints the leak at its file:line in every format', async () => {
    const dir = series(4);
    const json = await runCliCaptured(['report', dir, '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const r = JSON.parse(json.stdout);
    assert.equal(r.target, 'http://127.0.0.1:6060');
    assert.equal(r.snapshots, 10);
    assert.deepEqual(
      r.heap.suspects.map((s: { file: string; line: number; verdict: string }) => [s.file, s.line, s.verdict]),
      [['/src/ecu/cache/session.go', 48, 'leak']],
    );
    const text = await runCliCaptured(['report', dir]);
    assert.match(text.stdout, /LEAK .* example\.com\/ecu\/cache\.storeSession \/src\/ecu\/cache\/session\.go:48/);
    const sarif = JSON.parse((await runCliCaptured(['report', dir, '--format', 'sarif'])).stdout);
    assert.equal(sarif.runs[0].results[0].locations[0].physicalLocation.region.startLine, 48);
    const md = await runCliCaptured(['report', dir, '--format', 'markdown']);
    assert.match(md.stdout, /\| \*\*leak\*\* \|/);
  });

  it('report skips a corrupt file with a message and still reports', async () => {
    const dir = series(4, { corruptSeq: 5 });
    const run = await runCliCaptured(['report', dir, '--format', 'json']);
    assert.equal(run.code, 0);
    assert.match(run.stderr, /snapshot 5: heap: /);
    assert.equal(JSON.parse(run.stdout).heap.suspects[0].verdict, 'leak');
  });

  it('report refuses a folder that is not a series, and bad options, with exit 2', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'leakhunt-empty-'));
    dirs.push(empty);
    const r1 = await runCliCaptured(['report', empty]);
    assert.equal(r1.code, 2);
    assert.match(r1.stderr, /not a leakhunt series folder/);
    const r2 = await runCliCaptured(['report', series(1), '--format', 'yaml']);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /--format must be one of json, text, markdown, sarif/);
    const r3 = await runCliCaptured(['report', path.join(empty, 'nope')]);
    assert.equal(r3.code, 2);
  });

  it('gate exits 1 with the reasons when the heap leak exceeds the budget, and 0 within budget', async () => {
    // 4 samples of 512 KiB per 2 s: 60 MiB/min.
    const dir = series(4);
    const over = await runCliCaptured(['gate', dir, '--max-heap-growth', '1MB/min']);
    assert.equal(over.code, 1);
    assert.match(over.stderr, /over budget/);
    assert.match(
      over.stderr,
      /heap leak at \/src\/ecu\/cache\/session\.go:48 .*60\.0 MiB\/min, budget 976\.6 KiB\/min/,
    );
    const within = await runCliCaptured(['gate', dir, '--max-heap-growth', '100MiB/min']);
    assert.equal(within.code, 0, within.stderr);
    assert.match(within.stderr, /within budget/);
    // A flat heap passes the default budgets.
    const flat = await runCliCaptured(['gate', series(0)]);
    assert.equal(flat.code, 0, flat.stderr);
  });

  it('gate checks the cgroup ratio budget', async () => {
    const dir = series(0, { cgroupRatio: 0.95 });
    const over = await runCliCaptured(['gate', dir]);
    assert.equal(over.code, 1);
    assert.match(over.stderr, /cgroup memory at 95\.0% of its limit, budget 90\.0%/);
    assert.equal((await runCliCaptured(['gate', dir, '--max-cgroup-ratio', '97%'])).code, 0);
  });

  it('gate rejects nonsense units with a clear message and exit 2', async () => {
    const dir = series(0);
    const cases: [string[], RegExp][] = [
      [['--max-heap-growth', '1MB'], /--max-heap-growth: cannot parse "1MB"; expected SIZE\/TIME/],
      [['--max-heap-growth', '1XB/min'], /unknown byte unit "XB"/],
      [['--max-goroutine-growth', 'many'], /--max-goroutine-growth: cannot parse "many"/],
      [['--max-cgroup-ratio', '2'], /above 1/],
      [['--max-alloc-rate', '50MB/week'], /unknown time unit "week"/],
    ];
    for (const [args, re] of cases) {
      const r = await runCliCaptured(['gate', dir, ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, re);
    }
    // A target that cannot be collected from is an error (2), never "over budget" (1).
    // --out in a folder the test removes: without it the gate keeps its series in a fresh os.tmpdir() folder.
    const out = mkdtempSync(path.join(os.tmpdir(), 'leakhunt-gate-test-'));
    dirs.push(out);
    const target = await runCliCaptured([
      'gate',
      'http://127.0.0.1:1',
      '--count',
      '1',
      '--interval',
      '100ms',
      '--out',
      path.join(out, 'series'),
    ]);
    assert.equal(target.code, 2, target.stderr);
    assert.match(target.stderr, /collecting from http:\/\/127\.0\.0\.1:1 failed|no usable snapshots/);
  });
});
