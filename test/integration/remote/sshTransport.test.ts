import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { hostKeyFingerprint } from '../../../src/core/remote/knownHosts';
import { LocalTarget } from '../../../src/core/remote/localTarget';
import { pathArg } from '../../../src/core/remote/remoteCommand';
import {
  ConnectionLostError,
  EndpointUnreachableError,
  HostKeyMismatchError,
  HostUnreachableError,
  RemoteTimeoutError,
  ResponseTooLargeError,
  SshAuthError,
  UnknownHostKeyError,
} from '../../../src/core/remote/remoteErrors';
import { loadSshConfig, resolveSshRoute, type SshRoute } from '../../../src/core/remote/resolveSshRoute';
import { SshConnection, type SshConnectOptions } from '../../../src/core/remote/sshConnection';
import { SshSession } from '../../../src/core/remote/sshSession';
import { SshTarget } from '../../../src/core/remote/sshTarget';
import type { TraceLogger } from '../../../src/core/remote/traceLogger';
import { startEcuDemo, type EcuDemo } from '../../fixtures/ecuDemo';
import { startSshAgent, type SshAgentFixture } from '../../fixtures/sshAgent';
import { startSshd, TEST_KEY_PASSPHRASE, type SshdFixture } from '../../fixtures/sshd';

/**
 * A loopback server that accepts and never answers (a frozen peer). `close()` also destroys the accepted sockets:
 * `net.Server.close` leaves them open, and a socket the peer never closes keeps mocha's process alive for minutes.
 */
async function silentServer(): Promise<{ port: number; close(): void }> {
  const accepted = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    accepted.add(sock);
    sock.on('close', () => accepted.delete(sock));
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close() {
      server.close();
      for (const sock of accepted) sock.destroy();
    },
  };
}

