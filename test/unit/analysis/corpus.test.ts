import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Parser } from 'web-tree-sitter';
import { analyzePackage } from '../../../src/core/analysis/analyzePackage';
import { createGoParser } from '../../../src/core/analysis/goParser';
import { allRules } from '../../../src/core/analysis/rules/index';
import { INVALID_SUPPRESSION } from '../../../src/core/analysis/suppression';

// The labelled corpus works like analysistest: `// want "rule"` on a line means exactly one finding of that rule
// starts on that line; every finding without a marker is a false alarm.
const corpus = path.resolve(__dirname, '../../corpus/analysis');

interface Mark {
  file: string;
  line: number;
  rule: string;
}

function wants(file: string, text: string): Mark[] {
  const out: Mark[] = [];
  text.split('\n').forEach((l, i) => {
    const m = /\/\/ want ((?:"[^"]+"\s*)+)$/.exec(l);
    if (m) for (const r of m[1]!.matchAll(/"([^"]+)"/g)) out.push({ file, line: i + 1, rule: r[1]! });
  });
  return out;
}

describe('analysis: labelled corpus', function () {
  let parser: Parser;
  const expected: Mark[] = [];
  const actual: (Mark & { message: string })[] = [];

  before(async () => {
    parser = await createGoParser();
    for (const dir of readdirSync(corpus)) {
      const files = readdirSync(path.join(corpus, dir))
        .filter((f) => f.endsWith('.go'))
        .map((f) => {
          const p = path.join(dir, f);
          const text = readFileSync(path.join(corpus, p), 'utf8');
          expected.push(...wants(p, text));
          return { path: p, text };
        });
      const res = analyzePackage(parser, files);
      assert.deepEqual(res.skipped, [], `corpus files must parse cleanly: ${JSON.stringify(res.skipped)}`);
      for (const f of res.findings) actual.push({ file: f.file, line: f.line, rule: f.rule, message: f.message });
    }
  });

  after(() => parser.delete());

  it('has positive cases for every rule', () => {
    for (const r of [...allRules.map((r) => r.id), INVALID_SUPPRESSION])
      assert.ok(
        expected.some((e) => e.rule === r),
        `no want marker for ${r}`,
      );
  });

  it('finds every want and nothing else, and reports precision and recall per rule', () => {
    const key = (m: Mark): string => `${m.file}:${m.line}:${m.rule}`;
    const exp = new Map<string, number>();
    for (const e of expected) exp.set(key(e), (exp.get(key(e)) ?? 0) + 1);
    const unexpected: string[] = [];
    const rows = new Map<string, { tp: number; fp: number; fn: number }>();
    const row = (r: string): { tp: number; fp: number; fn: number } => {
      let x = rows.get(r);
      if (!x) rows.set(r, (x = { tp: 0, fp: 0, fn: 0 }));
      return x;
    };
    for (const a of actual) {
      const k = key(a);
      const left = exp.get(k) ?? 0;
      if (left > 0) {
        exp.set(k, left - 1);
        row(a.rule).tp++;
      } else {
        row(a.rule).fp++;
        unexpected.push(`${k}: ${a.message}`);
      }
    }
    const missing: string[] = [];
    for (const [k, n] of exp)
      for (let i = 0; i < n; i++) {
        missing.push(k);
        row(k.split(':').pop()!).fn++;
      }
    const lines = [...rows].map(([r, { tp, fp, fn }]) => {
      const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
      const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
      return `      ${r.padEnd(22)} tp=${tp} fp=${fp} fn=${fn}  precision=${precision.toFixed(2)} recall=${recall.toFixed(2)}`;
    });
    console.log(`    per-rule precision/recall over the labelled corpus:\n${lines.join('\n')}`);
    assert.deepEqual({ unexpected, missing }, { unexpected: [], missing: [] });
  });
});
