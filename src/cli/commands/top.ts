import type { NameFilters } from '../../core/pprof/filter';
import { removeUninteresting } from '../../core/pprof/prune';
import { topReport } from '../../core/pprof/topReport';
import type { CliCommand, CliIO } from '../cliCommand';
import { CliUsageError } from '../cliCommand';
import { parseCliArgs } from '../parseCliArgs';
import { readProfileFile } from '../profileFile';
import { formatTopText } from '../topReportText';

/** Options shared by `top` and `diff`. */
export const reportOptions = {
  'sample-index': { type: 'string' },
  by: { type: 'string', default: 'function' },
  format: { type: 'string', default: 'text' },
  focus: { type: 'string' },
  ignore: { type: 'string' },
  hide: { type: 'string' },
  show: { type: 'string' },
} as const;

/** Parses argv for `top`/`diff`, validating the option values; throws {@link CliUsageError}. */
export function parseReportArgs(
  argv: string[],
  positionals: number,
): {
  files: string[];
  sampleIndex: string | undefined;
  by: 'function' | 'line';
  format: 'text' | 'json';
  filters: NameFilters;
} {
  const { values, positionals: files } = parseCliArgs(argv, reportOptions);
  if (files.length !== positionals) {
    throw new CliUsageError(`expected ${positionals} profile file${positionals > 1 ? 's' : ''}, got ${files.length}`);
  }
  const by = values.by;
  if (by !== 'function' && by !== 'line')
    throw new CliUsageError(`--by must be function or line, not ${JSON.stringify(by)}`);
  const format = values.format;
  if (format !== 'text' && format !== 'json') {
    throw new CliUsageError(`--format must be text or json, not ${JSON.stringify(format)}`);
  }
  const filters: NameFilters = {};
  for (const k of ['focus', 'ignore', 'hide', 'show'] as const) {
    const v = values[k];
    if (v !== undefined) filters[k] = v;
  }
  return { files, sampleIndex: values['sample-index'], by, format, filters };
}

/** `leakhunt top FILE`: per-function (or per-line) flat and cum of one profile, as `go tool pprof -top` computes them. */
export const topCommand: CliCommand = {
  name: 'top',
  summary: 'per-function flat/cum of a profile, like go tool pprof -top',
  usage: [
    'leakhunt top FILE [--sample-index NAME|N] [--by function|line] [--format text|json]',
    '             [--focus RE] [--ignore RE] [--hide RE] [--show RE]',
    '',
    'FILE: profile.proto (gzipped or not), goroutine debug=1/debug=2 text, or heap debug=1 text.',
    '--sample-index  sample type name or index (default: the default_sample_type, else the last type)',
    '--by            function (default) or line',
    '--format        text (default, a pprof-like table) or json:',
    '                {"sampleIndex","unit","total","functions":[{"name","file","flat","cum"[,"line"]}]}',
    '--focus RE      only samples with a frame matching RE (function, file or binary name), as pprof -focus',
    '--ignore RE     drop samples with a frame matching RE, as pprof -ignore',
    '--hide RE       remove matching frames from stacks, as pprof -hide',
    '--show RE       keep only matching frames in stacks, as pprof -show',
    '                (the total stays that of the whole profile, as in pprof)',
  ].join('\n'),
  async run(argv: string[], io: CliIO): Promise<number> {
    const { files, sampleIndex, by, format, filters } = parseReportArgs(argv, 1);
    const file = files[0]!;
    const { profile } = readProfileFile(file, io.cwd);
    // go tool pprof's pipeline: drop_frames pruning, then the report (aggregate applies pprof's display names).
    const report = topReport(removeUninteresting(profile), { sampleIndex, by, filters });
    io.stdout.write(format === 'json' ? `${JSON.stringify(report)}\n` : formatTopText(report, `File: ${file}`));
    return 0;
  },
};
