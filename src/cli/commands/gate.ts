import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import { PassThrough } from 'node:stream';
import * as path from 'node:path';
import { checkBudgets, DEFAULT_BUDGETS, type LeakBudgets } from '../../core/leak/leakBudget';
import { renderReport } from '../../core/leak/renderReport';
import { parseByteRate, parseCountRate, parseRatio, UnitParseError } from '../../core/leak/units';
import type { CliCommand, CliIO } from '../cliCommand';
import { CliUsageError } from '../cliCommand';
import { sshTargetOptions } from '../openWatchTarget';
import { parseCliArgs } from '../parseCliArgs';
import { reportFromSeries, seriesReadOptions } from './report';
import { runAcquisition } from './watch';

const options = {
  'max-heap-growth': { type: 'string' },
  'max-goroutine-growth': { type: 'string' },
  'max-cgroup-ratio': { type: 'string' },
  'max-alloc-rate': { type: 'string' },
  format: { type: 'string', default: 'text' },
  window: { type: 'string' },
  'site-mode': { type: 'string', default: 'innermost-user' },
  'user-module': { type: 'string', multiple: true },
  // Collection, when the gate is given a TARGET instead of a folder (the options of `leakhunt collect`).
  interval: { type: 'string', default: '10s' },
  count: { type: 'string', default: '10' },
  out: { type: 'string' },
  endpoint: { type: 'string' },
  container: { type: 'string' },
  pid: { type: 'string' },
  ...sshTargetOptions,
  'pprof-prefix': { type: 'string' },
} as const;

/** Collects a series from TARGET with `leakhunt collect`'s machinery into a folder and returns the folder. */
async function collectForGate(
  target: string,
  v: Record<string, string | string[] | boolean | undefined>,
  io: CliIO,
): Promise<string> {
  const out =
    typeof v['out'] === 'string'
      ? path.resolve(io.cwd, v['out'])
      : await fs.mkdtemp(path.join(os.tmpdir(), 'leakhunt-gate-'));
  const args = [target, '--out', out, '--interval', String(v['interval']), '--count', String(v['count'])];
  for (const k of ['endpoint', 'container', 'pid', 'known-hosts', 'ssh-config', 'pprof-prefix']) {
    if (typeof v[k] === 'string') args.push(`--${k}`, v[k] as string);
  }
  for (const id of (v['identity'] as string[] | undefined) ?? []) args.push('--identity', id);
  if (v['accept-new-host-key'] === true) args.push('--accept-new-host-key');
  // collect's own summary is not the gate's output: the gate prints the leak report and its verdict.
  const sink = new PassThrough();
  sink.resume();
  try {
    await runAcquisition('collect', args, { ...io, stdout: sink }, () => []);
  } catch (e) {
    // Whatever stopped the collection, the gate could not judge: that is an error (2), not "over budget" (1).
    throw new CliUsageError(`collecting from ${target} failed: ${(e as Error).message}`, 2);
  }
  io.stderr.write(`leakhunt gate: series in ${out}\n`);
  return out;
}

function budget<T>(text: string | undefined, parse: (t: string, what: string) => T, flag: string, dflt: T): T {
  if (text === undefined) return dflt;
  try {
    return parse(text, flag);
  } catch (e) {
    if (e instanceof UnitParseError) throw new CliUsageError(e.message, 2);
    throw e;
  }
}

