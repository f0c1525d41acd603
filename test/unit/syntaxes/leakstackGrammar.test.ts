import assert from 'node:assert/strict';
import type * as textmate from 'vscode-textmate';
import { lineScopes, loadTextmateGrammar } from '../../fixtures/textmateGrammar';
import { leakSitesOf, renderStackDocument } from '../../../src/core/editor/leakSites';
import type { LeakReport } from '../../../src/core/leak/leakReport';

// VS Code's own TextMate engine, on text made by the same renderer the stack documents use.
let grammar: textmate.IGrammar;

/** Scopes of `text` under the grammar loaded in `before`. */
function scopes(text: string): [string, string][][] {
  return lineScopes(grammar, text);
}

describe('leakstack TextMate grammar (the "show leak stack" documents)', () => {
  before(async () => {
    grammar = await loadTextmateGrammar('source.leakstack', 'leakstack.tmLanguage.json');
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

  it('scopes the "created by" line that ends a goroutine group\'s stacks', () => {
    const report = {
      heap: null,
      goroutines: {
        suspects: [
          {
            function: 'example.com/ecu/can.readFrames',
            file: '/build/ecu/can/reader.go',
            line: 78,
            state: 'chan receive',
            createdBy: { function: 'example.com/ecu/can.(*Bus).Start', file: '/build/ecu/can/reader.go', line: 62 },
            count: 40,
            slopePerMin: 20,
            proven: false,
            verdict: 'leak',
            reason: 'grows',
            stacks: [
              {
                frames: [{ function: 'example.com/ecu/can.readFrames', file: '/build/ecu/can/reader.go', line: 78 }],
                count: 40,
                slopePerMin: 20,
                growth: 30,
              },
            ],
            stacksInWindow: 1,
          },
        ],
      },
    } as unknown as LeakReport;
    const lines = scopes(renderStackDocument('ecu-7', leakSitesOf(report)));
    const created = lines.find((l) => l[0]?.[0] === 'created by');
    assert.deepEqual(created, [
      ['created by', 'keyword.control.created-by.leakstack'],
      ['example.com/ecu/can.(*Bus).', 'entity.name.namespace.package.leakstack'],
      ['Start', 'entity.name.function.leakstack'],
    ]);
    const frame = lines[lines.indexOf(created!) + 1];
    assert.deepEqual(frame?.[2], ['62', 'constant.numeric.line.leakstack']);
  });
});
