import { spawn } from 'node:child_process';
import path from 'node:path';
import { dlvPath, runsFreely, waitFor } from '../../fixtures/delve';
import { startEcuDemo, type EcuDemo } from '../../fixtures/ecuDemo';

const script = path.resolve(__dirname, '../../fixtures/attachThenDie.ts');

/** Starts the attaching process and resolves once it has started dlv. */
async function startAttaching(pid: number, mode: 'wait' | 'exit', delayMs: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(pid), dlvPath(), mode, String(delayMs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('spawned')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`the attaching process exited (${code}) before starting dlv: ${out}`)),
    );
  });
  return { child, exited };
}

/**
 * leakhunt itself killed (SIGTERM, SIGINT) or exiting while dlv is in the middle of its attach must not leave the
 * target stopped: its exit path kills dlv, waits for the kernel to release the target and resumes it. Killed between
 * PTRACE_ATTACH and dlv's first wait, dlv leaves the attach's SIGSTOP pending, which the release turns into a stop
 * with no tracer. The delays sweep the attach so that some land in that window.
 */
describe('hot patch: leakhunt killed or exiting mid-attach never leaves the target stopped', function () {
  this.timeout(300_000);
  let demo: EcuDemo;
  before(async () => {
    demo = await startEcuDemo({ flags: ['-pool-gets-per-sec', '200', '-can-leak-per-sec', '1'] });
  });
  after(async () => {
    await demo?.stop();
  });

  async function assertRunsOn(what: string): Promise<void> {
    await waitFor(() => runsFreely(demo.pid) === undefined, 3000, `the target to run after ${what}`);
    const before = (await demo.state()).pool_gets;
    await waitFor(async () => (await demo.state()).pool_gets > before, 3000, `the target to serve after ${what}`);
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`resumes the target when leakhunt gets ${signal} 0–400 ms into the attach`, async () => {
      for (let ms = 0; ms <= 400; ms += signal === 'SIGTERM' ? 20 : 50) {
        const { child, exited } = await startAttaching(demo.pid, 'wait', 0);
        await new Promise((r) => setTimeout(r, ms));
        child.kill(signal);
        await exited;
        await assertRunsOn(`${signal} ${ms} ms into the attach`);
      }
    });
  }

  it('resumes the target when leakhunt calls process.exit 0–400 ms into the attach', async () => {
    for (let ms = 0; ms <= 400; ms += 50) {
      const { exited } = await startAttaching(demo.pid, 'exit', ms);
      await exited;
      await assertRunsOn(`process.exit ${ms} ms into the attach`);
    }
  });
});
