import * as path from 'node:path';
import * as readline from 'node:readline';
import { hotpatchPool, type HotpatchResult } from '../../core/hotpatch/patchPool';
import type { CliCommand, CliIO } from '../cliCommand';
import { parseCliArgs } from '../parseCliArgs';
import { CliUsageError } from '../cliCommand';
import { openHotpatchAccess, parseHotpatchTargetArg, type HotpatchTarget } from '../hotpatchAccess';
import { sshTargetOptions } from '../openWatchTarget';

/** Options shared by `hotpatch` and `rollback`. */
export const hotpatchTargetOptions = {
  pid: { type: 'string' },
  dlv: { type: 'string' },
  yes: { type: 'boolean', default: false },
  out: { type: 'string' },
  format: { type: 'string', default: 'text' },
  ...sshTargetOptions,
} as const;

/** Validates TARGET (`local` or `ssh://...`, with the SSH options of `watch`) and --pid. */
export function parseHotpatchTarget(
  positionals: string[],
  pidText: string | undefined,
  ssh: Parameters<typeof parseHotpatchTargetArg>[1] = {},
): { pid: number; target: HotpatchTarget } {
  if (positionals.length !== 1) throw new CliUsageError('expected one TARGET (local or ssh://...)');
  const target = parseHotpatchTargetArg(positionals[0]!, ssh);
  if (!pidText || !/^\d{1,9}$/.test(pidText) || Number(pidText) <= 0)
    throw new CliUsageError(`--pid must be a process id, not ${JSON.stringify(pidText ?? '')}`);
  return { pid: Number(pidText), target };
}

/** Validates --format. */
export function parseFormat(f: string | undefined): 'text' | 'json' {
  if (f !== 'text' && f !== 'json') throw new CliUsageError(`--format must be text or json, not ${JSON.stringify(f)}`);
  return f;
}

/** Asks a yes/no question on the terminal; anything but y/yes is no. */
export function askYesNo(io: CliIO, question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: io.stdin, output: io.stderr, terminal: true });
    rl.question(`${question} [y/N] `, (answer) => {
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
    rl.on('SIGINT', () => {
      rl.close();
      resolve(false);
    });
  });
}

/** Exit code of a patch/rollback result: 0 applied or dry run passed, 2 refused by a check (or declined), 1 error. */
export function exitCodeOf(r: HotpatchResult): number {
  if (r.applied || (r.dryRun && !r.refused && !r.error)) return 0;
  if (r.refused || r.errorCode === 'declined') return 2;
  return 1;
}

/** The JSON document of a result: `{"applied","checks","before","after","frozenMs","error"?}` plus context. */
export function resultJson(r: HotpatchResult): object {
  return {
    applied: r.applied,
    dryRun: r.dryRun,
    refused: r.refused,
    checks: r.checks,
    before: r.before ?? null,
    after: r.after ?? null,
    frozenMs: r.frozenMs ?? null,
    attachFrozenMs: r.attachFrozenMs ?? null,
    ...(r.error ? { error: r.error, errorCode: r.errorCode } : {}),
  };
}

