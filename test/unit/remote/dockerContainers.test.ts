import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { containerEndpoint, parseDockerInspect, parseDockerPs } from '../../../src/core/remote/dockerContainers';
import { InvalidArgumentError, RemoteCommandError } from '../../../src/core/remote/remoteErrors';

const rec = path.resolve(__dirname, '../../../testdata/recorded/docker');

describe('docker inspect / docker ps parsing', () => {
  it('parses REAL recorded docker inspect output (default bridge; see testdata/recorded/README.md)', () => {
    const [c] = parseDockerInspect(readFileSync(path.join(rec, 'inspect-bridge-2019.json'), 'utf8'));
    assert.ok(c);
    assert.equal(c.name, 'cen');
    assert.equal(c.id, '86199ab4c77bb43a21bef6b7e711bed3c30baa7dc50de3182de3c73d2ba116b7');
    assert.equal(c.pid, 12680);
    assert.equal(c.running, true);
    assert.deepEqual(c.networks, [{ network: 'bridge', ip: '172.17.0.3' }]);
    assert.equal(c.memoryLimit, null);
    assert.deepEqual(containerEndpoint(c, 6060), { host: '172.17.0.3', port: 6060 });
  });

  it('parses the documented user-network format (written from the docs, not recorded)', () => {
    const [c] = parseDockerInspect(readFileSync(path.join(rec, 'inspect-usernet-documented.json'), 'utf8'));
    assert.ok(c);
    assert.equal(c.name, 'ecu-telemetry');
    assert.equal(c.pid, 48213);
    assert.equal(c.memoryLimit, 268435456);
    assert.equal(c.networks.length, 2);
    assert.deepEqual(containerEndpoint(c, 6060, { network: 'can_net' }), { host: '172.21.0.2', port: 6060 });
    assert.throws(() => containerEndpoint(c, 6060, { network: 'nope' }), InvalidArgumentError);
    assert.deepEqual(containerEndpoint({ ...c, networkMode: 'host' }, 6060), { host: '127.0.0.1', port: 6060 });
    assert.throws(() => containerEndpoint({ ...c, running: false, pid: null }, 6060), /not running/);
  });

  it('parses docker ps JSON lines', () => {
    const ps = parseDockerPs(readFileSync(path.join(rec, 'ps-documented.jsonl'), 'utf8'));
    assert.deepEqual(
      ps.map((p) => [p.name, p.state, p.networks.join('+')]),
      [
        ['ecu-telemetry', 'running', 'can_net+ecu_net'],
        ['cen', 'running', 'bridge'],
      ],
    );
  });

  it('rejects output that is not docker JSON with a typed error', () => {
    assert.throws(() => parseDockerInspect('Error: No such object: x'), RemoteCommandError);
    assert.throws(() => parseDockerInspect('{}'), RemoteCommandError);
    assert.throws(() => parseDockerPs('not json'), RemoteCommandError);
  });
});
