import * as path from 'node:path';
import { LeakAnalyzer } from '../../core/leak/leakAnalyzer';
import { LeakConfigError, resolveLeakConfig, SITE_MODES, type SiteMode } from '../../core/leak/leakConfig';
import type { LeakReport } from '../../core/leak/leakReport';
import { loadSeriesInto } from '../../core/leak/loadSeries';
import { SeriesFormatError } from '../../core/series/seriesIndex';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../../core/leak/renderReport';
import type { CliCommand, CliIO } from '../cliCommand';
import { CliUsageError } from '../cliCommand';
import { parseCliArgs } from '../parseCliArgs';

const options = {
  format: { type: 'string', default: 'text' },
  window: { type: 'string' },
  'site-mode': { type: 'string', default: 'innermost-user' },
  'user-module': { type: 'string', multiple: true },
} as const;

/** Options shared by `report` and `gate` for reading a saved series. */
export interface SeriesReadOptions {
  window: number | undefined;
  siteMode: SiteMode;
  userModules: string[];
}

/** Validates the shared series options; throws CliUsageError (exit 2) on nonsense. */
export function seriesReadOptions(v: {
  window?: string | undefined;
  'site-mode'?: string | undefined;
  'user-module'?: string[] | undefined;
}): SeriesReadOptions {
  let window: number | undefined;
  if (v.window !== undefined) {
    if (!/^[1-9]\d{0,5}$/.test(v.window) || Number(v.window) < 2) {
      throw new CliUsageError(`--window must be an integer of at least 2, not ${JSON.stringify(v.window)}`, 2);
    }
    window = Number(v.window);
  }
  const siteMode = (v['site-mode'] ?? 'innermost-user') as SiteMode;
  if (!SITE_MODES.includes(siteMode)) {
    throw new CliUsageError(
      `--site-mode must be one of ${SITE_MODES.join(', ')}, not ${JSON.stringify(v['site-mode'])}`,
      2,
    );
  }
  return { window, siteMode, userModules: v['user-module'] ?? [] };
}

/** Analyzes a saved series folder and returns its report; problems with single files go to stderr. */
export async function reportFromSeries(
  dir: string,
  o: SeriesReadOptions,
  io: CliIO,
): Promise<{ report: LeakReport; loaded: number }> {
  let config;
  try {
    config = resolveLeakConfig({ site: { mode: o.siteMode, userModules: o.userModules } });
  } catch (e) {
    if (e instanceof LeakConfigError) throw new CliUsageError(e.message, 2);
    throw e;
  }
  const analyzer = new LeakAnalyzer({ config, window: o.window ?? 60 });
  let loaded;
  try {
    loaded = await loadSeriesInto(dir, analyzer, o.window !== undefined ? { window: o.window } : {});
  } catch (e) {
    // A folder that is missing or not a series is a usage problem, not a failed check.
    if (
      e instanceof SeriesFormatError ||
      (e as NodeJS.ErrnoException).code === 'ENOENT' ||
      (e as NodeJS.ErrnoException).code === 'ENOTDIR'
    ) {
      throw new CliUsageError((e as Error).message, 2);
    }
    throw e;
  }
  for (const p of loaded.problems) io.stderr.write(`leakhunt: ${p}\n`);
  if (loaded.loaded === 0) io.stderr.write(`leakhunt: ${dir} has no usable snapshots\n`);
  return { report: analyzer.report(loaded.index.target), loaded: loaded.loaded };
}

/** `leakhunt report DIR`: the leak report of a saved snapshot series, offline. */
export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'leak report (heap sites, goroutine groups, container, SLIs) of a saved series folder',
  usage: [
    'leakhunt report DIR [--format text|json|markdown|sarif] [--window N] [--site-mode MODE] [--user-module PATH]',
    '',
    'DIR: a series folder written by `leakhunt watch --out DIR` or `leakhunt collect`.',
    '--format        text (default: tables with sparklines), json, markdown (for CI comments), sarif (suspects on file:line)',
    '--window N      analyze only the latest N snapshots (default: all, up to 60)',
    `--site-mode M   how stacks become allocation sites: ${SITE_MODES.join(' | ')} (default innermost-user)`,
    '--user-module P package path prefix to treat as your own code (repeatable), for module paths without a dot',
    "The report starts with the target's fate when it did not run through the window: OOM-killed (its cgroup oom_kill",
    'counter rose across its last answer), stopped answering, or restarted (JSON: `lifecycle`).',
    'Exit 0 with a report, 2 on bad usage or an unreadable folder.',
  ].join('\n'),
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values: v, positionals } = parseCliArgs(argv, options, 2);
    if (positionals.length !== 1)
      throw new CliUsageError(`expected one series folder DIR, got ${positionals.length}`, 2);
    const format = v.format as ReportFormat;
    if (!REPORT_FORMATS.includes(format)) {
      throw new CliUsageError(
        `--format must be one of ${REPORT_FORMATS.join(', ')}, not ${JSON.stringify(v.format)}`,
        2,
      );
    }
    const { report } = await reportFromSeries(path.resolve(io.cwd, positionals[0]!), seriesReadOptions(v), io);
    io.stdout.write(renderReport(report, format));
    return 0;
  },
};
