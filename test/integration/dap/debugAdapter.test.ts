import assert from 'node:assert/strict';
import net from 'node:net';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { HotpatchResult } from '../../../src/core/hotpatch/patchPool';
import { LeakhuntDebugSession } from '../../../src/dap/leakhuntDebugSession';
import { dlvPath, runsFreely, waitFor } from '../../fixtures/delve';
import { ecuDemoDir, startEcuDemo, type EcuDemo } from '../../fixtures/ecuDemo';

describe('leakhunt debug adapter (DebugClient → DebugAdapterServer → real dlv → real Go process)', function () {
  this.timeout(120_000);
  let server: net.Server;
  let dc: DebugClient;
  let demo: EcuDemo;

  beforeEach(async () => {
    demo = await startEcuDemo({ flags: ['-pool-gets-per-sec', '200', '-can-leak-per-sec', '2'] });
    // The adapter as a DebugAdapterServer in this process: one LeakhuntDebugSession per connection.
    server = net.createServer((socket) => {
      const session = new LeakhuntDebugSession();
      session.setRunAsServer(true);
      session.start(socket, socket);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dc = new DebugClient('node', 'unused-when-connecting-to-a-port', 'leakhunt');
    await dc.start((server.address() as net.AddressInfo).port);
  });
  afterEach(async () => {
    await dc.stop().catch(() => undefined);
    server.close();
    await demo.stop();
  });

  async function attach(): Promise<void> {
    await dc.initializeRequest();
    await Promise.all([
      dc.waitForEvent('initialized'),
      dc.attachRequest({ target: 'local', pid: demo.pid, dlvPath: dlvPath() } as DebugProtocol.AttachRequestArguments),
    ]);
    await dc.configurationDoneRequest();
  }

  it('attaches, lets the target run, pauses, lists goroutines, stacks, pools and evaluates, then detaches', async () => {
    await attach();
    await waitFor(() => runsFreely(demo.pid) !== undefined, 5000, 'dlv to trace the target');
    const s0 = await demo.state();
    await new Promise((r) => setTimeout(r, 300));
    assert.ok((await demo.state()).pool_gets > s0.pool_gets, 'the target runs while attached');
    const running = await dc.threadsRequest();
    assert.equal(running.body.threads.length, 1);
    assert.match(running.body.threads[0]!.name, /running/);

    const [stopped] = await Promise.all([dc.waitForEvent('stopped'), dc.pauseRequest({ threadId: 0 })]);
    assert.equal((stopped.body as { reason: string }).reason, 'pause');
    const threads = await dc.threadsRequest();
    // readFrames is inlined into the go statement's wrapper, so the goroutine is named after the wrapper (or itself).
    const reader = threads.body.threads.find((t) => /can\.(readFrames|startReader\.func1\.gowrap1)$/.test(t.name));
    assert.ok(threads.body.threads.length > 5, `goroutines: ${threads.body.threads.length}`);
    assert.ok(reader, threads.body.threads.map((t) => t.name).join('\n'));
    const st = await dc.stackTraceRequest({ threadId: reader.id });
    assert.ok(
      st.body.stackFrames.some(
        (f) => f.name === 'example.com/ecu-demo/can.readFrames' && f.source?.path?.endsWith('can/reader.go'),
      ),
    );

    const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0]!.id });
    const vars = await dc.variablesRequest({ variablesReference: scopes.body.scopes[0]!.variablesReference });
    const names = vars.body.variables.map((v) => `${v.name}: ${v.type}`);
    assert.ok(names.includes('example.com/ecu-demo/pool.BufPool: sync.Pool'), names.join('\n'));
    assert.ok(names.includes('example.com/ecu-demo/pool.FixedNew: func() interface {}'), names.join('\n'));

    const ev = await dc.evaluateRequest({ expression: 'pool.BufPool.New' });
    assert.equal(ev.body.result, 'example.com/ecu-demo/pool.leakyNew');

    await dc.continueRequest({ threadId: reader.id });
    await dc.disconnectRequest({ terminateDebuggee: true });
    await waitFor(() => runsFreely(demo.pid) === undefined, 5000, 'the target to run untraced');
    const s1 = await demo.state();
    await new Promise((r) => setTimeout(r, 300));
    assert.ok((await demo.state()).pool_gets > s1.pool_gets, 'the target still runs: disconnect never kills');
  });

  it('hot-patches the pool through the custom hotPatchPool request on the attached session', async () => {
    await attach();
    const r = (await dc.customRequest('hotPatchPool', {
      pool: 'pool.BufPool',
      with: 'pool.FixedNew',
      source: ecuDemoDir,
    })) as DebugProtocol.Response & { body: HotpatchResult };
    assert.equal(r.body.applied, true, r.body.error);
    assert.equal(r.body.after?.function, 'example.com/ecu-demo/pool.fixedNew');
    assert.ok((r.body.frozenMs ?? 1e9) < 5000);
    const s1 = await demo.state();
    assert.equal(s1.pool_new, 'example.com/ecu-demo/pool.fixedNew');
    await new Promise((res) => setTimeout(res, 800));
    const s2 = await demo.state();
    assert.ok(s2.pool_gets > s1.pool_gets, 'the target runs on after the patch, still attached');
    assert.equal(s2.pool_buffers_retained, s1.pool_buffers_retained);
    await dc.disconnectRequest({});
    await waitFor(() => runsFreely(demo.pid) === undefined, 5000, 'the target to run untraced');
  });

  it('answers a bad attach with an error and leaves nothing attached', async () => {
    await dc.initializeRequest();
    await assert.rejects(
      dc.attachRequest({ target: 'local' } as DebugProtocol.AttachRequestArguments),
      /attach needs a pid/,
    );
    await assert.rejects(
      dc.attachRequest({
        target: 'local',
        pid: demo.pid,
        dlvPath: '/nonexistent/dlv',
      } as DebugProtocol.AttachRequestArguments),
      /Delve .* was not found/,
    );
    assert.equal(runsFreely(demo.pid), undefined);
  });
});
