import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { catFilesCommand, splitCatOutput } from '../../../src/core/remote/catFiles';
import { pathArg } from '../../../src/core/remote/remoteCommand';

describe('one cat over many files, split by UUID lines', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lh-cat-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('builds a quoted cat command with the UUID source between files', () => {
    assert.equal(
      catFilesCommand([pathArg('/a'), pathArg('/b/c')]).text,
      `cat '/a' '/proc/sys/kernel/random/uuid' '/b/c'`,
    );
  });

  it('splits the output of the real command run by /bin/sh, including missing files and no trailing newline', () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    const c = path.join(dir, 'c');
    writeFileSync(a, 'total_rss 123\ncache 45\n');
    writeFileSync(b, '9223372036854771712'); // no trailing newline
    writeFileSync(c, 'oom_kill 0\n');
    const files = [a, path.join(dir, 'missing'), b, c];
    const cmd = catFilesCommand(files.map(pathArg)).text;
    let stdout = '';
    try {
      stdout = execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (e) {
      stdout = (e as { stdout: string }).stdout; // cat exits 1 for the missing file and prints the rest
    }
    assert.deepEqual(splitCatOutput(stdout, files.length), [
      'total_rss 123\ncache 45\n',
      null,
      '9223372036854771712\n',
      'oom_kill 0\n',
    ]);
  });

  it('returns undefined when separators are missing', () => {
    assert.equal(splitCatOutput('just one file\n', 3), undefined);
    assert.deepEqual(splitCatOutput('', 1), [null]);
  });
});
