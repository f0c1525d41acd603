import { diff } from '../../core/pprof/diff';
import { removeUninteresting } from '../../core/pprof/prune';
import { topReport } from '../../core/pprof/topReport';
import type { CliCommand, CliIO } from '../cliCommand';
import { readProfileFile } from '../profileFile';
import { formatTopText } from '../topReportText';
import { parseReportArgs } from './top';

/** `leakhunt diff BASE CURRENT`: per-function flat/cum of `current − base`, as `go tool pprof -base BASE CURRENT`. */
export const diffCommand: CliCommand = {
  name: 'diff',
  summary: 'per-function change from BASE to CURRENT, like go tool pprof -base',
  usage: [
    'leakhunt diff BASE CURRENT [--sample-index NAME|N] [--by function|line] [--format text|json]',
    '              [--focus RE] [--ignore RE] [--hide RE] [--show RE]',
    '',
    'Shows CURRENT − BASE (negative values: shrank). Same options and JSON shape as `leakhunt top`;',
    'the total is the sum of absolute sample values of the difference, as pprof reports it.',
  ].join('\n'),
  async run(argv: string[], io: CliIO): Promise<number> {
    const { files, sampleIndex, by, format, filters } = parseReportArgs(argv, 2);
    const [baseFile, curFile] = files as [string, string];
    const base = readProfileFile(baseFile, io.cwd).profile;
    const cur = readProfileFile(curFile, io.cwd).profile;
    // pprof merges first, then removes uninteresting frames (internal/driver fetchProfiles).
    const report = topReport(removeUninteresting(diff(base, cur)), { sampleIndex, by, filters });
    io.stdout.write(
      format === 'json' ? `${JSON.stringify(report)}\n` : formatTopText(report, `Diff: ${curFile} - ${baseFile}`),
    );
    return 0;
  },
};
