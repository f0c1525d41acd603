import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { analyzePackage } from '../../../src/core/analysis/analyzePackage';
import { createGoParser } from '../../../src/core/analysis/goParser';
import type { Rule } from '../../../src/core/analysis/rule';
import { allRules } from '../../../src/core/analysis/rules/index';
import { ScanAbortedError, scanWorkspace } from '../../../src/core/analysis/workspaceScanner';

const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
const net = path.join(goroot, 'src', 'net');

describe('analysis: workspace scanner', function () {
  this.timeout(120000);

  it('reports progress up to the total and returns sorted findings', async () => {
    const seen: [number, number][] = [];
    const res = await scanWorkspace([path.join(net, 'http')], { threads: 2, onProgress: (d, t) => seen.push([d, t]) });
    assert.ok(seen.length > 3);
    const total = seen[0]![1];
    assert.equal(total, res.files);
    assert.deepEqual(seen.at(-1), [total, total]);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]![0] >= seen[i - 1]![0]);
    const keys = res.findings.map((f) => `${f.file}\0${String(f.line).padStart(6)}`);
    assert.deepEqual(keys, [...keys].sort());
  });

  it('stops on abort with an AbortError, in worker threads and on the main thread', async () => {
    for (const threads of [2, 0]) {
      const ac = new AbortController();
      let progress = 0;
      const p = scanWorkspace([net], {
        threads,
        signal: ac.signal,
        onProgress: () => {
          if (++progress === 2) ac.abort();
        },
      });
      await assert.rejects(p, (e: unknown) => e instanceof ScanAbortedError && e.name === 'AbortError');
      assert.ok(progress >= 2);
    }
  });

  it('rejects at once when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(scanWorkspace([net], { signal: ac.signal }), ScanAbortedError);
  });

  it('fails fast on an unknown rule id before starting any thread', async () => {
    await assert.rejects(scanWorkspace([net], { rules: ['nope'] }), /unknown rule nope/);
  });
});

describe('analysis: workspace scanner robustness', function () {
  this.timeout(60000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'leakhunt-scan-'));
    for (const d of ['a', 'crash', 'b']) {
      mkdirSync(path.join(dir, d));
      writeFileSync(path.join(dir, d, 'x.go'), 'package x\n');
    }
    // Stands in for a worker whose parser crashes the thread on one package and answers normally otherwise.
    writeFileSync(
      path.join(dir, 'fakeWorker.js'),
      [
        "const { parentPort } = require('node:worker_threads');",
        "parentPort.on('message', (req) => {",
        "  if (req.pkg.dir.endsWith('crash')) process.exit(3);",
        '  parentPort.postMessage({ ok: true, result: { dir: req.pkg.dir, files: req.pkg.files.length, findings: [], skipped: [] } });',
        '});',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, 'deadWorker.js'), 'process.exit(7);\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('skips the package of a worker that dies, restarts a worker and finishes the rest', async () => {
    const res = await scanWorkspace([dir], {
      threads: 2,
      worker: { file: path.join(dir, 'fakeWorker.js'), execArgv: [] },
    });
    assert.equal(res.files, 3);
    assert.deepEqual(
      res.skipped.map((s) => [path.relative(dir, s.file), /the analyzer crashed: exit code 3/.test(s.reason)]),
      [[path.join('crash', 'x.go'), true]],
    );
  });

  it('gives up with a clear error when no worker can ever answer', async () => {
    const many = path.join(dir, 'many');
    for (let i = 0; i < 8; i++) {
      mkdirSync(path.join(many, `p${i}`), { recursive: true });
      writeFileSync(path.join(many, `p${i}`, 'x.go'), 'package x\n');
    }
    const dead = { file: path.join(dir, 'deadWorker.js'), execArgv: [] };
    await assert.rejects(scanWorkspace([many], { threads: 2, worker: dead }), /scan worker failed: exit code 7/);
    // With fewer packages than that, each is reported as skipped instead.
    const few = await scanWorkspace([path.join(dir, 'a'), path.join(dir, 'b')], { threads: 1, worker: dead });
    assert.equal(few.skipped.length, 2);
    for (const s of few.skipped) assert.match(s.reason, /the analyzer crashed: exit code 7/);
  });

  it('reports a rule that throws against the file and keeps the other rules', async () => {
    const parser = await createGoParser();
    try {
      const boom: Rule = {
        ...allRules[4]!,
        id: 'boom',
        trigger: /./,
        checkFile: () => {
          throw new Error('bug');
        },
      };
      const text = 'package p\n\nimport "context"\n\nfunc f(p context.Context) { _, _ = context.WithCancel(p) }\n';
      const res = analyzePackage(parser, [{ path: 'p.go', text }], { rules: [boom, ...allRules] });
      assert.deepEqual(res.skipped, [{ file: 'p.go', reason: 'rule boom failed: bug' }]);
      assert.deepEqual(
        res.findings.map((f) => f.rule),
        ['lost-cancel'],
      );
    } finally {
      parser.delete();
    }
  });
});
