import type { CliCommand } from '../cliCommand';

/** Every `leakhunt` sub-command, in the order `leakhunt --help` lists them. Each lives in its own file here. */
export const commands: CliCommand[] = [];
