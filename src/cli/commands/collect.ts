import type { CliCommand } from '../cliCommand';
import { acquisitionUsage, runAcquisition } from './watch';

/** `leakhunt collect`: like watch, without analysis, for long unattended runs; Ctrl-C stops with the index intact. */
export const collectCommand: CliCommand = {
  name: 'collect',
  summary: 'collect a persisted snapshot series without analysis (until --count or Ctrl-C)',
  usage: acquisitionUsage('collect', '--count N                 snapshots to take (default: until Ctrl-C)'),
  run: (argv, io) => runAcquisition('collect', argv, io, () => []),
};
