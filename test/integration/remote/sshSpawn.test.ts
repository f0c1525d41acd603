import assert from 'node:assert/strict';
import { dlvArgs, dlvProgramArg } from '../../../src/core/remote/remoteCommand';
import { SshConnection } from '../../../src/core/remote/sshConnection';
import type { OpenedSsh } from '../../../src/core/remote/openSshSession';
import { dlvPath } from '../../fixtures/delve';
import { startSshd, type SshdFixture } from '../../fixtures/sshd';
import { loginTo } from '../../fixtures/sshLogin';

describe('SshConnection.spawn / readFile (real loopback sshd, real dlv)', function () {
  this.timeout(60_000);
  let sshd: SshdFixture;
  const open = (): Promise<OpenedSsh> => loginTo(sshd);
  before(async () => {
    sshd = await startSshd();
  });
  after(async () => sshd?.stop());

  it('streams the output lines of dlv (pty: CRs dropped) and settles exited with its exit code', async () => {
    const { session, connection } = await open();
    try {
      // pid 4194304 never exists (pid_max limit), so dlv fails at once and says why.
      const p = connection.spawn(
        dlvProgramArg(dlvPath()),
        dlvArgs(['attach', '4194304', '--headless', '--listen=127.0.0.1:0']),
        {
          pty: true,
        },
      );
      const lines: string[] = [];
      p.onLine((l) => lines.push(l));
      const r = await p.exited;
      assert.equal(r.spawnError, undefined);
      assert.notEqual(r.code, 0);
      assert.ok(
        lines.some((l) => /no such process|could not attach/i.test(l)),
        lines.join('\n'),
      );
      assert.ok(lines.every((l) => !l.includes('\r')));
    } finally {
      session.close();
    }
  });

  it('settles exited when the connection is closed right after spawn (never hangs)', async () => {
    const { session, connection } = await open();
    const p = connection.spawn(dlvProgramArg('dlv'), dlvArgs(['attach', '4194304']), { pty: true });
    connection.close();
    session.close();
    const r = await Promise.race([p.exited, new Promise<'hung'>((res) => setTimeout(() => res('hung'), 10_000))]);
    assert.notEqual(r, 'hung');
    p.kill(); // safe after the end
  });

  it('readFile returns the bytes of a file, null for a missing one, and refuses a non-plain path', async () => {
    const { session, connection } = await open();
    try {
      const own = await connection.readFile('/proc/self/status', 1 << 20);
      assert.match(own?.toString('utf8') ?? '', /^Name:\s+cat$/m);
      assert.equal(await connection.readFile('/no/such/file', 1024), null);
      assert.equal(await connection.readFile('/proc/self/status', 10), null, 'larger than maxBytes');
      await assert.rejects(connection.readFile("/tmp/x'; id", 1024), /invalid path/);
    } finally {
      session.close();
    }
  });

  it('spawn on a closed connection reports a lost connection instead of throwing', async () => {
    const { session, connection } = await open();
    session.close();
    const r = await connection.spawn(dlvProgramArg('dlv'), dlvArgs(['attach', '1']), { pty: true }).exited;
    assert.match(r.spawnError?.message ?? '', /closed/);
    assert.ok(connection instanceof SshConnection);
  });
});
