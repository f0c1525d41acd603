import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import path from 'node:path';
import SSHConfig from 'ssh-config';
import { sshHostTarget, withContainer } from '../../../src/core/editor/sshHostTarget';
import { loadSshConfig } from '../../../src/core/remote/resolveSshRoute';
import { sshConfigHostAliases } from '../../../src/core/remote/sshConfigHosts';

describe('sshConfigHostAliases', () => {
  it('lists concrete Host aliases in file order without patterns, negations, Match blocks or repeats', () => {
    const config = SSHConfig.parse(
      [
        'Host *',
        '  ServerAliveInterval 30',
        'Host ecu-1 ecu-2 *.lab !bad gw?',
        '  User root',
        'Match host ecu-3',
        '  User u',
        'Host "two words"',
        'Host gw ecu-1',
        '  HostName 10.0.0.1',
      ].join('\n'),
    );
    assert.deepEqual(sshConfigHostAliases(config), ['ecu-1', 'ecu-2', 'gw']);
  });

  it('follows Include through the shared ssh-config loader', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sshcfg-'));
    try {
      writeFileSync(path.join(dir, 'more'), 'Host included\n  HostName 127.0.0.1\n');
      writeFileSync(path.join(dir, 'config'), `Host first\nInclude ${path.join(dir, 'more')}\n`);
      assert.deepEqual(sshConfigHostAliases(await loadSshConfig(path.join(dir, 'config'))), ['first', 'included']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sshHostTarget / withContainer', () => {
  it('builds an ssh:// target for an alias, and one for a container on it', () => {
    const t = sshHostTarget('ecu-1');
    assert.equal(t.url, 'ssh://ecu-1');
    assert.deepEqual(t.spec, { kind: 'ssh', host: 'ecu-1' });
    assert.equal(t.container, undefined);
    const c = withContainer(t, 'ecu-telemetry');
    assert.equal(c.name, 'ecu-1/ecu-telemetry');
    assert.equal(c.container, 'ecu-telemetry');
    assert.equal(c.url, t.url);
    assert.equal(t.endpoint, '127.0.0.1:6060');
    assert.equal(withContainer(sshHostTarget('h', '0.0.0.0:7070'), 'c').endpoint, '0.0.0.0:7070');
  });

  it('refuses an alias or container name that could smuggle shell syntax', () => {
    assert.throws(() => sshHostTarget('a;rm -rf'), /ssh:\/\//);
    assert.throws(() => withContainer(sshHostTarget('ecu'), '$(reboot)'), /invalid container name/);
    assert.throws(() => sshHostTarget('ecu', 'x;y:80'), /invalid/);
  });
});
