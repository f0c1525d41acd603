import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { leakSitesOf, renderStackDocument } from '../../../src/core/editor/leakSites';
import type { LeakReport } from '../../../src/core/leak/leakReport';

// VS Code's own TextMate engine, on text made by the same renderer the stack documents use.
const root = path.resolve(__dirname, '../../..');
let grammar: textmate.IGrammar;

function scopes(text: string): [string, string][][] {
  let state = textmate.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens
      .map((t): [string, string] => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]!])
      .filter(([s]) => s.trim() !== '');
  });
}

describe('leakstack TextMate grammar (the "show leak stack" documents)', () => {
  before(async () => {
    const wasm = readFileSync(path.join(root, 'node_modules/vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
    const registry = new textmate.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
        createOnigString: (s) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scope) => {
        if (scope !== 'source.leakstack') return null;
        const file = path.join(root, 'syntaxes/leakstack.tmLanguage.json');
        return textmate.parseRawGrammar(readFileSync(file, 'utf8'), file);
      },
    });
    grammar = (await registry.loadGrammar('source.leakstack'))!;
  });

  it('scopes the site header, reason, growth line, functions and file:line frames', () => {
    const report = {
      heap: {
        suspects: [
          {
            function: 'example.com/ecu/cache.(*Store).put',
            file: '/build/ecu/cache/session_cache.go',
            line: 51,
            verdict: 'leak',
            slopeBytesPerMin: 3 << 20,
            inuseBytes: 42 << 20,
            reason: 'in use grows in every GC epoch',
            stack: [
              { function: 'example.com/ecu/cache.(*Store).put', file: '/build/ecu/cache/session_cache.go', line: 51 },
            ],
          },
        ],
      },
      goroutines: null,
    } as unknown as LeakReport;
    const [header, reason, , growth, fn, frame] = scopes(renderStackDocument('ecu-7', leakSitesOf(report)));
    assert.deepEqual(header, [
      ['leak site', 'keyword.other.site.leakstack'],
      ['/build/ecu/cache/session_cache.go', 'string.unquoted.file.leakstack'],
      [':', 'punctuation.separator.leakstack'],
      ['51', 'constant.numeric.line.leakstack'],
      ['[', 'punctuation.definition.verdict.begin.leakstack'],
      ['leak', 'invalid.illegal.verdict.leakstack'],
      [']', 'punctuation.definition.verdict.end.leakstack'],
      ['on', 'keyword.other.on.leakstack'],
      ['ecu-7', 'entity.name.tag.target.leakstack'],
    ]);
    assert.deepEqual(reason, [['# in use grows in every GC epoch', 'comment.line.number-sign.leakstack']]);
    assert.deepEqual(growth?.slice(-2), [
      ['+3.0', 'markup.inserted.growth.leakstack'],
      [' MiB/min (42.0 MiB in use)', 'comment.other.amount.leakstack'],
    ]);
    assert.deepEqual(fn, [
      ['example.com/ecu/cache.(*Store).', 'entity.name.namespace.package.leakstack'],
      ['put', 'entity.name.function.leakstack'],
    ]);
    assert.deepEqual(frame, [
      ['/build/ecu/cache/session_cache.go', 'string.unquoted.file.leakstack'],
      [':', 'punctuation.separator.leakstack'],
      ['51', 'constant.numeric.line.leakstack'],
    ]);
  });
});
