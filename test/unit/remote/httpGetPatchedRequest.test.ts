import assert from 'node:assert/strict';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import { httpGet } from '../../../src/core/remote/httpGet';

// VS Code's extension host patches http.request for proxy support (@vscode/proxy-agent) and hands every request an
// agent; an agent ignores createConnection, so a tunnelled request would dial localhost:80. This stand-in patch does
// the same to the real module, since the extension host itself cannot run in a unit test.
describe('remote/httpGet under a patched http.request (as in the VS Code extension host)', () => {
  let server: http.Server;
  let port = 0;
  // The module object itself (as the extension host patches it), not the import namespace, whose members are read-only.
  const httpModule = createRequire(__filename)('node:http') as { request: typeof http.request };
  const original = httpModule.request;
  let patchedCalls = 0;

  before(async () => {
    server = http.createServer((req, res) => res.setHeader('x-test-server', 'yes').end(`ok ${req.url}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
    httpModule.request = ((...args: unknown[]) => {
      patchedCalls++;
      const opts = args[0] as http.RequestOptions;
      return original({ ...opts, agent: new http.Agent() }, args[1] as never);
    }) as typeof http.request;
  });

  after(() => {
    httpModule.request = original;
    server.closeAllConnections();
    server.close();
  });

  it('the stand-in patch really sends a plain http.request elsewhere (what broke the watch in VS Code)', async () => {
    const req = http.request({ path: '/', createConnection: () => net.connect(port, '127.0.0.1') as never });
    const reached = await new Promise<boolean>((resolve) => {
      req.on('error', () => resolve(false));
      req.on('response', (res) => resolve(res.headers['x-test-server'] === 'yes'));
      req.end();
    });
    assert.ok(patchedCalls > 0);
    assert.equal(reached, false, 'the patched request still used createConnection');
  });

  it('still sends the request over the stream it was given', async () => {
    // The stream goes to the real server; the Host header names an address nothing listens on.
    const open = async (): Promise<net.Socket> => {
      const s = net.connect(port, '127.0.0.1');
      await new Promise((r) => s.once('connect', r));
      return s;
    };
    const res = await httpGet(open, '10.255.255.1:6060', '/debug/pprof/heap');
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), 'ok /debug/pprof/heap');
  });
});
