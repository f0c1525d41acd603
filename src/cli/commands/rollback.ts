import * as path from 'node:path';
import { rollbackPool } from '../../core/hotpatch/patchPool';
import type { CliCommand, CliIO } from '../cliCommand';
import { parseCliArgs } from '../parseCliArgs';
import { openHotpatchAccess } from '../hotpatchAccess';
import {
  askYesNo,
  exitCodeOf,
  hotpatchTargetOptions,
  parseFormat,
  parseHotpatchTarget,
  resultJson,
  resultText,
} from './hotpatch';

/** `leakhunt rollback local --pid PID`: restore the New recorded before the last hot patch of that process. */
export const rollbackCommand: CliCommand = {
  name: 'rollback',
  summary: 'undo the last hot patch of a process (restores the recorded original New)',
  usage: [
    'leakhunt rollback local|ssh://[USER@]HOST[:PORT] --pid PID [--pool PKG.VAR] [--yes] [--out DIR]',
    '                  [--format text|json] [--dlv PATH] [--identity FILE] [--known-hosts FILE] [--ssh-config FILE]',
    '                  [--accept-new-host-key]',
    '',
    'Reads audit.jsonl in --out (default ./.leakhunt), finds the last applied patch of this process (same pid and',
    'start time), checks New still holds the patched value and the recorded original is intact, and writes it back.',
    'Exit: 0 rolled back, 2 refused by a check or declined, 1 error.',
  ].join('\n'),
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseCliArgs(argv, { ...hotpatchTargetOptions, pool: { type: 'string' } });
    const { pid, target } = parseHotpatchTarget(positionals, values.pid, values);
    const format = parseFormat(values.format);
    if (!values.yes && !io.stdin.isTTY) {
      io.stderr.write('leakhunt rollback: refusing without confirmation: stdin is not a TTY; pass --yes\n');
      return 2;
    }
    const opened = await openHotpatchAccess(target, values, io);
    const result = await rollbackPool({
      pid,
      access: opened.access,
      auditDir: path.resolve(io.cwd, values.out ?? '.leakhunt'),
      ...(values.pool ? { pool: values.pool } : {}),
      ...(values.dlv ? { dlvPath: values.dlv } : {}),
      ...(values.yes ? {} : { confirm: (summary: string) => askYesNo(io, `${summary}?`) }),
    }).finally(() => opened.close());
    io.stdout.write(format === 'json' ? `${JSON.stringify(resultJson(result))}\n` : resultText(result, 'rollback'));
    return exitCodeOf(result);
  },
};
