import assert from 'node:assert/strict';
import { parseSeriesWebviewMessage } from '../../../src/views/seriesDashboardMessages';

describe('series dashboard webview messages', () => {
  it('accepts the messages the webview sends, typed', () => {
    assert.deepEqual(parseSeriesWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseSeriesWebviewMessage({ type: 'selectDiff', baseSeq: 1, currentSeq: 30, extra: 'x' }), {
      type: 'selectDiff',
      baseSeq: 1,
      currentSeq: 30,
    });
    assert.deepEqual(parseSeriesWebviewMessage({ type: 'openSource', file: '/a/b.go', line: 7 }), {
      type: 'openSource',
      file: '/a/b.go',
      line: 7,
    });
  });

  it('drops anything malformed', () => {
    for (const bad of [
      null,
      'ready',
      42,
      {},
      { type: 'eval', code: 'x' },
      { type: 'selectDiff', baseSeq: '1', currentSeq: 2 },
      { type: 'selectDiff', baseSeq: -1, currentSeq: 2 },
      { type: 'selectDiff', baseSeq: 1.5, currentSeq: 2 },
      { type: 'selectDiff', baseSeq: 1 },
      { type: 'openSource', file: '', line: 1 },
      { type: 'openSource', file: 'x'.repeat(5000), line: 1 },
      { type: 'openSource', file: '/a.go', line: Number.NaN },
      { type: 'openSource', file: { toString: () => '/a.go' }, line: 1 },
    ]) {
      assert.equal(parseSeriesWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });
});
