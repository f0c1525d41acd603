import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** A real cgroup v1 memory group with a limit, created under the calling process's own group (see FACTS.md). */
export interface MemoryCgroupFixture {
  /** cgroup path as /proc/PID/cgroup will name it, e.g. `/process_api/abc/leakhunt-test-1234`. */
  path: string;
  /** Absolute folder under /sys/fs/cgroup/memory. */
  dir: string;
  limitBytes: number;
  /** Moves a process into the group. */
  add(pid: number): Promise<void>;
  /** Moves every process back to the parent group and removes the group. */
  remove(): Promise<void>;
}

/**
 * Creates `PREFIX-PID-XXXX` (default prefix `leakhunt-test`) in the v1 memory hierarchy, under this process's own
 * memory group, with `memory.limit_in_bytes = limitBytes`.
 */
export async function createMemoryCgroup(limitBytes: number, prefix = 'leakhunt-test'): Promise<MemoryCgroupFixture> {
  const self = await fs.readFile('/proc/self/cgroup', 'utf8');
  const m = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(.*)$/m.exec(self);
  if (!m) throw new Error('no v1 memory controller line in /proc/self/cgroup');
  const parentPath = m[1] === '/' ? '' : (m[1] ?? '');
  const name = `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const cgPath = `${parentPath}/${name}`;
  const parentDir = path.join('/sys/fs/cgroup/memory', parentPath);
  const dir = path.join(parentDir, name);
  await fs.mkdir(dir);
  await fs.writeFile(path.join(dir, 'memory.limit_in_bytes'), String(limitBytes));
  return {
    path: cgPath,
    dir,
    limitBytes,
    add: async (pid) => fs.writeFile(path.join(dir, 'cgroup.procs'), String(pid)),
    remove: async () => {
      const procs = (await fs.readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean);
      for (const p of procs) await fs.writeFile(path.join(parentDir, 'cgroup.procs'), p).catch(() => undefined);
      for (let i = 0; i < 50; i++) {
        try {
          await fs.rmdir(dir);
          return;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      await fs.rmdir(dir);
    },
  };
}
