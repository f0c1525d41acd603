import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { DocumentAnalyzer, type DocumentChange } from '../../../src/core/analysis/documentAnalyzer';
import { lineStarts } from '../../../src/core/analysis/textEdits';

const corpus = path.resolve(__dirname, '../../corpus/analysis');
const loops = readFileSync(path.join(corpus, 'goroutine/loops.go'), 'utf8');

/** A change expressed by offsets, converted to the line/character form editors send. */
function change(text: string, start: number, end: number, insert: string): DocumentChange {
  const starts = lineStarts(text);
  const pos = (o: number): [number, number] => {
    let line = 0;
    while (line + 1 < starts.length && starts[line + 1]! <= o) line++;
    return [line, o - starts[line]!];
  };
  const [startLine, startCharacter] = pos(start);
  const [endLine, endCharacter] = pos(end);
  return { startLine, startCharacter, endLine, endCharacter, text: insert };
}

describe('analysis: DocumentAnalyzer (incremental reparse)', function () {
  this.timeout(60000);

  it('finds the same problems as a fresh analysis after edits, and follows the edit', async () => {
    const doc = await DocumentAnalyzer.create('loops.go', loops);
    try {
      const before = doc.findings().filter((f) => f.rule === 'goroutine-leak');
      assert.ok(before.length >= 5);
      // Fix the seed's CAN reader by adding a done case: that finding must go, and lines below shift by two.
      const at = loops.indexOf(
        '\t\t\tcase f := <-frames:\n\t\t\t\tprocess(f)\n\t\t\t}\n\t\t}\n\t}()\n}\n\nfunc startPlainReceive',
      );
      assert.ok(at > 0);
      doc.applyChanges([change(loops, at, at, '\t\t\tcase <-make(chan int):\n\t\t\t\treturn\n')]);
      const after = doc.findings().filter((f) => f.rule === 'goroutine-leak');
      assert.equal(after.length, before.length - 1);
      assert.deepEqual(
        after.map((f) => f.line),
        before.slice(1).map((f) => f.line + 2),
      );
      const fresh = await DocumentAnalyzer.create('loops.go', doc.text);
      assert.deepEqual(fresh.findings(), doc.findings());
      fresh.dispose();
    } finally {
      doc.dispose();
    }
  });

  it('keeps the incremental tree identical to a full parse under random edits (with non-ASCII text)', async () => {
    const base = `// héllo 😀 日本\n${loops}`;
    const doc = await DocumentAnalyzer.create('x.go', base);
    const fresh = await DocumentAnalyzer.create('x.go', base);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              a: fc.nat(),
              len: fc.nat({ max: 12 }),
              insert: fc.constantFrom('', 'x', '\n', 'é', '😀', 'go func() {}()\n', ' ', '}', '// c\n'),
            }),
            { minLength: 1, maxLength: 4 },
          ),
          async (edits) => {
            const changes: DocumentChange[] = [];
            let text = doc.text;
            for (const e of edits) {
              let start = e.a % (text.length + 1);
              // Never split a surrogate pair: editors do not produce such edits.
              if (start > 0 && /[\uDC00-\uDFFF]/.test(text[start] ?? '')) start--;
              let end = Math.min(text.length, start + e.len);
              if (/[\uDC00-\uDFFF]/.test(text[end] ?? '')) end++;
              changes.push(change(text, start, end, e.insert));
              text = text.slice(0, start) + e.insert + text.slice(end);
            }
            doc.applyChanges(changes);
            assert.equal(doc.text, text);
            fresh.setText(text);
            assert.equal(doc.syntaxTree(), fresh.syntaxTree());
            assert.deepEqual(doc.findings(), fresh.findings());
          },
        ),
        { numRuns: 60, seed: 42 },
      );
    } finally {
      doc.dispose();
      fresh.dispose();
    }
  });

  it('sees package-level facts from sibling files', async () => {
    const a = 'package p\n\nimport "sync"\n\nvar m sync.Map\n\nfunc put(k string) { m.Store(k, 1) }\n';
    const doc = await DocumentAnalyzer.create('a.go', a);
    try {
      assert.equal(doc.findings().filter((f) => f.rule === 'sync-map-misuse').length, 1);
      doc.setSiblings([{ path: 'b.go', text: 'package p\n\nfunc drop(k string) { m.Delete(k) }\n' }]);
      assert.deepEqual(doc.findings(), []);
    } finally {
      doc.dispose();
    }
  });

  it('refuses use after dispose with a clear error', async () => {
    const doc = await DocumentAnalyzer.create('a.go', 'package p\n');
    doc.dispose();
    assert.throws(() => doc.findings(), /after dispose/);
  });
});