describe('SSH transport against a real OpenSSH server', function () {
  this.timeout(120000);
  let f: SshdFixture;
  let demo: EcuDemo;
  const open: SshConnection[] = [];

  before(async () => {
    [f, demo] = await Promise.all([startSshd(), startEcuDemo()]);
  });
  after(async () => {
    for (const c of open) c.close();
    await demo?.stop();
    await f?.stop();
  });

  async function route(alias: string, extra: { identityFiles?: string[]; knownHostsFiles?: string[] } = {}) {
    const cfg = await loadSshConfig(f.sshConfig);
    return resolveSshRoute(cfg, {
      host: alias,
      knownHostsFiles: extra.knownHostsFiles ?? [f.knownHosts],
      ...(extra.identityFiles ? { identityFiles: extra.identityFiles } : {}),
    });
  }
  async function connect(opts: SshConnectOptions): Promise<SshConnection> {
    const c = await SshConnection.open(opts);
    open.push(c);
    return c;
  }
  function demoPort(): number {
    return Number(demo.addr.split(':')[1]);
  }

  it('connects directly with a key and fetches a gzipped heap profile through direct-tcpip', async () => {
    const lines: string[] = [];
    const logger: TraceLogger = { trace: (scope, m) => lines.push(`${scope}: ${m}`) };
    const session = new SshSession({ route: await route('ecu'), logger });
    const target = new SshTarget(session, 'ssh://ecu', '127.0.0.1', demoPort(), logger);
    const res = await target.httpGet('/debug/pprof/heap');
    assert.equal(res.status, 200);
    assert.equal(res.body[0], 0x1f);
    assert.equal(res.body[1], 0x8b);
    assert.ok(gunzipSync(res.body).length > 100);
    assert.ok(lines.some((l) => l.includes('direct-tcpip to 127.0.0.1')));
    assert.ok(lines.some((l) => l.startsWith('http: GET http://127.0.0.1:')));
    await target.close();
  });

  it('accepts a hashed known_hosts entry', async () => {
    const text = await fs.readFile(f.hashedKnownHosts, 'utf8');
    assert.match(text, /^\|1\|/);
    const c = await connect({ route: await route('ecu', { knownHostsFiles: [f.hashedKnownHosts] }) });
    assert.equal(c.closed, false);
  });

  it('goes through ProxyJump (one hop via alias, and two hops)', async () => {
    const r1 = await route('ecu-via-gw');
    assert.equal(r1.jumps.length, 1);
    const c1 = await connect({ route: r1 });
    const s1 = await c1.forwardOut('127.0.0.1', demoPort(), 5000);
    s1.destroy();
    const r2 = await route('ecu-via-two');
    assert.equal(r2.jumps.length, 2);
    const session = new SshSession({ route: r2 });
    const t = new SshTarget(session, 'ssh://ecu-via-two', '127.0.0.1', demoPort());
    const res = await t.httpGet('/debug/pprof/goroutine?debug=2');
    assert.equal(res.status, 200);
    assert.match(res.body.toString('utf8'), /^goroutine \d+ \[/);
    await t.close();
  });

  it('authenticates through a real ssh-agent', async () => {
    let agent: SshAgentFixture | undefined;
    try {
      agent = await startSshAgent();
      await agent.add(f.clientKey);
      const r = await route('ecu');
      r.target.identityFiles = []; // only the agent can authenticate now
      const lines: string[] = [];
      const c = await connect({ route: r, agentSocket: agent.sock, logger: { trace: (_s, m) => lines.push(m) } });
      assert.equal(c.closed, false);
      assert.ok(lines.some((l) => /authenticated to .* \(agent\)/.test(l)));
    } finally {
      await agent?.stop();
    }
  });

  it('asks for the passphrase of an encrypted key through the callback, and retries after a wrong one', async () => {
    const r = await route('ecu', { identityFiles: [f.passphraseKey] });
    r.target.identityFiles = [f.passphraseKey];
    const asked: number[] = [];
    const c = await connect({
      route: r,
      auth: {
        passphrase: async (file, attempt) => {
          assert.equal(file, f.passphraseKey);
          asked.push(attempt);
          return attempt === 1 ? 'wrong' : TEST_KEY_PASSPHRASE;
        },
      },
    });
    assert.equal(c.closed, false);
    assert.deepEqual(asked, [1, 2]);
  });

  it('refuses a changed host key with HostKeyMismatchError', async () => {
    const err = await SshConnection.open({
      route: await route('ecu', { knownHostsFiles: [f.changedKnownHosts] }),
      onUnknownHostKey: async () => true,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof HostKeyMismatchError, String(err));
    assert.match(err.message, /HOST KEY HAS CHANGED/);
    assert.ok(err.message.includes(`[127.0.0.1]:${f.port}`));
    assert.ok(err.message.includes(f.changedKnownHosts));
  });

  it('refuses an unknown host key without a callback, and records it when the callback accepts', async () => {
    const kh = path.join(f.dir, 'known_hosts.new');
    await fs.writeFile(kh, '');
    await assert.rejects(
      SshConnection.open({ route: await route('ecu', { knownHostsFiles: [kh] }) }),
      UnknownHostKeyError,
    );
    await assert.rejects(
      SshConnection.open({ route: await route('ecu', { knownHostsFiles: [kh] }), onUnknownHostKey: async () => false }),
      UnknownHostKeyError,
    );
    assert.equal(await fs.readFile(kh, 'utf8'), '');
    let shown = '';
    await connect({
      route: await route('ecu', { knownHostsFiles: [kh] }),
      onUnknownHostKey: async (info) => {
        shown = info.fingerprint;
        return true;
      },
    });
    const [type, b64] = f.hostPublicKey.split(' ');
    assert.equal(shown, hostKeyFingerprint(Buffer.from(b64 ?? '', 'base64')));
    assert.equal((await fs.readFile(kh, 'utf8')).trim(), `[127.0.0.1]:${f.port} ${type} ${b64}`);
    // Now known: no callback needed.
    await connect({ route: await route('ecu', { knownHostsFiles: [kh] }) });
  });

  it('reports a wrong key as SshAuthError', async () => {
    const r = await route('ecu');
    r.target.identityFiles = [f.wrongKey];
    await assert.rejects(SshConnection.open({ route: r }), (e: unknown) => {
      assert.ok(e instanceof SshAuthError, String(e));
      assert.ok(e.message.includes(f.wrongKey));
      return true;
    });
  });

  it('reports a closed port as HostUnreachableError and a silent server as RemoteTimeoutError', async () => {
    const silent = await silentServer();
    const port = silent.port;
    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    try {
      const r: SshRoute = await route('ecu');
      r.target.port = closedPort;
      await assert.rejects(SshConnection.open({ route: r }), HostUnreachableError);
      r.target.port = port;
      r.target.connectTimeoutMs = 800;
      await assert.rejects(SshConnection.open({ route: r }), RemoteTimeoutError);
    } finally {
      silent.close();
    }
  });

  it('maps an endpoint that is down to EndpointUnreachableError, and caps response size', async () => {
    const session = new SshSession({ route: await route('ecu') });
    const down = new SshTarget(session, 'ssh://ecu', '127.0.0.1', 1);
    await assert.rejects(down.httpGet('/debug/pprof/heap'), EndpointUnreachableError);
    const up = new SshTarget(session, 'ssh://ecu', '127.0.0.1', demoPort());
    await assert.rejects(up.httpGet('/debug/pprof/goroutine?debug=2', { maxBytes: 64 }), ResponseTooLargeError);
    const local = new LocalTarget('127.0.0.1', demoPort());
    await assert.rejects(local.httpGet('/debug/pprof/goroutine?debug=2', { maxBytes: 64 }), ResponseTooLargeError);
    session.close();
  });

  it('times out a whole request that never answers (over SSH and locally)', async () => {
    const hang = await silentServer();
    const port = hang.port;
    try {
      const session = new SshSession({ route: await route('ecu') });
      const t = new SshTarget(session, 'ssh://ecu', '127.0.0.1', port);
      await assert.rejects(t.httpGet('/x', { timeoutMs: 700 }), RemoteTimeoutError);
      await assert.rejects(new LocalTarget('127.0.0.1', port).httpGet('/x', { timeoutMs: 700 }), RemoteTimeoutError);
      session.close();
    } finally {
      hang.close();
    }
  });

  it('reads several files with one exec, missing ones as null', async () => {
    const session = new SshSession({ route: await route('ecu') });
    const t = new SshTarget(session, 'ssh://ecu', '127.0.0.1', demoPort());
    const a = path.join(f.dir, 'a.txt');
    const ab = path.join(f.dir, 'a.txt.b');
    await fs.writeFile(a, 'one\ntwo:three\n');
    await fs.writeFile(ab, '42\n');
    const m = await t.readFiles([pathArg(a), pathArg(ab), pathArg(path.join(f.dir, 'missing'))]);
    assert.equal(m.get(a), 'one\ntwo:three\n');
    assert.equal(m.get(ab), '42\n');
    assert.equal(m.get(path.join(f.dir, 'missing')), null);
    session.close();
  });

  it('notices a silent peer through keepalives (ServerAliveInterval/CountMax) without waiting for TCP', async () => {
    const r = await route('ecu');
    r.target.serverAliveIntervalMs = 300;
    r.target.serverAliveCountMax = 2;
    const c = await connect({ route: r });
    const master = f.pid();
    assert.ok(master);
    // Freeze every sshd process serving sessions (children and grandchildren of the listener): the TCP connection stays
    // open but nothing answers, like a vehicle that went out of radio range.
    const kids = (p: number): number[] => {
      let out: number[] = [];
      try {
        out = execFileSync('pgrep', ['-P', String(p)], { encoding: 'utf8' })
          .split('\n')
          .filter(Boolean)
          .map(Number);
      } catch {
        // pgrep exits 1 when a process has no children
      }
      return out.flatMap((k) => [k, ...kids(k)]);
    };
    const frozen = kids(master);
    assert.ok(frozen.length > 0, 'session processes found');
    for (const p of frozen) process.kill(p, 'SIGSTOP');
    const t0 = Date.now();
    let reason = '';
    try {
      reason = await new Promise<string>((resolve, reject) => {
        c.onClose(resolve);
        setTimeout(() => reject(new Error('no keepalive timeout within 5 s')), 5000);
      });
    } finally {
      for (const p of frozen) {
        try {
          process.kill(p, 'SIGCONT');
        } catch {
          // gone
        }
      }
    }
    assert.ok(c.closed);
    assert.ok(Date.now() - t0 < 4000);
    assert.match(reason, /keepalive|closed/i);
  });

  it('backs off between reconnect attempts (fail fast inside the window) and never retries a refused host key', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const r = await route('ecu');
    r.target.port = closedPort;
    let clock = 1_000_000;
    const session = new SshSession({ route: r }, { initialMs: 1000, maxMs: 4000, factor: 2 }, () => clock);
    await assert.rejects(session.connection(), HostUnreachableError);
    await assert.rejects(session.connection(), /next reconnect attempt in 1 s/);
    clock += 1000;
    await assert.rejects(session.connection(), HostUnreachableError);
    await assert.rejects(session.connection(), /next reconnect attempt in 2 s/);
    clock += 2000;
    await assert.rejects(session.connection(), HostUnreachableError);
    clock += 4000;
    await assert.rejects(session.connection(), HostUnreachableError);
    await assert.rejects(session.connection(), /next reconnect attempt in 4 s/, 'capped at maxMs');
    assert.equal(session.consecutiveFailures, 4);

    const refused = new SshSession({ route: await route('ecu', { knownHostsFiles: [f.changedKnownHosts] }) });
    await assert.rejects(refused.connection(), HostKeyMismatchError);
    await assert.rejects(refused.connection(), HostKeyMismatchError);
  });

  it('reconnects with backoff after sshd is killed and restarted', async () => {
    const session = new SshSession({ route: await route('ecu') }, { initialMs: 200, maxMs: 1000, factor: 2 });
    const t = new SshTarget(session, 'ssh://ecu', '127.0.0.1', demoPort());
    assert.equal((await t.httpGet('/state')).status, 200);
    assert.equal(session.connects, 1);
    await f.kill();
    // The drop is noticed (close event) and calls fail with a transport error, not a hang.
    const deadline = Date.now() + 10000;
    let failure: unknown;
    while (Date.now() < deadline) {
      failure = await t.httpGet('/state').then(
        () => undefined,
        (e: unknown) => e,
      );
      if (failure) break;
    }
    assert.ok(failure instanceof ConnectionLostError || failure instanceof HostUnreachableError, String(failure));
    await f.restart();
    let ok = false;
    while (!ok && Date.now() < deadline + 10000) {
      ok = await t.httpGet('/state').then(
        (r) => r.status === 200,
        () => false,
      );
      if (!ok) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(ok, 'reconnected');
    assert.equal(session.connects, 2);
    session.close();
  });
});
