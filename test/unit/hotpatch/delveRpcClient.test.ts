import assert from 'node:assert/strict';
import net from 'node:net';
import { DelveRpcClient } from '../../../src/core/hotpatch/delveRpcClient';
import { DelveRpcError, DelveTimeoutError, HotpatchError } from '../../../src/core/hotpatch/hotpatchErrors';

/**
 * A stand-in JSON-RPC server (not Delve) for the client's framing, timeout and error paths, which real dlv cannot be
 * made to produce on demand; the integration tests drive the client against real dlv.
 */
async function standIn(
  answer: (req: { id: number; method: string; params: unknown[] }) => object | undefined,
): Promise<{ port: number; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const req = JSON.parse(buf.slice(0, nl)) as { id: number; method: string; params: unknown[] };
        buf = buf.slice(nl + 1);
        const reply = answer(req);
        // Split the reply in two writes to exercise line reassembly.
        if (reply) {
          const text = `${JSON.stringify({ id: req.id, ...reply })}\n`;
          s.write(text.slice(0, 5));
          setTimeout(() => s.write(text.slice(5)), 5);
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

describe('DelveRpcClient (stand-in server)', () => {
  it('frames requests as RPCServer.<method> with one params object and reassembles split replies', async () => {
    const seen: string[] = [];
    const srv = await standIn((req) => {
      seen.push(`${req.method} ${JSON.stringify(req.params)}`);
      return { result: { Variable: { name: 'x', value: '42' } }, error: null };
    });
    const c = new DelveRpcClient(await connect(srv.port), 2000);
    try {
      const v = await c.eval('pool.X');
      assert.equal(v.value, '42');
      assert.match(seen[0]!, /^RPCServer\.Eval \[\{"Scope":\{"GoroutineID":-1,"Frame":0\},"Expr":"pool\.X"/);
    } finally {
      c.close();
      srv.close();
    }
  });

  it('turns an error answer into DelveRpcError and a silent server into DelveTimeoutError', async () => {
    const srv = await standIn((req) =>
      req.method === 'RPCServer.Set' ? { result: null, error: 'can not convert value of type func()' } : undefined,
    );
    const c = new DelveRpcClient(await connect(srv.port), 200);
    try {
      await assert.rejects(
        c.set('pool.P.New', 'pool.f'),
        (e: unknown) => e instanceof DelveRpcError && /convert/.test(e.message),
      );
      await assert.rejects(
        c.getVersion(),
        (e: unknown) => e instanceof DelveTimeoutError && /within 200 ms/.test(e.message),
      );
    } finally {
      c.close();
      srv.close();
    }
  });

  it('refuses calls that would block Delve while the target runs', async () => {
    const srv = await standIn((req) =>
      req.method === 'RPCServer.State'
        ? { result: { State: { Running: true, Pid: 1, exited: false, exitStatus: 0 } }, error: null }
        : undefined,
    );
    const c = new DelveRpcClient(await connect(srv.port), 500);
    try {
      await c.continueRunning();
      assert.equal(c.targetRunning, true);
      await assert.rejects(c.eval('x'), /needs a stopped target/);
      await assert.rejects(c.detach(), /needs a stopped target/);
    } finally {
      c.close();
      srv.close();
    }
  });

  it('fails pending calls when the connection drops', async () => {
    const srv = await standIn(() => undefined);
    const c = new DelveRpcClient(await connect(srv.port), 5000);
    const pending = c.getVersion();
    setTimeout(() => srv.close(), 20);
    await assert.rejects(pending, (e: unknown) => e instanceof HotpatchError && e.code === 'connection-lost');
    await assert.rejects(c.getVersion(), (e: unknown) => e instanceof HotpatchError && e.code === 'connection-lost');
  });
});
