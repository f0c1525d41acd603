import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { listContainers } from '../../../src/core/remote/dockerContainers';
import { loadSshConfig, resolveSshRoute } from '../../../src/core/remote/resolveSshRoute';
import { SshSession } from '../../../src/core/remote/sshSession';
import { SshTarget } from '../../../src/core/remote/sshTarget';
import type { WatchReport } from '../../../src/core/report/watchReport';
import {
  createDockerStandIn,
  recordedBridgeInspect,
  recordedContainerAt,
  recordedPsLines,
  type DockerStandIn,
} from '../../fixtures/dockerStandIn';
import { repoRoot, startEcuDemo, type EcuDemo } from '../../fixtures/ecuDemo';
import { createMemoryCgroup, type MemoryCgroupFixture } from '../../fixtures/memoryCgroup';
import { startSshd, type SshdFixture } from '../../fixtures/sshd';

const execFileP = promisify(execFile);
const CLI = path.join(repoRoot, 'dist', 'cli.js');

/**
 * `--container NAME` end to end. There is no Docker engine here, so `docker` on the SSH host is a STAND-IN
 * (test/fixtures/dockerStandIn.ts) that prints the REAL recorded `docker inspect` output of testdata/recorded, with the
 * address and PID rewritten to the demo service running on this machine. Everything else is real: sshd, the exec, the
 * tunnel, the Go service and its memory-limited v1 cgroup.
 */
describe('leakhunt watch --container (docker stand-in on a real sshd)', function () {
  this.timeout(120000);
  let f: SshdFixture;
  let demo: EcuDemo;
  let docker: DockerStandIn;
  let cg: MemoryCgroupFixture;
  let out: string;
  const LIMIT = 320 * 1024 * 1024;

  before(async () => {
    if (!existsSync(CLI)) execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'ignore' });
    demo = await startEcuDemo();
    const recorded = recordedBridgeInspect();
    const c = recordedContainerAt('ecu-telemetry', demo.pid, '127.0.0.1');
    const ps = recordedPsLines();
    const usernet = JSON.parse(
      readFileSync(path.join(repoRoot, 'testdata/recorded/docker/inspect-usernet-documented.json'), 'utf8'),
    ) as unknown[];
    docker = await createDockerStandIn(
      {
        'ecu-telemetry': [c],
        '5f3c1a9e0b7d4c2a8e6f1b3d5c7a9e0b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a1c': usernet,
        '86199ab4c77bb43a21bef6b7e711bed3c30baa7dc50de3182de3c73d2ba116b7': recorded,
      },
      ps,
    );
    f = await startSshd({ pathPrefix: docker.binDir });
    cg = await createMemoryCgroup(LIMIT);
    await cg.add(demo.pid);
    out = await fs.mkdtemp(path.join(f.dir, 'out-'));
  });
  after(async () => {
    await cg?.remove();
    await demo?.stop();
    await f?.stop();
    await docker?.remove();
  });

  /** Runs the built CLI's `command` on ssh://ecu with this sshd's config and known_hosts, without the developer's agent. */
  const cliOnEcu = (command: string, more: string[]): Promise<{ stdout: string; stderr: string }> => {
    const env = { ...process.env };
    delete env['SSH_AUTH_SOCK'];
    return execFileP(
      process.execPath,
      [CLI, command, 'ssh://ecu', '--ssh-config', f.sshConfig, '--known-hosts', f.knownHosts, ...more],
      { env },
    );
  };

  it('resolves the container to its IP and PID, tunnels to it and reads its cgroup', async () => {
    const port = demo.addr.split(':')[1] ?? '';
    const r = await cliOnEcu('watch', [
      '--container',
      'ecu-telemetry',
      '--endpoint',
      `0.0.0.0:${port}`,
      '--count',
      '1',
      '--out',
      path.join(out, 's'),
      '--format',
      'json',
    ]);
    const rep = JSON.parse(r.stdout) as WatchReport;
    assert.equal(rep.snapshots, 1);
    assert.equal(rep.gaps, 0);
    assert.equal(rep.target, `ssh://ecu → 127.0.0.1:${port}`);
    assert.equal(rep.container.name, 'ecu-telemetry');
    assert.equal(rep.container.id, '86199ab4c77bb43a21bef6b7e711bed3c30baa7dc50de3182de3c73d2ba116b7');
    assert.equal(rep.container.pid, demo.pid);
    assert.equal(rep.container.cgroup, 'v1');
    assert.equal(rep.container.cgroupPath, cg.path);
    assert.equal(rep.container.memoryMax, LIMIT);
    assert.match(r.stderr, /\(container ecu-telemetry\)/);
    assert.deepEqual((await docker.calls()).at(-1), ['inspect', '--', 'ecu-telemetry']);
  });

  it('passes names as single arguments, lists containers, and reports an unknown container', async () => {
    const cfg = await loadSshConfig(f.sshConfig);
    const session = new SshSession({ route: resolveSshRoute(cfg, { host: 'ecu', knownHostsFiles: [f.knownHosts] }) });
    try {
      const t = new SshTarget(session, 'ssh://ecu', '127.0.0.1', 1);
      const list = await listContainers(t);
      assert.deepEqual(
        list.map((c) => c.name),
        ['ecu-telemetry', 'cen'],
      );
      assert.deepEqual((await docker.calls()).at(-1), ['ps', '--no-trunc', '--format', '{{json .}}']);
      const r = await cliOnEcu('watch', [
        '--container',
        'no-such',
        '--count',
        '1',
        '--out',
        path.join(out, 'none'),
      ]).then(
        () => undefined,
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal(r?.code, 1);
      assert.match(
        r?.stderr ?? '',
        /RemoteCommandError: docker inspect failed \(exit 1\): Error: No such object: no-such/,
      );
      assert.deepEqual((await docker.calls()).at(-1), ['inspect', '--', 'no-such']);
    } finally {
      session.close();
    }
  });

  it('leakhunt containers lists names, ids, PIDs and addresses with one docker ps and one docker inspect', async () => {
    const before = (await docker.calls()).length;
    const r = await cliOnEcu('containers', []);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^NAME +ID +PID +ADDRESSES +IMAGE$/);
    assert.match(
      lines[1] ?? '',
      /^ecu-telemetry +5f3c1a9e0b7d +48213 +172\.20\.0\.5 \(ecu_net\), 172\.21\.0\.2 \(can_net\) +registry\.local\/ecu-telemetry:1\.4\.2$/,
    );
    assert.match(lines[2] ?? '', /^cen +86199ab4c77b +12680 +172\.17\.0\.3 \(bridge\) +censerver$/);
    const calls = (await docker.calls()).slice(before);
    assert.deepEqual(
      calls.map((c) => c.slice(0, 2)),
      [
        ['ps', '--no-trunc'],
        ['inspect', '--'],
      ],
    );
    const json = await cliOnEcu('containers', ['--format', 'json']);
    assert.deepEqual(
      (JSON.parse(json.stdout) as { name: string }[]).map((c) => c.name),
      ['ecu-telemetry', 'cen'],
    );
  });
});
