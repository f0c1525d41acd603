import * as readline from 'node:readline';
import type { CliIO } from './cliCommand';

/**
 * Asks a question on the terminal without echoing the answer (for passphrases and passwords). Returns undefined when
 * stdin is not a TTY, so unattended runs never block. The answer lives only in memory.
 */
export function promptHidden(io: CliIO, question: string): Promise<string | undefined> {
  if (!io.stdin.isTTY) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const out = io.stderr;
    const rl = readline.createInterface({ input: io.stdin, output: out, terminal: true });
    // Mute everything readline would echo after the question.
    const rlo = rl as unknown as { _writeToOutput?: (s: string) => void };
    out.write(question);
    rlo._writeToOutput = () => undefined;
    rl.question('', (answer) => {
      rl.close();
      out.write('\n');
      resolve(answer);
    });
    rl.on('SIGINT', () => {
      rl.close();
      resolve(undefined);
    });
  });
}
