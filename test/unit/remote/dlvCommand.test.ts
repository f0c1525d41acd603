import * as assert from 'node:assert/strict';
import {
  dlvArgs,
  dlvProgramArg,
  loopbackListenArg,
  pidArg,
  RemoteCommand,
} from '../../../src/core/remote/remoteCommand';
import { InvalidArgumentError } from '../../../src/core/remote/remoteErrors';

describe('dlv command lines for the SSH host (allow-list)', () => {
  const attach = ['attach', '4242', '--headless', '--listen=127.0.0.1:0', '--api-version=2', '--accept-multiclient'];

  it('builds exactly the attach command from validated words, single-quoted', () => {
    const cmd = RemoteCommand.spawnable(dlvProgramArg('dlv'), dlvArgs(attach));
    assert.equal(
      cmd.text,
      "dlv 'attach' '4242' '--headless' '--listen=127.0.0.1:0' '--api-version=2' '--accept-multiclient'",
    );
    const custom = RemoteCommand.spawnable(dlvProgramArg('/home/ecu/go/bin/dlv'), [pidArg(7)]);
    assert.equal(custom.text, "'/home/ecu/go/bin/dlv' '7'");
  });

  it('refuses any other argument: exec, non-loopback listen, shell text, bad pids', () => {
    for (const bad of [
      'exec',
      '--listen=0.0.0.0:4040',
      '--listen=127.0.0.1:4040;id',
      '--listen=[::]:1',
      '--allow-non-terminal-interactive=true',
      '$(id)',
      '0',
      '99999999',
      '--init=/tmp/x',
    ])
      assert.throws(() => dlvArgs(['attach', bad]), InvalidArgumentError, bad);
    assert.throws(() => loopbackListenArg(70000), InvalidArgumentError);
    assert.equal(loopbackListenArg(4040).value, '--listen=127.0.0.1:4040');
  });

  it('refuses a program that is not dlv, a relative path, or one with shell characters', () => {
    for (const bad of ['sh', '/bin/sh', 'bin/dlv', '/opt/$(id)/dlv', '/opt/../dlv', "/x'/dlv", '/usr/bin/dlvx'])
      assert.throws(() => dlvProgramArg(bad), InvalidArgumentError, bad);
  });

  it('cannot be fed hand-made objects in place of validated words', () => {
    const forged = { value: 'dlv; id' } as unknown as ReturnType<typeof dlvProgramArg>;
    assert.throws(() => RemoteCommand.spawnable(forged, []), InvalidArgumentError);
    const forgedArg = { value: '; id' } as unknown as ReturnType<typeof pidArg>;
    assert.throws(() => RemoteCommand.spawnable(dlvProgramArg('dlv'), [forgedArg]), InvalidArgumentError);
  });
});
