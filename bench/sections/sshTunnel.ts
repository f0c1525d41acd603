/**
 * Bench section: fetching through the SSH tunnel (direct-tcpip channel per request, real OpenSSH server on loopback)
 * against a plain local TCP fetch of the same bytes in the same run:
 * 1. a 1 KiB response (per-request overhead: channel open + HTTP round trip);
 * 2. an 8 MiB response (throughput through ssh2's cipher and window handling).
 * Also the time of one whole snapshot (heap, goroutine, debug=2, heap debug=1, cgroup) of the demo service, over SSH
 * and locally.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CgroupMemoryReader } from '../../src/core/remote/cgroupMemory';
import { LocalTarget } from '../../src/core/remote/localTarget';
import { loadSshConfig, resolveSshRoute } from '../../src/core/remote/resolveSshRoute';
import { SshSession } from '../../src/core/remote/sshSession';
import { SshTarget } from '../../src/core/remote/sshTarget';
import type { AcquisitionTarget } from '../../src/core/remote/acquisitionTarget';
import { collectSnapshot } from '../../src/core/series/collectSnapshot';
import { SnapshotSeries } from '../../src/core/series/snapshotSeries';
import { startEcuDemo } from '../../test/fixtures/ecuDemo';
import { startSshd } from '../../test/fixtures/sshd';
import type { BenchContext, BenchSection } from '../benchSection';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeIt(n: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return median(t);
}

async function run(ctx: BenchContext): Promise<string> {
  const big = Buffer.alloc(8 * 1024 * 1024, 7);
  const small = Buffer.alloc(1024, 7);
  const server = http.createServer((req, res) => {
    const body = req.url === '/big' ? big : small;
    res.writeHead(200, { 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const [sshd, demo] = await Promise.all([startSshd(), startEcuDemo()]);
  const session = new SshSession({
    route: resolveSshRoute(await loadSshConfig(sshd.sshConfig), { host: 'ecu', knownHostsFiles: [sshd.knownHosts] }),
  });
  try {
    const local = new LocalTarget('127.0.0.1', port);
    const tunnel = new SshTarget(session, 'ssh://ecu', '127.0.0.1', port);
    ctx.log('1 KiB requests');
    const smallLocal = await timeIt(40, () => local.httpGet('/small'));
    const smallSsh = await timeIt(40, () => tunnel.httpGet('/small'));
    ctx.log('8 MiB requests');
    const bigLocal = await timeIt(8, () => local.httpGet('/big'));
    const bigSsh = await timeIt(8, () => tunnel.httpGet('/big'));

    const demoPort = Number(demo.addr.split(':')[1]);
    const snap = async (t: AcquisitionTarget): Promise<number> => {
      const series = await SnapshotSeries.open(`${ctx.tmpDir}/series-${t.local ? 'local' : 'ssh'}`, {
        target: t.label,
      });
      const cgroup = new CgroupMemoryReader(t, demo.pid);
      const ms = await timeIt(6, () => collectSnapshot(series, { target: t, cgroup }));
      await series.close();
      return ms;
    };
    ctx.log('cgroup reads');
    const cgLocal = await timeIt(10, () =>
      new CgroupMemoryReader(new LocalTarget('127.0.0.1', demoPort), demo.pid).read(),
    );
    const cgReader = new CgroupMemoryReader(new SshTarget(session, 'ssh://ecu', '127.0.0.1', demoPort), demo.pid);
    await cgReader.read(); // resolves the layout once, like a series does
    const cgSsh = await timeIt(10, () => cgReader.read());
    ctx.log('snapshots');
    const snapLocal = await snap(new LocalTarget('127.0.0.1', demoPort));
    const snapSsh = await snap(new SshTarget(session, 'ssh://ecu', '127.0.0.1', demoPort));
    const row = (what: string, l: number, s: number): string =>
      `| ${what} | ${l.toFixed(1)} ms | ${s.toFixed(1)} ms | ${(s / l).toFixed(1)}× |`;
    return [
      'Median of repeated requests after one warm-up; real OpenSSH server on loopback, one direct-tcpip channel per request.',
      '',
      '| request | local TCP | through SSH | ratio |',
      '|---|---|---|---|',
      row('1 KiB GET', smallLocal, smallSsh),
      row('8 MiB GET', bigLocal, bigSsh),
      row('cgroup figures (remotely one exec; includes the remote login shell start)', cgLocal, cgSsh),
      row('one demo-service snapshot (5 fetches + cgroup)', snapLocal, snapSsh),
      '',
      `8 MiB through SSH: ${((8 / bigSsh) * 1000).toFixed(0)} MiB/s.`,
    ].join('\n');
  } finally {
    session.close();
    server.close();
    await demo.stop();
    await sshd.stop();
  }
}

const section: BenchSection = { title: 'SSH tunnel vs local fetch', run };
export default section;
