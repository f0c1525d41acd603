import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ruleCatalog } from '../../../src/core/analysis/ruleCatalog';
import { runCliCaptured } from '../../fixtures/runCliCaptured';

const corpus = path.resolve(__dirname, '../../corpus/analysis');

const LEAKY = `package p

import "context"

func f(parent context.Context) context.Context {
	ctx, _ := context.WithCancel(parent)
	return ctx
}
`;
const CLEAN = `package p

import "context"

func g(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	<-ctx.Done()
}
`;

describe('leakhunt lint (in-process)', function () {
  this.timeout(60000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'leakhunt-lint-'));
    mkdirSync(path.join(dir, 'pkg'));
    writeFileSync(path.join(dir, 'pkg', 'leaky.go'), LEAKY);
    writeFileSync(path.join(dir, 'pkg', 'clean.go'), CLEAN);
    mkdirSync(path.join(dir, 'clean'));
    writeFileSync(path.join(dir, 'clean', 'clean.go'), CLEAN);
    for (const sub of ['vendor/x', 'testdata']) {
      mkdirSync(path.join(dir, sub), { recursive: true });
      writeFileSync(path.join(dir, sub, 'leaky.go'), LEAKY);
    }
    mkdirSync(path.join(dir, 'broken'));
    writeFileSync(path.join(dir, 'broken', 'bad.go'), 'package p\n\nfunc h() {\n\tgo func() {\n');
    writeFileSync(path.join(dir, 'broken', 'leaky.go'), LEAKY);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints file:line:col findings in text and exits 1; a clean tree exits 0 with no output', async () => {
    const r = await runCliCaptured(['lint', 'pkg'], dir);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(
      r.stdout,
      `${path.join('pkg', 'leaky.go')}:6:12: warning: the cancel function returned by context.WithCancel is discarded [lost-cancel]\n`,
    );
    const c = await runCliCaptured(['lint', 'clean'], dir);
    assert.deepEqual(c, { code: 0, stdout: '', stderr: '' });
  });

  it('emits the documented JSON shape with 1-based ranges', async () => {
    const r = await runCliCaptured(['lint', '--format', 'json', 'pkg'], dir);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as { files: number; findings: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(doc), ['files', 'findings']);
    assert.equal(doc.files, 2);
    assert.deepEqual(doc.findings, [
      {
        rule: 'lost-cancel',
        file: path.join('pkg', 'leaky.go'),
        line: 6,
        column: 12,
        endLine: 6,
        endColumn: 38,
        severity: 'warning',
        message: 'the cancel function returned by context.WithCancel is discarded',
      },
    ]);
    // The range covers exactly the call expression.
    const line = LEAKY.split('\n')[5]!;
    assert.equal(line.slice(11, 37), 'context.WithCancel(parent)');
  });

  it('emits SARIF 2.1.0 with metadata for every rule and results that point at it', async () => {
    const r = await runCliCaptured(['lint', '--format', 'sarif', 'pkg'], dir);
    assert.equal(r.code, 1, r.stderr);
    const log = JSON.parse(r.stdout) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string; fullDescription: { text: string }; defaultConfiguration: object }[] } };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          locations: { physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }[];
        }[];
      }[];
    };
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0]!;
    assert.deepEqual(
      run.tool.driver.rules.map((x) => x.id),
      ruleCatalog.map((x) => x.id),
    );
    for (const rule of run.tool.driver.rules) assert.ok(rule.fullDescription.text.length > 80, rule.id);
    assert.equal(run.results.length, 1);
    const res = run.results[0]!;
    assert.equal(run.tool.driver.rules[res.ruleIndex]!.id, res.ruleId);
    assert.equal(res.level, 'warning');
    assert.deepEqual(res.locations[0]!.physicalLocation.region, {
      startLine: 6,
      startColumn: 12,
      endLine: 6,
      endColumn: 38,
    });
    assert.equal(res.locations[0]!.physicalLocation.artifactLocation.uri, 'pkg/leaky.go');
    // A file outside the working directory keeps an absolute file: URI and no base id.
    const outside = await runCliCaptured(['lint', '--format', 'sarif', '../pkg'], path.join(dir, 'clean'));
    const loc = (JSON.parse(outside.stdout) as typeof log).runs[0]!.results[0]!.locations[0]!.physicalLocation;
    assert.deepEqual(loc.artifactLocation, { uri: `file://${path.join(dir, 'pkg', 'leaky.go')}` });
  });

  it('runs only the rules named by --rules', async () => {
    const only = await runCliCaptured(['lint', '--rules', 'timer-leak,goroutine-leak', 'pkg'], dir);
    assert.deepEqual(only, { code: 0, stdout: '', stderr: '' });
    const lc = await runCliCaptured(['lint', '--rules', 'lost-cancel', 'pkg'], dir);
    assert.equal(lc.code, 1);
  });

  it('skips vendor/ and testdata/ unless asked to include them', async () => {
    const def = await runCliCaptured(['lint', '--format', 'json', '.'], dir);
    const files = (JSON.parse(def.stdout) as { findings: { file: string }[] }).findings.map((f) => f.file);
    assert.ok(!files.some((f) => f.startsWith('vendor') || f.startsWith('testdata')), files.join(','));
    const inc = await runCliCaptured(['lint', '--format', 'json', '--include-vendor', '--include-testdata', '.'], dir);
    const all = (JSON.parse(inc.stdout) as { findings: { file: string }[] }).findings.map((f) => f.file);
    assert.ok(all.includes(path.join('vendor', 'x', 'leaky.go')), all.join(','));
    assert.ok(all.includes(path.join('testdata', 'leaky.go')), all.join(','));
  });

  it('reports an unparseable file on stderr, skips it and still lints the rest', async () => {
    const r = await runCliCaptured(['lint', 'broken'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /skipped broken[\\/]bad\.go: syntax error near line \d+/);
    assert.match(r.stdout, /broken[\\/]leaky\.go:6:12: .*\[lost-cancel\]/);
  });

  it('exits 2 with one line on usage errors and missing paths', async () => {
    for (const argv of [
      ['lint', '--rules', 'no-such-rule'],
      ['lint', '--format', 'xml'],
      ['lint', '--threads', 'many'],
      ['lint', '--bogus'],
      ['lint', 'does-not-exist'],
    ]) {
      const r = await runCliCaptured(argv, dir);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^leakhunt lint: /);
      assert.ok(!/\n\s+at /.test(r.stderr), r.stderr);
    }
  });

  it('agrees between worker threads and the main thread on the labelled corpus', async () => {
    const copy = path.join(dir, 'corpus');
    cpSync(corpus, copy, { recursive: true });
    const a = await runCliCaptured(['lint', '--format', 'json', '--threads', '0', 'corpus'], dir);
    const b = await runCliCaptured(['lint', '--format', 'json', '--threads', '2', 'corpus'], dir);
    assert.equal(a.code, 1, a.stderr);
    assert.equal(b.stdout, a.stdout);
    assert.ok((JSON.parse(a.stdout) as { findings: unknown[] }).findings.length >= 40);
  });
});
