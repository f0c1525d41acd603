import { inspectContainers, listContainers } from '../../core/remote/dockerContainers';
import type { CliCommand, CliIO } from '../cliCommand';
import { CliUsageError } from '../cliCommand';
import { parseCliArgs } from '../parseCliArgs';
import { openWatchTarget, parseWatchTarget, sshTargetOptions } from '../openWatchTarget';

const options = {
  format: { type: 'string', default: 'text' },
  ...sshTargetOptions,
} as const;

/** `leakhunt containers TARGET`: running containers on the target's host with the IP and PID `--container` would use. */
export const containersCommand: CliCommand = {
  name: 'containers',
  summary: 'list running containers on a host (docker ps + inspect over SSH) with IPs and PIDs',
  usage: [
    'leakhunt containers ssh://[USER@]HOST[:PORT] [--format text|json] [--identity FILE] [--known-hosts FILE] [--ssh-config FILE] [--accept-new-host-key]',
    '',
    'Runs `docker ps` and one `docker inspect` on the host; the NAME column is what `leakhunt watch --container` takes.',
  ].join('\n'),
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values: v, positionals } = parseCliArgs(argv, options);
    if (positionals.length !== 1) throw new CliUsageError(`expected one TARGET, got ${positionals.length}`);
    const format = v.format;
    if (format !== 'text' && format !== 'json') throw new CliUsageError(`--format must be text or json`);
    const spec = parseWatchTarget(positionals[0] ?? '');
    if (spec.kind === 'http' && (v.identity || v['known-hosts'] || v['ssh-config'] || v['accept-new-host-key'])) {
      throw new CliUsageError('SSH options need an ssh:// TARGET');
    }
    const opened = await openWatchTarget(
      {
        target: spec,
        endpoint: '127.0.0.1:6060',
        identity: v.identity,
        knownHosts: v['known-hosts'],
        sshConfig: v['ssh-config'],
        acceptNewHostKey: v['accept-new-host-key'],
        logger: { trace: () => undefined },
      },
      io,
    );
    try {
      const running = await listContainers(opened.target);
      const infos = await inspectContainers(
        opened.target,
        running.map((c) => c.id),
      );
      if (format === 'json') {
        io.stdout.write(`${JSON.stringify(infos, null, 2)}\n`);
        return 0;
      }
      const rows = infos.map((c) => [
        c.name,
        c.id.slice(0, 12),
        c.pid === null ? '-' : String(c.pid),
        c.networkMode === 'host' ? 'host network' : c.networks.map((n) => `${n.ip} (${n.network})`).join(', ') || '-',
        c.image,
      ]);
      const head = ['NAME', 'ID', 'PID', 'ADDRESSES', 'IMAGE'];
      const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
      const line = (r: string[]): string =>
        r
          .map((x, i) => x.padEnd(w[i] ?? 0))
          .join('  ')
          .trimEnd();
      io.stdout.write(`${[line(head), ...rows.map(line)].join('\n')}\n`);
      return 0;
    } finally {
      await opened.target.close();
    }
  },
};
