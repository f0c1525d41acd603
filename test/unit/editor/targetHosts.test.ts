import assert from 'node:assert/strict';
import { parseTargetConfigs } from '../../../src/core/editor/targetConfig';
import { groupTargetsByHost, targetEndpoint } from '../../../src/core/editor/targetHosts';

describe('editor/targetHosts (the Targets view grouped by host)', () => {
  it('groups targets by transport and address, hosts and targets in setting order', () => {
    const { targets, problems } = parseTargetConfigs([
      { name: 'telemetry', url: 'ssh://pi@ecu-7:2222', container: 'telemetry' },
      { name: 'local', url: 'http://127.0.0.1:6060' },
      { name: 'can', url: 'ssh://pi@ecu-7:2222', container: 'can', endpoint: '127.0.0.1:7070' },
      { name: 'other-user', url: 'ssh://root@ecu-7:2222' },
      { name: 'local-2', url: 'http://127.0.0.1:6061' },
    ]);
    assert.deepEqual(problems, []);
    const hosts = groupTargetsByHost(targets);
    assert.deepEqual(
      hosts.map((h) => [h.key, h.label, h.transport, h.targets.map((t) => t.name)]),
      [
        ['ssh:pi@ecu-7:2222', 'pi@ecu-7:2222', 'ssh', ['telemetry', 'can']],
        ['http:127.0.0.1', '127.0.0.1', 'http', ['local', 'local-2']],
        ['ssh:root@ecu-7:2222', 'root@ecu-7:2222', 'ssh', ['other-user']],
      ],
    );
  });

  it('labels an ssh-config alias without user or port by its name alone, and gives nothing for no targets', () => {
    const { targets } = parseTargetConfigs([{ name: 'gw', url: 'ssh://ecu-gw' }]);
    assert.deepEqual(
      groupTargetsByHost(targets).map((h) => h.label),
      ['ecu-gw'],
    );
    assert.deepEqual(groupTargetsByHost([]), []);
  });

  it("gives an ssh target's endpoint on its host and an http target's own address", () => {
    const { targets } = parseTargetConfigs([
      { name: 'a', url: 'http://127.0.0.1:38959' },
      { name: 'b', url: 'ssh://pi@ecu-7', endpoint: '10.0.0.5:7070' },
      { name: 'c', url: 'ssh://pi@ecu-7' },
    ]);
    assert.deepEqual(targets.map(targetEndpoint), ['127.0.0.1:38959', '10.0.0.5:7070', '127.0.0.1:6060']);
  });
});
