import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_PPROF_PREFIX } from '../../core/remote/pprofEndpoints';
import { validatePathPrefix } from '../../core/remote/remoteCommand';
import type { TraceLogger } from '../../core/remote/traceLogger';
import { formatBytes, renderWatchReport, type ReportFormat } from '../../core/report/renderWatchReport';
import { leakReportSection } from '../../core/leak/leakReportSection';
import { buildWatchReport, type ReportSectionBuilder } from '../../core/report/watchReport';
import { collectSnapshot } from '../../core/series/collectSnapshot';
import { runSeries } from '../../core/series/runSeries';
import type { SnapshotEntry } from '../../core/series/seriesIndex';
import { DEFAULT_WINDOW, SnapshotSeries } from '../../core/series/snapshotSeries';
import type { CliCommand, CliIO } from '../cliCommand';
import { CliUsageError } from '../cliCommand';
import { parseCliArgs } from '../parseCliArgs';
import { openWatchTarget, parseWatchTarget, sshTargetOptions } from '../openWatchTarget';
import { parseDuration } from '../parseDuration';

const options = {
  interval: { type: 'string', default: '10s' },
  count: { type: 'string' },
  window: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string', default: 'text' },
  endpoint: { type: 'string', default: '127.0.0.1:6060' },
  container: { type: 'string' },
  pid: { type: 'string' },
  ...sshTargetOptions,
  'pprof-prefix': { type: 'string', default: DEFAULT_PPROF_PREFIX },
  trace: { type: 'boolean', default: false },
  gc: { type: 'boolean', default: false },
} as const;

function positiveInt(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(v))
    throw new CliUsageError(`${what} must be a positive integer, not ${JSON.stringify(v)}`);
  return Number(v);
}

function progressLine(e: SnapshotEntry, count: number | undefined): string {
  const parts = [`[${e.seq}${count !== undefined ? `/${count}` : ''}]`, e.startedAt.slice(11, 19), e.status];
  if (e.summary.heapInuseBytes !== undefined) parts.push(`heap ${formatBytes(e.summary.heapInuseBytes)}`);
  if (e.summary.goroutines !== undefined) parts.push(`goroutines ${e.summary.goroutines}`);
  if (e.cgroup && e.cgroup.cgroup !== 'none') {
    parts.push(
      `cgroup ${formatBytes(e.cgroup.memoryCurrent)}/${e.cgroup.memoryMax === null ? '∞' : formatBytes(e.cgroup.memoryMax)}`,
    );
  }
  if (e.gaps.length > 0) parts.push(`gap: ${e.gaps[0]?.what}: ${e.gaps[0]?.reason}`);
  return parts.join('  ');
}

