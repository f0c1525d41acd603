import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  containerArg,
  continueSignalArg,
  literalArg,
  parseHostPort,
  pathArg,
  pidArg,
  RemoteCommand,
  shellQuote,
  validatePathPrefix,
} from '../../../src/core/remote/remoteCommand';
import { InvalidArgumentError } from '../../../src/core/remote/remoteErrors';

describe('remote command arguments', () => {
  let dir: string;
  let canary: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lh-cmd-'));
    canary = path.join(dir, 'canary');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const evil = () => [
    `x; touch ${canary}`,
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    `x && touch ${canary}`,
    `x | touch ${canary}`,
    `x\ntouch ${canary}`,
    `'; touch ${canary}; '`,
    `x > ${canary}`,
    '../../etc/passwd',
    '',
  ];

  it('rejects shell metacharacters in PIDs, container refs, paths, endpoints and prefixes', () => {
    for (const s of evil()) {
      assert.throws(() => pidArg(s), InvalidArgumentError, s);
      assert.throws(() => containerArg(s), InvalidArgumentError, s);
      assert.throws(() => parseHostPort(`${s}:6060`), InvalidArgumentError, s);
      assert.throws(() => parseHostPort(`127.0.0.1:${s}`), InvalidArgumentError, s);
      if (s !== '') assert.throws(() => validatePathPrefix(`/${s}`), InvalidArgumentError, s);
      if (s !== '') assert.throws(() => pathArg(`/sys/fs/cgroup/${s}`), InvalidArgumentError, s);
    }
    // A leading dash could turn a value into an option; absolute paths and prefixes cannot start with one.
    assert.throws(() => pidArg('-rf'), InvalidArgumentError);
    assert.throws(() => containerArg('-rf'), InvalidArgumentError);
    assert.throws(() => parseHostPort('-oProxyCommand=x:22'), InvalidArgumentError);
    assert.throws(() => pidArg(0), InvalidArgumentError);
    assert.throws(() => pidArg(-5), InvalidArgumentError);
    assert.throws(() => pidArg(1.5), InvalidArgumentError);
    assert.throws(() => pidArg(99_999_999), InvalidArgumentError);
    assert.equal(pidArg(4242).value, '4242');
    assert.equal(containerArg('ecu_app-1.2').value, 'ecu_app-1.2');
    assert.equal(pathArg('/sys/fs/cgroup/system.slice/docker-ab12.scope/memory.max').value.length > 0, true);
    assert.deepEqual(parseHostPort('[fd00::2]:6060'), { host: 'fd00::2', port: 6060 });
    assert.equal(validatePathPrefix('/internal/pprof/'), '/internal/pprof');
    assert.equal(existsSync(canary), false);
  });

  it('single-quotes every argument so a real /bin/sh prints it verbatim and never runs it', () => {
    for (const s of evil()) {
      const out = execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(s)}`]).toString();
      assert.equal(out, s);
    }
    assert.equal(existsSync(canary), false);
  });

  it('builds commands only from validated arguments', () => {
    const c = RemoteCommand.of('docker', [literalArg('inspect'), literalArg('--'), containerArg('web-1')]);
    assert.equal(c.text, `docker 'inspect' '--' 'web-1'`);
    const forged = { value: `x; touch ${canary}` } as never;
    assert.throws(() => RemoteCommand.of('cat', [forged]), InvalidArgumentError);
    // The one kill leakhunt sends resumes a target a failed attach left stopped: a fixed signal and a validated pid.
    assert.equal(RemoteCommand.of('kill', [continueSignalArg(), pidArg(4242)]).text, `kill '-CONT' '4242'`);
    assert.throws(() => RemoteCommand.of('kill', [continueSignalArg(), pidArg('1; reboot')]), InvalidArgumentError);
  });
});
