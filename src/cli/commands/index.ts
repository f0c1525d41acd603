import type { CliCommand } from '../cliCommand';
import { collectCommand } from './collect';
import { containersCommand } from './containers';
import { diffCommand } from './diff';
import { gateCommand } from './gate';
import { hotpatchCommand } from './hotpatch';
import { lintCommand } from './lint';
import { reportCommand } from './report';
import { rollbackCommand } from './rollback';
import { topCommand } from './top';
import { watchCommand } from './watch';

/** Every `leakhunt` sub-command, in the order `leakhunt --help` lists them. Each lives in its own file here. */
export const commands: CliCommand[] = [
  topCommand,
  diffCommand,
  lintCommand,
  watchCommand,
  collectCommand,
  containersCommand,
  reportCommand,
  gateCommand,
  hotpatchCommand,
  rollbackCommand,
];