/** Shared runner of `watch` and `collect`; `analysis` makes the report sections for the window (none for collect). */
export async function runAcquisition(
  command: 'watch' | 'collect',
  argv: string[],
  io: CliIO,
  analysis: (window: number) => readonly ReportSectionBuilder[],
): Promise<number> {
  const { values: v, positionals } = parseCliArgs(argv, options);
  if (positionals.length !== 1) throw new CliUsageError(`expected one TARGET, got ${positionals.length}`);
  const spec = parseWatchTarget(positionals[0] ?? '');
  const intervalMs = parseDuration(v.interval, '--interval');
  const window = positiveInt(v.window, '--window') ?? DEFAULT_WINDOW;
  // watch ends with a report, so it stops after one window by default; collect runs until Ctrl-C.
  const count = positiveInt(v.count, '--count') ?? (command === 'watch' ? window : undefined);
  const format = v.format;
  if (format !== 'text' && format !== 'json' && format !== 'markdown') {
    throw new CliUsageError(`--format must be text, json or markdown, not ${JSON.stringify(format)}`);
  }
  let prefix: string;
  try {
    prefix = validatePathPrefix(v['pprof-prefix']);
  } catch (e) {
    throw new CliUsageError(`--pprof-prefix: ${(e as Error).message}`);
  }
  if (spec.kind === 'http' && (v.identity || v['known-hosts'] || v['ssh-config'] || v['accept-new-host-key'])) {
    throw new CliUsageError('SSH options need an ssh:// TARGET');
  }
  const logger: TraceLogger = v.trace
    ? { trace: (scope, m) => io.stderr.write(`trace ${scope}: ${m}\n`) }
    : { trace: () => undefined };

  const opened = await openWatchTarget(
    {
      target: spec,
      endpoint: v.endpoint,
      container: v.container,
      pid: v.pid,
      identity: v.identity,
      knownHosts: v['known-hosts'],
      sshConfig: v['ssh-config'],
      acceptNewHostKey: v['accept-new-host-key'],
      logger,
    },
    io,
  );
  const abort = new AbortController();
  const onSigint = (): void => {
    if (abort.signal.aborted) {
      // Every file and the index are written atomically, so leaving now cannot corrupt the series.
      io.stderr.write('leakhunt: second interrupt, exiting now\n');
      process.exit(130);
    }
    io.stderr.write('\nleakhunt: stopping after the current snapshot (Ctrl-C)\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  let series: SnapshotSeries | undefined;
  try {
    const out =
      v.out !== undefined ? path.resolve(io.cwd, v.out) : await fs.mkdtemp(path.join(os.tmpdir(), 'leakhunt-series-'));
    series = await SnapshotSeries.open(out, { target: opened.target.label, window });
    const resumed = series.snapshots.length;
    io.stderr.write(
      `leakhunt ${command}: ${opened.target.label}${opened.container ? ` (container ${opened.container.name})` : ''} → ${out}` +
        `${resumed > 0 ? ` (resuming after ${resumed} snapshots)` : ''}\n`,
    );
    const s = series;
    const result = await runSeries(
      () =>
        collectSnapshot(s, {
          target: opened.target,
          prefix,
          ...(opened.cgroup ? { cgroup: opened.cgroup } : {}),
          ...(opened.containerProbe ? { container: opened.containerProbe } : {}),
          forceGc: v.gc,
          logger,
        }),
      {
        intervalMs,
        ...(count !== undefined ? { count } : {}),
        signal: abort.signal,
        onSnapshot: (e) => {
          if (io.stderr.isTTY)
            io.stderr.write(`${progressLine(e, count !== undefined ? resumed + count : undefined)}\n`);
        },
      },
    );
    const report = buildWatchReport(
      {
        command,
        target: opened.target.label,
        out,
        snapshots: series.snapshots,
        snapshotsThisRun: result.taken,
        stoppedBy: result.stoppedBy,
        ...(result.error ? { error: result.error } : {}),
        ...(opened.container ? { container: { name: opened.container.name, id: opened.container.id } } : {}),
        ...(opened.pid !== undefined ? { pid: opened.pid } : {}),
      },
      analysis(window),
    );
    io.stdout.write(renderWatchReport(report, format as ReportFormat));
    if (result.error) throw result.error;
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await series?.close();
    await opened.target.close();
  }
}

/** Usage text of `watch` and `collect` (same options). */
export const acquisitionUsage = (name: string, extra: string): string =>
  [
    `leakhunt ${name} TARGET [--interval 10s] [--count N] [--window N] [--out DIR] [--format text|json|markdown]`,
    '',
    'TARGET: http://HOST:PORT (a service on this machine) or ssh://[USER@]HOST[:PORT] (HOST may be an ssh-config alias).',
    '--endpoint HOST:PORT      pprof endpoint as seen from the SSH host (default 127.0.0.1:6060)',
    '--container NAME          resolve the endpoint IP and PID with docker inspect on the host (port from --endpoint);',
    "                          docker's state is asked again when a snapshot fails or the process changes, so an OOM",
    '                          kill is reported from docker (OOMKilled, exit 137) after docker removed the group',
    '--pid PID                 read cgroup memory figures of this PID (also for http:// targets on this machine); its',
    '                          group is still read after the PID dies, so an OOM kill is reported as one; its start',
    '                          time is recorded, and a same-named process restarted into its group is followed',
    '--identity FILE           private key to try first (repeatable); LEAKHUNT_SSH_PASSPHRASE or a prompt unlocks it',
    '--known-hosts FILE        known_hosts file to check and record host keys in (default: ssh config / ~/.ssh)',
    '--ssh-config FILE         ssh config to resolve aliases, ProxyJump, IdentityFile (default ~/.ssh/config)',
    '--accept-new-host-key     record an unknown host key instead of refusing (a CHANGED key is always refused)',
    '--pprof-prefix PATH       where net/http/pprof is mounted (default /debug/pprof)',
    '--interval D              time between snapshots: 500ms, 10s, 2m (default 10s)',
    '--window N                snapshots kept for analysis (default 12)',
    '--out DIR                 series folder (default: a new temp folder, named on stderr); an existing series resumes',
    '--gc                      ask for heap?gc=1: a full GC in the target before each heap profile, so every',
    '                          snapshot is a fresh GC epoch even when the service is quiet',
    '--trace                   print SSH/HTTP trace lines on stderr',
    extra,
  ].join('\n');

/** `leakhunt watch`: collect a snapshot series from a Go service (locally or over SSH) and end with a report. */
export const watchCommand: CliCommand = {
  name: 'watch',
  summary: 'collect heap/goroutine snapshots over SSH or HTTP and report',
  usage: acquisitionUsage('watch', '--count N                 snapshots to take (default: the window size)'),
  run: (argv, io) => runAcquisition('watch', argv, io, (window) => [leakReportSection(undefined, window)]),
};
