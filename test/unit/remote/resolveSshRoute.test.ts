import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import SSHConfig from 'ssh-config';
import { SshConfigError } from '../../../src/core/remote/remoteErrors';
import { loadSshConfig, parseJumpSpec, resolveSshRoute } from '../../../src/core/remote/resolveSshRoute';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

const CONFIG = `
Host ecu
  HostName 10.1.2.3
  User pi
  Port 2222
  IdentityFile ~/.ssh/ecu_key
  IdentityFile %d/.ssh/second_%h
  ProxyJump gw
  ConnectTimeout 7
  ServerAliveInterval 5
  ServerAliveCountMax 4
  UserKnownHostsFile ~/.ssh/kh_ecu

Host gw
  HostName gw.example.com
  User jump
  ProxyJump bastion

Host bastion
  HostName 203.0.113.9
  Port 22022

Host direct
  HostName 192.0.2.1
  ProxyJump none

Host loop
  ProxyJump loop

Host multi
  ProxyJump alice@a.example:2201,ssh://bob@[2001:db8::1]:22

Host *
  User fallback
`;

describe('resolveSshRoute (ssh-config library + ProxyJump chains)', () => {
  const cfg = SSHConfig.parse(CONFIG);
  const home = os.homedir();

  it('resolves an alias with HostName, User, Port, IdentityFile tokens, timeouts and known_hosts', () => {
    const r = resolveSshRoute(cfg, { host: 'ecu' });
    assert.equal(r.target.host, '10.1.2.3');
    assert.equal(r.target.user, 'pi');
    assert.equal(r.target.port, 2222);
    assert.deepEqual(r.target.identityFiles, [path.join(home, '.ssh/ecu_key'), `${home}/.ssh/second_10.1.2.3`]);
    assert.equal(r.target.connectTimeoutMs, 7000);
    assert.equal(r.target.serverAliveIntervalMs, 5000);
    assert.equal(r.target.serverAliveCountMax, 4);
    assert.deepEqual(r.target.knownHostsFiles, [path.join(home, '.ssh/kh_ecu')]);
  });

  it('follows ProxyJump recursively through aliases, outermost hop first', () => {
    const r = resolveSshRoute(cfg, { host: 'ecu' });
    assert.deepEqual(
      r.jumps.map((j) => `${j.user}@${j.host}:${j.port}`),
      ['fallback@203.0.113.9:22022', 'jump@gw.example.com:22'],
    );
  });

  it('parses several hops with users, ports and IPv6', () => {
    const r = resolveSshRoute(cfg, { host: 'multi' });
    assert.deepEqual(
      r.jumps.map((j) => [j.user, j.host, j.port]),
      [
        ['alice', 'a.example', 2201],
        ['bob', '2001:db8::1', 22],
      ],
    );
    assert.deepEqual(parseJumpSpec('h'), { host: 'h' });
    assert.throws(() => parseJumpSpec('a;b'), SshConfigError);
  });

  it('lets the request override user, port, identity and known_hosts; ProxyJump none means direct', () => {
    const r = resolveSshRoute(cfg, {
      host: 'direct',
      user: 'me',
      port: 2200,
      identityFiles: ['/k'],
      knownHostsFiles: ['/kh'],
    });
    assert.equal(r.jumps.length, 0);
    assert.equal(r.target.user, 'me');
    assert.equal(r.target.port, 2200);
    assert.deepEqual(r.target.identityFiles, ['/k']);
    assert.deepEqual(r.target.knownHostsFiles, ['/kh']);
    const unknown = resolveSshRoute(cfg, { host: '198.51.100.4' });
    assert.equal(unknown.target.host, '198.51.100.4');
    assert.equal(unknown.target.user, 'fallback');
  });

  it('refuses a ProxyJump loop and bad ports', () => {
    assert.throws(() => resolveSshRoute(cfg, { host: 'loop' }), /longer than/);
    assert.throws(() => resolveSshRoute(SSHConfig.parse('Host x\n  Port 99999\n'), { host: 'x' }), SshConfigError);
  });

  it('follows Include (absolute paths and globs) and refuses ProxyCommand', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lh-sshcfg-'));
    try {
      mkdirSync(path.join(dir, 'conf.d'));
      writeFileSync(path.join(dir, 'conf.d', '10-ecu.conf'), 'Host inc-ecu\n  HostName 10.9.9.9\n  Port 2201\n');
      writeFileSync(path.join(dir, 'conf.d', '20-gw.conf'), 'Host inc-gw\n  HostName 10.9.9.1\n');
      writeFileSync(path.join(dir, 'conf.d', 'ignored.txt'), 'Host inc-ecu\n  HostName 6.6.6.6\n');
      writeFileSync(path.join(dir, 'config'), `Include ${dir}/conf.d/*.conf\nHost pc\n  ProxyCommand nc %h %p\n`);
      const cfg = await loadSshConfig(path.join(dir, 'config'));
      const r = resolveSshRoute(cfg, { host: 'inc-ecu' });
      assert.equal(r.target.host, '10.9.9.9');
      assert.equal(r.target.port, 2201);
      assert.equal(resolveSshRoute(cfg, { host: 'inc-gw' }).target.host, '10.9.9.1');
      assert.throws(() => resolveSshRoute(cfg, { host: 'pc' }), /ProxyCommand .* not supported/);
      await assert.rejects(loadSshConfig(path.join(dir, 'missing')), SshConfigError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
