import assert from 'node:assert/strict';
import { ForeignProcessError, HotpatchError, PtraceDeniedError } from '../../../src/core/hotpatch/hotpatchErrors';
import { assertAttachable, localProcessFacts, type ProcessFacts } from '../../../src/core/hotpatch/processFacts';

const base: ProcessFacts = {
  pid: 4242,
  ownerUid: 1000,
  tracerPid: 0,
  state: 'S',
  exe: '/usr/bin/ecu',
  startTime: '123',
  ourUid: 1000,
  capSysPtrace: false,
  yamaScope: undefined,
};

describe('processFacts', () => {
  it('reads this process from /proc', async () => {
    const f = await localProcessFacts(process.pid);
    assert.equal(f.pid, process.pid);
    assert.equal(f.ownerUid, process.getuid?.());
    assert.equal(f.ourUid, process.geteuid?.());
    assert.equal(f.exe, process.execPath);
    assert.match(f.startTime, /^\d+$/);
    assert.equal(f.tracerPid, 0);
    assert.doesNotThrow(() => assertAttachable(f));
  });

  it('reports a missing process as no-such-process', async () => {
    await assert.rejects(
      localProcessFacts(2 ** 22 + 12345),
      (e: unknown) => e instanceof HotpatchError && e.code === 'no-such-process',
    );
    await assert.rejects(localProcessFacts(-1), /bad pid/);
  });

  it("refuses another user's process without CAP_SYS_PTRACE, and allows it with the capability", () => {
    assert.throws(() => assertAttachable({ ...base, ownerUid: 0 }), ForeignProcessError);
    assert.doesNotThrow(() => assertAttachable({ ...base, ownerUid: 0, capSysPtrace: true }));
  });

  it('names Yama and an already attached debugger', () => {
    assert.throws(
      () => assertAttachable({ ...base, yamaScope: 1 }),
      (e: unknown) => e instanceof PtraceDeniedError && /ptrace_scope is 1/.test(e.message),
    );
    assert.doesNotThrow(() => assertAttachable({ ...base, yamaScope: 1, capSysPtrace: true }));
    assert.throws(() => assertAttachable({ ...base, yamaScope: 3, capSysPtrace: true }), /ptrace is disabled/);
    assert.throws(() => assertAttachable({ ...base, tracerPid: 77 }), /already traced by pid 77/);
    assert.throws(() => assertAttachable({ ...base, state: 'Z' }), /zombie/);
  });
});
