import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './cliCommand';

/** Parses a command's argv strictly against `options`; parseArgs' complaints become a CliUsageError(usageExitCode). */
export function parseCliArgs<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
  usageExitCode = 1,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new CliUsageError((e as Error).message, usageExitCode);
  }
}