/** `leakhunt gate DIR`: the CI/CD memory gate; exit 1 with the reasons when a budget is exceeded, 0 otherwise. */
export const gateCommand: CliCommand = {
  name: 'gate',
  summary: 'CI memory gate: exit 1 when heap/goroutine growth, cgroup ratio or alloc rate exceed budgets',
  usage: [
    'leakhunt gate DIR|TARGET [--max-heap-growth 1MB/min] [--max-goroutine-growth 10/min] [--max-cgroup-ratio 0.9]',
    '                  [--max-alloc-rate 50MB/s] [--format text|json|markdown|sarif] [--window N]',
    '',
    'DIR: a series folder written by `leakhunt watch --out DIR` or `leakhunt collect`.',
    'TARGET: http://HOST:PORT or ssh://[USER@]HOST[:PORT]: collects --count snapshots (default 10) every --interval',
    '  (default 10s) first, with the connection options of `leakhunt collect` (--endpoint, --container, --pid,',
    '  --identity, --known-hosts, --ssh-config, --accept-new-host-key, --pprof-prefix, --out).',
    '--max-heap-growth R       heap growth budget, SIZE/TIME: kB MB GB (1000) or KiB MiB GiB (1024) per s, min or h',
    '--max-goroutine-growth R  goroutine growth budget, COUNT/TIME such as 10/min',
    '--max-cgroup-ratio X      memory.current/memory.max budget, 0.9 or 90%',
    '--max-alloc-rate R        allocation rate budget, such as 50MB/s',
    '--format F                the report printed before the verdict (default text)',
    'An OOM kill of the target in the window (its cgroup oom_kill counter rose as it died or restarted) always fails.',
    'Exit 0 within budget, 1 over budget (reasons on stderr), 2 on bad usage or an unreadable folder.',
  ].join('\n'),
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values: v, positionals } = parseCliArgs(argv, options, 2);
    if (positionals.length !== 1)
      throw new CliUsageError(`expected one series folder DIR, got ${positionals.length}`, 2);
    const target = positionals[0]!;
    const budgets: LeakBudgets = {
      maxHeapGrowthBytesPerSec: budget(
        v['max-heap-growth'],
        parseByteRate,
        '--max-heap-growth',
        DEFAULT_BUDGETS.maxHeapGrowthBytesPerSec,
      ),
      maxGoroutineGrowthPerSec: budget(
        v['max-goroutine-growth'],
        parseCountRate,
        '--max-goroutine-growth',
        DEFAULT_BUDGETS.maxGoroutineGrowthPerSec,
      ),
      maxCgroupRatio: budget(v['max-cgroup-ratio'], parseRatio, '--max-cgroup-ratio', DEFAULT_BUDGETS.maxCgroupRatio),
      maxAllocBytesPerSec: budget(
        v['max-alloc-rate'],
        parseByteRate,
        '--max-alloc-rate',
        DEFAULT_BUDGETS.maxAllocBytesPerSec,
      ),
      failOnOomKill: DEFAULT_BUDGETS.failOnOomKill,
    };
    const format = v.format;
    if (format !== 'text' && format !== 'json' && format !== 'markdown' && format !== 'sarif') {
      throw new CliUsageError(`--format must be text, json, markdown or sarif, not ${JSON.stringify(format)}`, 2);
    }
    let dir: string;
    if (/^(https?|ssh):\/\//.test(target)) dir = await collectForGate(target, v, io);
    else {
      dir = path.resolve(io.cwd, target);
      try {
        await fs.access(dir);
      } catch {
        throw new CliUsageError(`${target}: no such series folder`, 2);
      }
    }
    const { report, loaded } = await reportFromSeries(dir, seriesReadOptions(v), io);
    // No data is not a pass: a gate that saw nothing cannot vouch for anything.
    if (loaded === 0) throw new CliUsageError(`no usable snapshots in ${dir}: cannot judge the budgets`, 2);
    io.stdout.write(renderReport(report, format));
    const result = checkBudgets(report, budgets);
    for (const n of result.notes) io.stderr.write(`leakhunt gate: note: ${n}\n`);
    if (result.passed) {
      io.stderr.write('leakhunt gate: within budget\n');
      return 0;
    }
    io.stderr.write(`leakhunt gate: over budget (${result.reasons.length}):\n`);
    for (const r of result.reasons) io.stderr.write(`  - ${r}\n`);
    return 1;
  },
};
