import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { listRemoteContainers } from '../../../src/core/remote/listRemoteContainers';
import { RemoteCommandError, SshAuthError } from '../../../src/core/remote/remoteErrors';
import { createDockerStandIn, type DockerStandIn } from '../../fixtures/dockerStandIn';
import { repoRoot } from '../../fixtures/ecuDemo';
import { startSshd, type SshdFixture } from '../../fixtures/sshd';

/**
 * Connect to Target's container list over a real loopback sshd. There is no Docker engine here, so `docker` on the
 * SSH host is a STAND-IN (test/fixtures/dockerStandIn.ts) printing the REAL recorded `docker ps` output.
 */
describe('listRemoteContainers (docker stand-in on a real sshd)', function () {
  this.timeout(60000);
  let f: SshdFixture;
  let docker: DockerStandIn;
  const noAuth = { passphrase: async () => undefined, password: async () => undefined };
  const opts = () => ({
    target: { kind: 'ssh' as const, host: 'ecu' },
    endpoint: '127.0.0.1:6060',
    sshConfig: f.sshConfig,
    knownHosts: f.knownHosts,
    agentSocket: undefined,
    auth: noAuth,
    logger: { trace: () => undefined },
  });

  before(async () => {
    const ps = readFileSync(path.join(repoRoot, 'testdata/recorded/docker/ps-documented.jsonl'), 'utf8');
    docker = await createDockerStandIn({}, ps);
    f = await startSshd({ pathPrefix: docker.binDir });
  });
  after(async () => {
    await f?.stop();
    await docker?.remove();
  });

  it('lists the containers docker ps prints on the host', async () => {
    const list = await listRemoteContainers(opts());
    assert.deepEqual(
      list.map((c) => c.name),
      ['ecu-telemetry', 'cen'],
    );
    assert.deepEqual((await docker.calls()).at(-1), ['ps', '--no-trunc', '--format', '{{json .}}']);
  });

  it('reports a refused login and a failing docker as typed errors', async () => {
    await assert.rejects(
      listRemoteContainers({
        ...opts(),
        identity: [f.wrongKey],
        sshConfig: undefined,
        target: { kind: 'ssh', host: '127.0.0.1', port: f.port, user: f.user },
      }),
      SshAuthError,
    );
    const broken = await createDockerStandIn({}, 'not json\n');
    const g = await startSshd({ pathPrefix: broken.binDir });
    try {
      await assert.rejects(
        listRemoteContainers({ ...opts(), sshConfig: g.sshConfig, knownHosts: g.knownHosts }),
        RemoteCommandError,
      );
    } finally {
      await g.stop();
      await broken.remove();
    }
  });
});
