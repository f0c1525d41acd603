import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type * as textmate from 'vscode-textmate';
import { lineScopes, loadTextmateGrammar } from '../../fixtures/textmateGrammar';

const root = path.resolve(__dirname, '../../..');
let grammar: textmate.IGrammar;

/** Scopes of `text` under the grammar loaded in `before`. */
function scopes(text: string): [string, string][][] {
  return lineScopes(grammar, text);
}

describe('goroutines TextMate grammar', () => {
  before(async () => {
    grammar = await loadTextmateGrammar('source.goroutines', 'goroutines.tmLanguage.json');
  });

  it('scopes a debug=2 goroutine block: header, state, wait, frames, created by', () => {
    const [header, fn, frame, created, createdFrame] = scopes(
      [
        'goroutine 19 [chan receive, 5 minutes, locked to thread]:',
        'example.com/ecu-demo/can.(*Reader).loop(0xc000012345, {0x7b8d10, 0x1})',
        '\t/work/ecu-demo/can/reader.go:45 +0x105',
        'created by main.main in goroutine 1',
        '\t/work/ecu-demo/main.go:57 +0x406',
      ].join('\n'),
    );
    assert.deepEqual(header, [
      ['goroutine', 'keyword.other.goroutine.goroutines'],
      ['19', 'constant.numeric.goroutine-id.goroutines'],
      ['[', 'punctuation.definition.state.begin.goroutines'],
      ['chan receive', 'entity.name.tag.state.goroutines'],
      [',', 'punctuation.separator.goroutines'],
      ['5', 'constant.numeric.wait-minutes.goroutines'],
      ['minutes', 'keyword.other.unit.goroutines'],
      [',', 'punctuation.separator.goroutines'],
      ['locked to thread', 'storage.modifier.goroutines'],
      [']', 'punctuation.definition.state.end.goroutines'],
      [':', 'punctuation.separator.goroutines'],
    ]);
    assert.deepEqual(fn![0], ['example.com/ecu-demo/can.(*Reader).loop', 'entity.name.function.goroutines']);
    assert.ok(fn!.some(([t, s]) => t.includes('0xc000012345') && s === 'constant.numeric.argument.goroutines'));
    assert.deepEqual(frame, [
      ['/work/ecu-demo/can/reader.go', 'string.unquoted.path.goroutines'],
      [':', 'punctuation.separator.goroutines'],
      ['45', 'constant.numeric.line.goroutines'],
      ['+0x105', 'comment.other.offset.goroutines'],
    ]);
    assert.deepEqual(created, [
      ['created by', 'keyword.control.created-by.goroutines'],
      ['main.main', 'entity.name.function.goroutines'],
      ['in goroutine', 'keyword.control.created-by.goroutines'],
      ['1', 'constant.numeric.goroutine-id.goroutines'],
    ]);
    assert.equal(createdFrame![0]![1], 'string.unquoted.path.goroutines');
  });

  it('marks Go 1.26 leaked goroutines and newer header fields', () => {
    const [header] = scopes('goroutine 7 gp=0xc000003c00 m=nil [chan send (leaked)]:');
    assert.ok(header!.some(([t, s]) => t === '(leaked)' && s === 'invalid.illegal.leaked.goroutines'));
    assert.ok(header!.some(([t, s]) => t === 'chan send' && s === 'entity.name.tag.state.goroutines'));
    assert.ok(
      header!.some(([t, s]) => t.includes('gp=0xc000003c00') && s === 'comment.other.scheduler-info.goroutines'),
    );
  });

  it('scopes the debug=1 form: total, group counts, labels and frames', () => {
    const [total, group, labels, frame] = scopes(
      [
        'goroutine profile: total 10',
        '2 @ 0x103b125 0x106cd1f',
        '# labels: {"test_label":"test_value"}',
        '#\t0x13ac449\tmain.shortSleepLoop+0x29\t/Users/x/main.go:165',
      ].join('\n'),
    );
    assert.deepEqual(total![2], ['10', 'constant.numeric.count.goroutines']);
    assert.deepEqual(group![0], ['2', 'constant.numeric.count.goroutines']);
    assert.deepEqual(labels![1], ['{"test_label":"test_value"}', 'string.unquoted.labels.goroutines']);
    assert.deepEqual(
      frame!.map(([, s]) => s),
      [
        'comment.line.number-sign.goroutines',
        'comment.other.pc.goroutines',
        'entity.name.function.goroutines',
        'comment.other.offset.goroutines',
        'string.unquoted.path.goroutines',
        'punctuation.separator.goroutines',
        'constant.numeric.line.goroutines',
      ],
    );
  });

  it('gives every frame line of a real dump a path scope', () => {
    const file = path.resolve(root, '../shared/corpus/profiles/goroutine-triplets/2.pprof.lookup.goroutine.debug2.txt');
    const lines = readFileSync(file, 'utf8').split('\n');
    const tokens = scopes(lines.join('\n'));
    let frames = 0;
    lines.forEach((l, i) => {
      if (!/^\t\S+\.(go|s):\d+/.test(l)) return;
      frames++;
      assert.equal(tokens[i]![0]![1], 'string.unquoted.path.goroutines', l);
    });
    assert.ok(frames > 20);
  });
});
