import type { CliCommand } from '../cliCommand';
import { collectCommand } from './collect';
import { diffCommand } from './diff';
import { lintCommand } from './lint';
import { topCommand } from './top';
import { watchCommand } from './watch';

/** Every `leakhunt` sub-command, in the order `leakhunt --help` lists them. Each lives in its own file here. */
export const commands: CliCommand[] = [topCommand, diffCommand, lintCommand, watchCommand, collectCommand];
