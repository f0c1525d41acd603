import * as assert from 'node:assert/strict';
import { CliUsageError } from '../../../src/cli/cliCommand';
import { parseWatchTarget } from '../../../src/cli/openWatchTarget';
import { parseDuration } from '../../../src/cli/parseDuration';

describe('watch TARGET and durations', () => {
  it('parses http:// and ssh:// targets', () => {
    assert.deepEqual(parseWatchTarget('http://127.0.0.1:6060'), { kind: 'http', host: '127.0.0.1', port: 6060 });
    assert.deepEqual(parseWatchTarget('http://[::1]:6060/'), { kind: 'http', host: '::1', port: 6060 });
    assert.deepEqual(parseWatchTarget('ssh://ecu'), { kind: 'ssh', host: 'ecu' });
    assert.deepEqual(parseWatchTarget('ssh://pi@ecu-7.lan:2222'), {
      kind: 'ssh',
      host: 'ecu-7.lan',
      user: 'pi',
      port: 2222,
    });
  });

  it('rejects anything else with a usage error', () => {
    for (const bad of [
      'ecu',
      'https://x:1',
      'http://x',
      'http://x:99999',
      'ssh://a b',
      'ssh://x:0',
      'ssh://$(id)@x',
      'ssh://x;id',
      'http://x;id:80',
    ]) {
      assert.throws(() => parseWatchTarget(bad), CliUsageError, bad);
    }
  });

  it('parses durations', () => {
    assert.equal(parseDuration('10s', 'i'), 10000);
    assert.equal(parseDuration('250ms', 'i'), 250);
    assert.equal(parseDuration('2m', 'i'), 120000);
    assert.equal(parseDuration('1.5', 'i'), 1500);
    assert.throws(() => parseDuration('soon', 'i'), CliUsageError);
    assert.throws(() => parseDuration('0s', 'i'), CliUsageError);
  });
});
