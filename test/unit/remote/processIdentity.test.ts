import assert from 'node:assert/strict';
import type { AcquisitionTarget } from '../../../src/core/remote/acquisitionTarget';
import { CgroupMemoryReader } from '../../../src/core/remote/cgroupMemory';
import type { SafeArg } from '../../../src/core/remote/remoteCommand';

/**
 * A target whose files are an in-memory map (a fake host; the real host is covered by the integration tests), counting
 * `readFiles` calls: each is ONE exec over SSH.
 */
function fakeHost(files: Map<string, string>): { target: AcquisitionTarget; reads: string[][] } {
  const reads: string[][] = [];
  const target: AcquisitionTarget = {
    label: 'fake',
    local: false,
    httpGet: () => Promise.reject(new Error('not used')),
    run: () => Promise.reject(new Error('not used')),
    close: async () => undefined,
    readFiles: async (paths: SafeArg[]) => {
      reads.push(paths.map((p) => p.value));
      return new Map(paths.map((p) => [p.value, files.get(p.value) ?? null]));
    },
  };
  return { target, reads };
}

const stat = (pid: number, comm: string, ticks: number) =>
  `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 4194560 10 0 0 0 1 1 0 0 20 0 4 0 ${ticks} 123456 789\n`;

/** A v1 host with one memory group holding `pid`. */
function v1Host(pid: number, ticks: number): Map<string, string> {
  const dir = '/sys/fs/cgroup/memory/svc';
  return new Map([
    [`/proc/${pid}/cgroup`, '5:memory:/svc\n1:name=systemd:/svc\n'],
    [`/proc/${pid}/stat`, stat(pid, 'ecu-demo', ticks)],
    ['/proc/self/mountinfo', '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n'],
    ['/proc/stat', 'cpu 1 2 3\nbtime 1700000000\n'],
    [`${dir}/memory.usage_in_bytes`, '1048576\n'],
    [`${dir}/memory.limit_in_bytes`, '67108864\n'],
    [`${dir}/memory.stat`, 'rss 1048576\n'],
    [`${dir}/memory.failcnt`, '0\n'],
    [`${dir}/memory.oom_control`, 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n'],
    [`${dir}/cgroup.procs`, `${pid}\n`],
  ]);
}

describe('the watched process identity (PID + start time) read with the cgroup figures', () => {
  it('reads /proc/PID/stat in the same single read as the group files, with the start as wall-clock time', async () => {
    const { target, reads } = fakeHost(v1Host(700, 250_000));
    const r = new CgroupMemoryReader(target, 700);
    const first = await r.read();
    const before = reads.length;
    const again = await r.read();
    assert.equal(reads.length - before, 1, 'one readFiles (one exec) per read once resolved');
    assert.ok(reads.at(-1)!.includes('/proc/700/stat') && reads.at(-1)!.includes('/proc/700/cgroup'));
    assert.deepEqual(again.process, {
      pid: 700,
      startTicks: 250_000,
      startedAtMs: (1_700_000_000 + 2500) * 1000,
      comm: 'ecu-demo',
    });
    assert.deepEqual(first.process, again.process);
    assert.equal(again.memoryCurrent, 1048576);
  });

  it('follows a same-named successor in the dead process group; not a different program, not an older process', async () => {
    const files = v1Host(700, 250_000);
    const { target } = fakeHost(files);
    const r = new CgroupMemoryReader(target, 700);
    await r.read();
    // The watched process dies; a shell and an older same-named process are in the group, then the supervisor's restart.
    files.delete('/proc/700/cgroup');
    files.delete('/proc/700/stat');
    files.set('/sys/fs/cgroup/memory/svc/cgroup.procs', '650\n720\n');
    files.set('/proc/650/stat', stat(650, 'ecu-demo', 100_000));
    files.set('/proc/720/stat', stat(720, 'sh', 260_000));
    const gone = await r.read();
    assert.equal(gone.processGone, true);
    assert.equal(gone.process, undefined);
    assert.equal(r.pid, 700);
    files.set('/sys/fs/cgroup/memory/svc/cgroup.procs', '650\n720\n731\n');
    files.set('/proc/731/stat', stat(731, 'ecu-demo', 270_000));
    files.set('/proc/731/cgroup', '5:memory:/svc\n');
    const next = await r.read();
    assert.equal(next.processGone, undefined);
    assert.equal(next.process?.pid, 731);
    assert.equal(r.pid, 731);
    assert.equal((await r.read()).process?.startTicks, 270_000);
  });
});
