import { LocalDelveHost } from '../../../src/core/hotpatch/delveProcess';
import { sweepAttachTimeouts } from '../../fixtures/attachTimeoutSweep';
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
    await sweepAttachTimeouts(new LocalDelveHost(), demo, { fromMs: 100, toMs: 450, stepMs: 10, settleMs: 2000 });
  });
});
