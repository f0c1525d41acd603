import * as path from 'node:path';
import { formatJson, formatSarif, formatText } from '../../core/analysis/formatFindings';
import { selectRules, UnknownRuleError } from '../../core/analysis/rules/index';
import { scanWorkspace } from '../../core/analysis/workspaceScanner';
import type { CliCommand, CliIO } from '../cliCommand';
import { CliUsageError } from '../cliCommand';
import { parseCliArgs } from '../parseCliArgs';

const options = {
  format: { type: 'string', default: 'text' },
  rules: { type: 'string' },
  'include-vendor': { type: 'boolean', default: false },
  'include-testdata': { type: 'boolean', default: false },
  go: { type: 'string' },
  threads: { type: 'string' },
} as const;

/** `leakhunt lint [PATH...]`: runs the static leak rules over Go files and reports findings; exit 0 clean, 1 findings, 2 error. */
export const lintCommand: CliCommand = {
  name: 'lint',
  summary: 'static leak rules over Go source (goroutine, timer, cancel, sync.Map, sync.Pool, unsafe)',
  usage: [
    'leakhunt lint [PATH...] [--format text|json|sarif] [--rules a,b] [--include-vendor] [--include-testdata]',
    '              [--go VERSION] [--threads N]',
    '',
    'PATH: directories (walked) or .go files; default "." . Exit 0 when clean, 1 with findings, 2 on error.',
    '--format            text (default), json {"files":N,"findings":[{rule,file,line,column,endLine,endColumn,',
    '                    severity,message}]} (1-based), or sarif (SARIF 2.1.0 with rule metadata)',
    '--rules             comma-separated rule ids to run (default: all)',
    '--include-vendor    also scan vendor/ directories (skipped by default)',
    '--include-testdata  also scan testdata/ directories (skipped by default)',
    '--go VERSION        Go version to assume instead of each go.mod `go` line (e.g. 1.22)',
    '--threads N         worker threads (default: all cores); 0 runs on the main thread',
    'Files that do not parse are reported on stderr and skipped.',
  ].join('\n'),
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCliArgs(argv, options, 2);
    const format = values.format;
    if (format !== 'text' && format !== 'json' && format !== 'sarif')
      throw new CliUsageError(`--format must be text, json or sarif, not ${JSON.stringify(format)}`, 2);
    const rules = values.rules
      ?.split(',')
      .map((r) => r.trim())
      .filter((r) => r !== '');
    try {
      selectRules(rules);
    } catch (e) {
      if (e instanceof UnknownRuleError) throw new CliUsageError(e.message, 2);
      throw e;
    }
    if (values.go !== undefined && !/^\d+\.\d+(\.\d+)?$/.test(values.go))
      throw new CliUsageError(`--go must look like 1.22, not ${JSON.stringify(values.go)}`, 2);
    let threads: number | undefined;
    if (values.threads !== undefined) {
      threads = Number(values.threads);
      if (!Number.isInteger(threads) || threads < 0 || threads > 64)
        throw new CliUsageError(`--threads must be an integer from 0 to 64, not ${JSON.stringify(values.threads)}`, 2);
    }
    const paths = (positionals.length > 0 ? positionals : ['.']).map((p) => path.resolve(io.cwd, p));
    let result;
    try {
      result = await scanWorkspace(paths, {
        ...(rules ? { rules } : {}),
        ...(values.go !== undefined ? { goVersion: values.go } : {}),
        ...(threads !== undefined ? { threads } : {}),
        skipVendor: !values['include-vendor'],
        skipTestdata: !values['include-testdata'],
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const msg = err.code === 'ENOENT' ? `no such file or directory: ${err.path ?? ''}` : err.message;
      io.stderr.write(`leakhunt lint: ${msg.replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    const rel = (f: string): string => {
      const r = path.relative(io.cwd, f);
      return r.startsWith('..') || path.isAbsolute(r) ? f : r;
    };
    const findings = result.findings.map((f) => ({ ...f, file: rel(f.file) }));
    const skipped = result.skipped.map((s) => ({ ...s, file: rel(s.file) }));
    for (const s of skipped) io.stderr.write(`leakhunt lint: skipped ${s.file}: ${s.reason}\n`);
    io.stdout.write(
      format === 'json'
        ? formatJson(result.files, findings)
        : format === 'sarif'
          ? formatSarif(findings, skipped, { srcRoot: io.cwd, version: '0.1.0' })
          : formatText(findings),
    );
    return findings.length > 0 ? 1 : 0;
  },
};
