import * as assert from 'node:assert/strict';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CgroupMemoryReader } from '../../../src/core/remote/cgroupMemory';
import { inspectContainer } from '../../../src/core/remote/dockerContainers';
import { LocalTarget } from '../../../src/core/remote/localTarget';
import { InvalidArgumentError, RemoteCommandError } from '../../../src/core/remote/remoteErrors';
import { loadSshConfig, resolveSshRoute } from '../../../src/core/remote/resolveSshRoute';
import { SshSession } from '../../../src/core/remote/sshSession';
import { SshTarget } from '../../../src/core/remote/sshTarget';
import { startEcuDemo, type EcuDemo } from '../../fixtures/ecuDemo';
import { createMemoryCgroup, type MemoryCgroupFixture } from '../../fixtures/memoryCgroup';
import { startSshd, type SshdFixture } from '../../fixtures/sshd';

describe('cgroup memory of a real process in a real memory-limited v1 cgroup', function () {
  this.timeout(120000);
  let f: SshdFixture;
  let demo: EcuDemo;
  let cg: MemoryCgroupFixture;
  let session: SshSession;
  const LIMIT = 384 * 1024 * 1024;

  before(async () => {
    [f, demo] = await Promise.all([startSshd(), startEcuDemo()]);
    cg = await createMemoryCgroup(LIMIT);
    await cg.add(demo.pid);
    const cfg = await loadSshConfig(f.sshConfig);
    session = new SshSession({ route: resolveSshRoute(cfg, { host: 'ecu', knownHostsFiles: [f.knownHosts] }) });
    // Let the demo allocate inside the group so usage is charged to it.
    await new Promise((r) => setTimeout(r, 1500));
  });
  after(async () => {
    session?.close();
    await cg?.remove();
    await demo?.stop();
    await f?.stop();
  });

  async function direct(name: string): Promise<string> {
    return fs.readFile(path.join(cg.dir, name), 'utf8');
  }

  for (const mode of ['local', 'ssh'] as const) {
    it(`reads usage, limit, stat, failcnt and oom_control (${mode})`, async () => {
      const target =
        mode === 'local'
          ? new LocalTarget('127.0.0.1', 1)
          : new SshTarget(session, 'ssh://ecu', '127.0.0.1', Number(demo.addr.split(':')[1]));
      const reader = new CgroupMemoryReader(target, demo.pid);
      const before = Number((await direct('memory.usage_in_bytes')).trim());
      const fig = await reader.read();
      const after = Number((await direct('memory.usage_in_bytes')).trim());
      assert.equal(fig.cgroup, 'v1');
      assert.equal(fig.path, cg.path);
      assert.equal(fig.memoryMax, LIMIT);
      assert.ok(fig.memoryCurrent !== null && fig.memoryCurrent > 0);
      // The reading lies between two direct reads taken around it (usage moves while the demo runs).
      const lo = Math.min(before, after) * 0.5;
      const hi = Math.max(before, after) * 1.5;
      assert.ok(fig.memoryCurrent >= lo && fig.memoryCurrent <= hi, `${fig.memoryCurrent} not in [${lo}, ${hi}]`);
      assert.ok('rss' in fig.stat && 'cache' in fig.stat, Object.keys(fig.stat).join(','));
      assert.equal(fig.stat['hierarchical_memory_limit'], LIMIT);
      assert.equal(typeof fig.failcnt, 'number');
      assert.deepEqual(Object.keys(fig.oomControl ?? {}).sort(), ['oom_kill', 'oom_kill_disable', 'under_oom']);
    });
  }

  it('reports an unlimited group as memoryMax null, and a vanished PID as none', async () => {
    await fs.writeFile(path.join(cg.dir, 'memory.limit_in_bytes'), '-1');
    try {
      const fig = await new CgroupMemoryReader(new LocalTarget('127.0.0.1', 1), demo.pid).read();
      assert.equal(fig.cgroup, 'v1');
      assert.equal(fig.memoryMax, null);
    } finally {
      await fs.writeFile(path.join(cg.dir, 'memory.limit_in_bytes'), String(LIMIT));
    }
    const gone = await new CgroupMemoryReader(new LocalTarget('127.0.0.1', 1), 4_000_000).read();
    assert.equal(gone.cgroup, 'none');
    assert.match(gone.reason ?? '', /no readable memory cgroup/);
  });

  it('never lets metacharacters in container names or PIDs reach the remote shell', async () => {
    const canary = path.join(f.dir, 'canary');
    const target = new SshTarget(session, 'ssh://ecu', '127.0.0.1', 1);
    for (const evil of [`x;touch ${canary}`, `$(touch ${canary})`, `x\`touch ${canary}\``, `x' ; touch '${canary}`]) {
      await assert.rejects(inspectContainer(target, evil), InvalidArgumentError);
      assert.throws(() => new CgroupMemoryReader(target, evil), InvalidArgumentError);
    }
    assert.equal(existsSync(canary), false);
  });

  it('runs docker inspect over SSH and reports the engine error as RemoteCommandError (no Docker engine here)', async () => {
    const target = new SshTarget(session, 'ssh://ecu', '127.0.0.1', 1);
    await assert.rejects(inspectContainer(target, 'ecu-app'), (e: unknown) => {
      assert.ok(e instanceof RemoteCommandError, String(e));
      assert.match(e.message, /docker inspect failed/);
      return true;
    });
  });
});
