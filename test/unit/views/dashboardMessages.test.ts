import assert from 'node:assert/strict';
import { parseWebviewMessage } from '../../../src/views/dashboardMessages';

describe('parseWebviewMessage', () => {
  it('accepts the messages the dashboard sends', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'exportProfile', path: '/etc/x' }), { type: 'exportProfile' });
    assert.deepEqual(parseWebviewMessage({ type: 'selectSampleIndex', index: 2 }), {
      type: 'selectSampleIndex',
      index: 2,
    });
    assert.deepEqual(parseWebviewMessage({ type: 'selectGranularity', granularity: 'line' }), {
      type: 'selectGranularity',
      granularity: 'line',
    });
    assert.deepEqual(parseWebviewMessage({ type: 'openSource', file: '/x/a.go', line: 3, extra: 1 }), {
      type: 'openSource',
      file: '/x/a.go',
      line: 3,
    });
  });

  it('drops anything else, as a compromised webview could send it', () => {
    for (const bad of [
      null,
      'ready',
      [],
      {},
      { type: 'eval', code: 'x' },
      { type: 'selectSampleIndex', index: -1 },
      { type: 'selectSampleIndex', index: 1.5 },
      { type: 'selectSampleIndex', index: '1' },
      { type: 'selectGranularity', granularity: 'file' },
      { type: 'openSource', file: '', line: 1 },
      { type: 'openSource', file: 'a'.repeat(5000), line: 1 },
      { type: 'openSource', file: '/x/a.go', line: Number.NaN },
      { type: 'openSource', file: 42, line: 1 },
    ]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });
});
