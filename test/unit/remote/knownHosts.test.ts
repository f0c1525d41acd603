import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  appendKnownHost,
  hostFieldMatches,
  hostKeyFingerprint,
  KnownHosts,
  knownHostId,
  knownHostsLine,
  parseKnownHosts,
} from '../../../src/core/remote/knownHosts';

describe('known_hosts', () => {
  let dir: string;
  let keyA: Buffer;
  let keyB: Buffer;
  let lineA: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'lh-kh-'));
    for (const n of ['a', 'b']) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, n)]);
    lineA = readFileSync(path.join(dir, 'a.pub'), 'utf8').trim();
    keyA = Buffer.from(lineA.split(' ')[1] ?? '', 'base64');
    keyB = Buffer.from(readFileSync(path.join(dir, 'b.pub'), 'utf8').split(' ')[1] ?? '', 'base64');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('names hosts like OpenSSH', () => {
    assert.equal(knownHostId('ecu', 22), 'ecu');
    assert.equal(knownHostId('10.0.0.1', 2222), '[10.0.0.1]:2222');
  });

  it('matches, detects a changed key, and reports unknown hosts', () => {
    const kh = new KnownHosts(parseKnownHosts(`[ecu]:2222,other ${lineA.split(' ').slice(0, 2).join(' ')}\n`, 'kh'));
    assert.equal(kh.check('ecu', 2222, keyA).status, 'match');
    assert.equal(kh.check('other', 22, keyA).status, 'match');
    assert.deepEqual(kh.check('ecu', 2222, keyB), { status: 'mismatch', where: 'kh:1' });
    assert.equal(kh.check('ecu', 22, keyA).status, 'unknown');
    assert.equal(kh.check('nope', 22, keyB).status, 'unknown');
  });

  it('verifies hashed entries written by the real ssh-keygen -H (HMAC-SHA1 of [host]:port)', () => {
    const f = path.join(dir, 'known_hosts');
    writeFileSync(
      f,
      `[127.0.0.1]:2200 ${lineA.split(' ').slice(0, 2).join(' ')}\nplain.example ${lineA.split(' ').slice(0, 2).join(' ')}\n`,
    );
    execFileSync('ssh-keygen', ['-H', '-f', f], { stdio: 'ignore' });
    const text = readFileSync(f, 'utf8');
    assert.equal(text.match(/^\|1\|/gm)?.length, 2);
    const kh = new KnownHosts(parseKnownHosts(text, f));
    assert.equal(kh.check('127.0.0.1', 2200, keyA).status, 'match');
    assert.equal(kh.check('plain.example', 22, keyA).status, 'match');
    assert.equal(kh.check('127.0.0.1', 2201, keyA).status, 'unknown');
    assert.equal(kh.check('127.0.0.1', 2200, keyB).status, 'mismatch');
  });

  it('writes hashed lines that the real ssh-keygen -F finds', async () => {
    const f = path.join(dir, 'kh2');
    writeFileSync(f, 'x ssh-ed25519 AAAA');
    await appendKnownHost(f, '192.0.2.7', 2022, keyA, true);
    const text = readFileSync(f, 'utf8');
    assert.match(text, /^x ssh-ed25519 AAAA\n\|1\|/);
    const out = execFileSync('ssh-keygen', ['-F', '[192.0.2.7]:2022', '-f', f]).toString();
    assert.ok(out.includes(keyA.toString('base64')));
    assert.equal(knownHostsLine('h', 22, keyA), `h ssh-ed25519 ${keyA.toString('base64')}`);
  });

  it('supports wildcards, negation and @revoked', () => {
    assert.ok(hostFieldMatches('*.ecu.lan,!bad.ecu.lan', 'good.ecu.lan'));
    assert.ok(!hostFieldMatches('*.ecu.lan,!bad.ecu.lan', 'bad.ecu.lan'));
    assert.ok(hostFieldMatches('[10.0.0.?]:22*', '[10.0.0.5]:2222'));
    const k = lineA.split(' ').slice(0, 2).join(' ');
    const kh = new KnownHosts(parseKnownHosts(`ecu ${k}\n@revoked * ${k}\n`, 'kh'));
    assert.equal(kh.check('ecu', 22, keyA).status, 'revoked');
  });

  it('ignores malformed lines and computes OpenSSH fingerprints', () => {
    assert.equal(parseKnownHosts('garbage\nhost ssh-rsa !!!\nhost ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAI\n', 'f').length, 0);
    const fp = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(dir, 'a.pub')])
      .toString()
      .split(' ')[1];
    assert.equal(hostKeyFingerprint(keyA), fp);
  });
});
