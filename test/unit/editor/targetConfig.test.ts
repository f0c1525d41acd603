import assert from 'node:assert/strict';
import { parseTargetConfigs, seriesFolderName } from '../../../src/core/editor/targetConfig';

describe('editor/targetConfig (the leakhunt.targets setting)', () => {
  it('accepts http:// and ssh:// targets with their options and the default endpoint', () => {
    const { targets, problems } = parseTargetConfigs([
      { name: 'local', url: 'http://127.0.0.1:6060', pid: 42 },
      { name: 'ecu', url: 'ssh://pi@ecu-7:2222', container: 'can', identityFile: '/k', pprofPrefix: '/pp' },
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(targets[0], {
      name: 'local',
      url: 'http://127.0.0.1:6060',
      spec: { kind: 'http', host: '127.0.0.1', port: 6060 },
      endpoint: '127.0.0.1:6060',
      pid: '42',
    });
    assert.deepEqual(targets[1]?.spec, { kind: 'ssh', host: 'ecu-7', user: 'pi', port: 2222 });
    assert.equal(targets[1]?.container, 'can');
  });

  it('reports bad entries one by one and keeps the good ones', () => {
    const { targets, problems } = parseTargetConfigs([
      { name: 'ok', url: 'http://127.0.0.1:1' },
      { name: 'ok', url: 'http://127.0.0.1:2' },
      { url: 'http://127.0.0.1:3' },
      { name: 'bad-url', url: 'ftp://x' },
      { name: 'bad-port', url: 'http://127.0.0.1:99999' },
      { name: 'bad-ep', url: 'ssh://h', endpoint: 'nohost' },
      { name: 'bad-pid', url: 'ssh://h', pid: '1; rm -rf /' },
      { name: 'http-container', url: 'http://127.0.0.1:4', container: 'c' },
      'just a string',
    ]);
    assert.deepEqual(
      targets.map((t) => t.name),
      ['ok'],
    );
    assert.deepEqual(
      problems.map((p) => p.index),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.match(problems[0]!.message, /duplicate/);
    assert.match(problems[2]!.message, /http:\/\/HOST:PORT/);
    assert.deepEqual(parseTargetConfigs({}).problems, [{ index: -1, message: 'leakhunt.targets must be an array' }]);
    assert.deepEqual(parseTargetConfigs(undefined), { targets: [], problems: [] });
  });

  it('takes forceGc as a boolean only', () => {
    const { targets, problems } = parseTargetConfigs([
      { name: 'gc', url: 'http://127.0.0.1:1', forceGc: true },
      { name: 'no-gc', url: 'http://127.0.0.1:2', forceGc: false },
      { name: 'bad', url: 'http://127.0.0.1:3', forceGc: 'yes' },
    ]);
    assert.deepEqual(
      targets.map((t) => [t.name, t.forceGc]),
      [
        ['gc', true],
        ['no-gc', undefined],
      ],
    );
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /"forceGc" must be true or false/);
  });

  it('makes safe folder names', () => {
    assert.equal(seriesFolderName('ecu-7 (prod)/..'), 'ecu-7_prod_..');
    assert.equal(seriesFolderName('..'), '_');
    assert.equal(seriesFolderName(''), 'target');
  });
});
