import assert from 'node:assert/strict';
import { LocalDelveHost, startDelve } from '../../../src/core/hotpatch/delveProcess';
import { HotpatchError } from '../../../src/core/hotpatch/hotpatchErrors';
import { dlvPath, runsFreely, waitFor } from '../../fixtures/delve';
import { startEcuDemo, type EcuDemo } from '../../fixtures/ecuDemo';

/**
 * dlv killed by the attach timeout at any moment of its attach must leave the target running. Killed between
 * PTRACE_ATTACH and its first wait, dlv leaves the attach's SIGSTOP pending and the kernel's detach at its death
 * turns it into a job-control stop with no tracer left (state T for good); startDelve then sends SIGCONT. The
 * timeouts sweep the attach (listen within ~20 ms, attach and DWARF load within ~0.7 s here) so that some kill
 * lands in that window: with 200 ms, 4 of 5 attempts left the target stopped before the fix.
 */
describe('hot patch: dlv killed in the middle of its attach never leaves the target stopped', function () {
  this.timeout(120_000);
  let demo: EcuDemo;
  before(async () => {
    demo = await startEcuDemo({ flags: ['-pool-gets-per-sec', '200', '-can-leak-per-sec', '1'] });
  });
  after(async () => {
    await demo?.stop();
  });

  it('resumes the target after every timed-out attach (timeouts from 100 to 450 ms)', async () => {
    for (let ms = 100; ms <= 450; ms += 10) {
      const outcome = await startDelve(new LocalDelveHost(), {
        pid: demo.pid,
        dlvPath: dlvPath(),
        attachTimeoutMs: ms,
      }).then(
        async (session) => {
          await session.dispose();
          return undefined;
        },
        (e: unknown) => e,
      );
      if (outcome !== undefined) assert.ok(outcome instanceof HotpatchError, String(outcome));
      await waitFor(
        () => runsFreely(demo.pid) === undefined,
        2000,
        `the target to run after a ${ms} ms attach timeout`,
      );
      const before = (await demo.state()).pool_gets;
      await waitFor(async () => (await demo.state()).pool_gets > before, 2000, `the target to serve after ${ms} ms`);
    }
  });
});
