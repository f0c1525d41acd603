import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startSshAgent, type SshAgentFixture } from '../../fixtures/sshAgent';
import { startSshd, type SshdFixture } from '../../fixtures/sshd';

const execFileP = promisify(execFile);

/** Runs the real OpenSSH client against the fixture, so the fixture is checked independently of our ssh2 code. */
async function ssh(f: SshdFixture, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const r = await execFileP(
    'ssh',
    [
      '-F',
      f.sshConfig,
      '-o',
      'BatchMode=yes',
      '-o',
      `UserKnownHostsFile=${f.knownHosts}`,
      '-o',
      'StrictHostKeyChecking=yes',
      ...args,
    ],
    { env, timeout: 20000 },
  );
  return r.stdout;
}

describe('sshd fixture (real OpenSSH server and ssh-agent)', function () {
  this.timeout(60000);
  let f: SshdFixture;
  let agent: SshAgentFixture | undefined;
  before(async () => {
    f = await startSshd();
  });
  after(async () => {
    await agent?.stop();
    await f?.stop();
  });

  it('accepts the client key with the OpenSSH client and runs a command', async () => {
    assert.equal((await ssh(f, ['ecu', 'echo', 'hello-from-sshd'])).trim(), 'hello-from-sshd');
  });

  it('works through ProxyJump to itself', async () => {
    assert.equal((await ssh(f, ['ecu-via-gw', 'echo', 'jumped'])).trim(), 'jumped');
  });

  it('refuses the unauthorized key', async () => {
    const env = { ...process.env };
    delete env['SSH_AUTH_SOCK'];
    const run = (key: string) =>
      execFileP(
        'ssh',
        ['-F', '/dev/null', '-p', String(f.port), '-i', key, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes'].concat([
          '-o',
          `UserKnownHostsFile=${f.knownHosts}`,
          `${f.user}@127.0.0.1`,
          'echo',
          'in',
        ]),
        { env, timeout: 20000 },
      );
    assert.equal((await run(f.clientKey)).stdout.trim(), 'in');
    await assert.rejects(run(f.wrongKey), /Permission denied/);
  });

  it('serves a key through a real ssh-agent', async () => {
    agent = await startSshAgent();
    await agent.add(f.clientKey);
    const keys = await agent.list();
    assert.equal(keys.length, 1);
    assert.ok(keys[0]?.startsWith('ssh-ed25519 '));
  });

  it('can be killed and restarted on the same port', async () => {
    const port = f.port;
    await f.kill();
    assert.equal(f.running(), false);
    await assert.rejects(ssh(f, ['-o', 'ConnectTimeout=3', 'ecu', 'true']));
    await f.restart();
    assert.equal(f.port, port);
    assert.equal((await ssh(f, ['ecu', 'echo', 'back'])).trim(), 'back');
  });
});
