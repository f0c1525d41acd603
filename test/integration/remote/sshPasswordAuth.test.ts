import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Server } from 'ssh2';
import { SshAuthError } from '../../../src/core/remote/remoteErrors';
import type { SshRoute } from '../../../src/core/remote/resolveSshRoute';
import { SshConnection } from '../../../src/core/remote/sshConnection';

/**
 * STAND-IN: password and keyboard-interactive logins cannot be exercised with the real OpenSSH server here without
 * giving a system account a password (sshd checks /etc/shadow or PAM). This test uses ssh2's own SSH *server* as a
 * stand-in peer, only to drive our client's password / keyboard-interactive callbacks over a real SSH handshake on
 * loopback. Every other SSH test runs against the real OpenSSH server.
 */
describe('password and keyboard-interactive callbacks (ssh2 Server stand-in)', function () {
  this.timeout(60000);
  let dir: string;
  let server: Server;
  let port: number;
  let knownHosts: string;
  const PASSWORD = `pw-${process.pid}-secret`;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lh-pw-'));
    const hostKey = path.join(dir, 'host');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    server = new Server({ hostKeys: [readFileSync(hostKey)] }, (client) => {
      client.on('authentication', (ctx) => {
        if (ctx.method === 'password' && ctx.username === 'ecu' && ctx.password === PASSWORD) return ctx.accept();
        if (ctx.method === 'keyboard-interactive' && ctx.username === 'kbd') {
          return ctx.prompt(
            [
              { prompt: 'Token: ', echo: true },
              { prompt: 'PIN: ', echo: false },
            ],
            'ECU login',
            'Two answers please',
            (answers) => (answers[0] === '123456' && answers[1] === PASSWORD ? ctx.accept() : ctx.reject()),
          );
        }
        return ctx.reject(['password', 'keyboard-interactive']);
      });
      client.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    knownHosts = path.join(dir, 'known_hosts');
    const pub = readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(knownHosts, `[127.0.0.1]:${port} ${pub}\n`);
  });
  after(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const route = (user: string): SshRoute => ({
    jumps: [],
    target: {
      alias: 'pw',
      host: '127.0.0.1',
      port,
      user,
      identityFiles: [],
      identitiesOnly: true,
      knownHostsFiles: [knownHosts],
    },
  });

  it('logs in with the password callback, and never logs the password', async () => {
    const lines: string[] = [];
    const asked: string[] = [];
    const c = await SshConnection.open({
      route: route('ecu'),
      auth: {
        password: async (user, host) => {
          asked.push(`${user}@${host}`);
          return PASSWORD;
        },
      },
      logger: { trace: (_s, m) => lines.push(m) },
    });
    assert.equal(c.closed, false);
    assert.deepEqual(asked, ['ecu@127.0.0.1']);
    assert.ok(lines.length > 5);
    assert.ok(!lines.some((l) => l.includes(PASSWORD)), 'password appears in the trace');
    c.close();
  });

  it('answers keyboard-interactive prompts through the callback', async () => {
    let seen: string[] = [];
    const c = await SshConnection.open({
      route: route('kbd'),
      auth: {
        keyboardInteractive: async (prompts, info) => {
          seen = [...prompts.map((p) => `${p.prompt}|${p.echo}`), info.name, info.instructions];
          return ['123456', PASSWORD];
        },
      },
    });
    assert.equal(c.closed, false);
    assert.deepEqual(seen, ['Token: |true', 'PIN: |false', 'ECU login', 'Two answers please']);
    c.close();
  });

  it('fails with SshAuthError for a wrong password or a declined prompt', async () => {
    await assert.rejects(
      SshConnection.open({ route: route('ecu'), auth: { password: async () => 'wrong' } }),
      SshAuthError,
    );
    await assert.rejects(
      SshConnection.open({ route: route('ecu'), auth: { password: async () => undefined } }),
      SshAuthError,
    );
    await assert.rejects(
      SshConnection.open({ route: route('kbd'), auth: { keyboardInteractive: async () => undefined } }),
      SshAuthError,
    );
  });
});