/** Human-readable rendering of a result. */
export function resultText(r: HotpatchResult, verb: string): string {
  const lines = r.checks.map((c) => `  ${c.passed ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
  if (r.before) lines.push(`  before: ${r.before.function} (funcval ${r.before.funcval})`);
  if (r.after) lines.push(`  after:  ${r.after.function} (funcval ${r.after.funcval})`);
  if (r.attachFrozenMs !== undefined) lines.push(`  stopped while Delve attached and checked: ${r.attachFrozenMs} ms`);
  if (r.frozenMs !== undefined) lines.push(`  frozen for the write: ${r.frozenMs} ms`);
  const head = r.applied
    ? `${verb} applied`
    : r.dryRun && !r.refused && !r.error
      ? 'dry run: every check passed; nothing was written'
      : r.refused
        ? `${verb} refused`
        : `${verb} failed: ${r.error ?? ''}`;
  if (r.refused && r.error) lines.push(`  ${r.error}`);
  return `${head}\n${lines.join('\n')}\n`;
}

/** `leakhunt hotpatch local --pid PID --pool PKG.VAR --with PKG.VAR`: point a live sync.Pool's New at a fixed function. */
export const hotpatchCommand: CliCommand = {
  name: 'hotpatch',
  summary: "point a live sync.Pool's New at a fixed func compiled into the binary (through Delve)",
  usage: [
    'leakhunt hotpatch local|ssh://[USER@]HOST[:PORT] --pid PID --pool PKG.VAR --with PKG.NAME [--source DIR]',
    '                  [--dry-run] [--yes] [--out DIR] [--format text|json] [--dlv PATH]',
    '                  [--identity FILE] [--known-hosts FILE] [--ssh-config FILE] [--accept-new-host-key]',
    '',
    'ssh://   dlv is started on the host as the SSH login user, which must own the process, and is reached',
    '         only through an SSH tunnel to its 127.0.0.1 port. SSH options are those of watch.',
    '--pool     the package-level sync.Pool variable, e.g. pool.BufPool or example.com/app/pool.BufPool',
    '--with     a package-level func() any variable the binary keeps (set through Delve), or a top-level',
    '           function whose value the program takes (raw write of its funcval, verified first)',
    '--source   module root with the sources of both, for the static and sandbox checks (default: cwd)',
    '--dry-run  run every check (Delve attaches briefly) and write nothing',
    '--yes      do not ask; without it leakhunt asks on a TTY and refuses when not on one',
    '--out      folder of audit.jsonl (default: ./.leakhunt)',
    '--dlv      path of dlv on the target host (default: dlv on PATH)',
    'JSON: {"applied","checks":[{"name","passed","detail"}],"before","after","frozenMs","error"?}',
    'Exit: 0 applied (or dry run passed), 2 refused by a check or declined, 1 error.',
  ].join('\n'),
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCliArgs(argv, {
      ...hotpatchTargetOptions,
      pool: { type: 'string' },
      with: { type: 'string' },
      source: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    });
    const { pid, target } = parseHotpatchTarget(positionals, values.pid, values);
    const format = parseFormat(values.format);
    if (!values.pool) throw new CliUsageError('--pool PKG.VAR is required');
    if (!values.with) throw new CliUsageError('--with PKG.NAME is required');
    const dryRun = values['dry-run'];
    if (!dryRun && !values.yes && !io.stdin.isTTY) {
      const r: HotpatchResult = {
        applied: false,
        refused: true,
        dryRun,
        checks: [{ name: 'confirmation', passed: false, detail: 'not on a TTY and --yes not given' }],
        error: 'refusing to patch without confirmation: stdin is not a TTY; pass --yes',
        errorCode: 'refused',
      };
      io.stdout.write(format === 'json' ? `${JSON.stringify(resultJson(r))}\n` : resultText(r, 'hot patch'));
      return 2;
    }
    const opened = await openHotpatchAccess(target, values, io);
    const result = await hotpatchPool({
      pid,
      access: opened.access,
      pool: values.pool,
      with: values.with,
      source: path.resolve(io.cwd, values.source ?? '.'),
      dryRun,
      auditDir: path.resolve(io.cwd, values.out ?? '.leakhunt'),
      ...(values.dlv ? { dlvPath: values.dlv } : {}),
      ...(values.yes || dryRun ? {} : { confirm: (summary: string) => askYesNo(io, `${summary}?`) }),
      ...(format === 'text' ? { onProgress: (m: string) => io.stderr.write(`leakhunt: ${m}\n`) } : {}),
    }).finally(() => opened.close());
    io.stdout.write(format === 'json' ? `${JSON.stringify(resultJson(result))}\n` : resultText(result, 'hot patch'));
    return exitCodeOf(result);
  },
};
