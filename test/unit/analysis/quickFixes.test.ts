import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { analyzePackage, type FindingWithFixes } from '../../../src/core/analysis/analyzePackage';
import { createGoParser } from '../../../src/core/analysis/goParser';
import { applyTextEdits } from '../../../src/core/analysis/textEdits';

const corpus = path.resolve(__dirname, '../../corpus/analysis');

function lint(parser: Parser, file: string, text: string): FindingWithFixes[] {
  return analyzePackage(parser, [{ path: file, text }]).findings;
}

const same = (a: FindingWithFixes, b: FindingWithFixes): boolean => a.rule === b.rule && a.message === b.message;

describe('analysis: quick fixes', function () {
  this.timeout(60000);
  let parser: Parser;
  before(async () => (parser = await createGoParser()));
  after(() => parser.delete());

  const cases: { file: string; text: string }[] = [];
  for (const dir of readdirSync(corpus))
    for (const f of readdirSync(path.join(corpus, dir)).filter((x) => x.endsWith('.go')))
      cases.push({ file: `${dir}/${f}`, text: readFileSync(path.join(corpus, dir, f), 'utf8') });

  it('offers each mechanical fix where the issue asks for one', () => {
    const all = cases.flatMap((c) => lint(parser, c.file, c.text).flatMap((f) => f.fixes.map((x) => x.title)));
    for (const want of [
      /^Add 'defer cancel\(\)'$/,
      /^Add 'defer t\.Stop\(\)'$/,
      /^Add 'case <-ctx\.Done\(\): return'$/,
      /^Make 'ch' buffered/,
      /^Keep the cancel function and add 'defer cancel\(\)'$/,
      /^Suppress /,
    ])
      assert.ok(
        all.some((t) => want.test(t)),
        `no fix matching ${want}: ${[...new Set(all)].join(' | ')}`,
      );
  });

  it('every fix, applied, leaves valid Go and removes exactly the finding it was offered for', () => {
    let applied = 0;
    for (const c of cases) {
      const before = lint(parser, c.file, c.text);
      for (const finding of before) {
        for (const fix of finding.fixes) {
          const fixed = applyTextEdits(c.text, fix.edits);
          const tree = parser.parse(fixed)!;
          assert.ok(!tree.rootNode.hasError, `${fix.title} broke ${c.file}:\n${fixed}`);
          tree.delete();
          const after = lint(parser, c.file, fixed);
          const countBefore = before.filter((f) => same(f, finding)).length;
          const countAfter = after.filter((f) => same(f, finding)).length;
          // A suppression silences every finding of its rule on that line; any other fix removes exactly one.
          const removed = fix.title.startsWith('Suppress')
            ? before.filter((f) => f.rule === finding.rule && f.line === finding.line).length
            : 1;
          assert.equal(
            countAfter,
            countBefore -
              (fix.title.startsWith('Suppress')
                ? before.filter((f) => same(f, finding) && f.line === finding.line).length
                : 1),
            `${fix.title} at ${c.file}:${finding.line} did not remove the finding`,
          );
          // Nothing new appears (other findings may move down a line).
          assert.equal(
            after.length,
            before.length - removed,
            `${fix.title} at ${c.file}:${finding.line}: ${JSON.stringify(after.map((f) => f.message))}`,
          );
          applied++;
        }
      }
    }
    assert.ok(applied > 40, `only ${applied} fixes applied`);
  });

  it("adds `case <-ctx.Done(): return` with the select's indentation, using the context in scope", () => {
    const text = [
      'package p',
      '',
      'import "context"',
      '',
      'func run(ctx context.Context, in <-chan int) {',
      '\tgo func() {',
      '\t\tfor {',
      '\t\t\tselect {',
      '\t\t\tcase v := <-in:',
      '\t\t\t\t_ = v',
      '\t\t\t}',
      '\t\t}',
      '\t}()',
      '}',
      '',
    ].join('\n');
    const [f] = lint(parser, 'p.go', text);
    assert.equal(f?.rule, 'goroutine-leak');
    const fix = f!.fixes.find((x) => x.title.startsWith('Add'));
    assert.ok(fix);
    const fixed = applyTextEdits(text, fix.edits);
    assert.ok(fixed.includes('\t\t\tselect {\n\t\t\tcase <-ctx.Done():\n\t\t\t\treturn\n\t\t\tcase v := <-in:'), fixed);
    assert.deepEqual(lint(parser, 'p.go', fixed), []);
  });
});
