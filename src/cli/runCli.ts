import type { CliIO } from './cliCommand';
import { CliUsageError } from './cliCommand';
import { commands } from './commands/index';

/** Runs one `leakhunt` invocation and returns its exit code; errors become one line on stderr, never a stack trace. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(helpText());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version') {
    io.stdout.write('leakhunt 0.1.0\n');
    return 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.stderr.write(`leakhunt: unknown command '${name}' (try 'leakhunt --help')\n`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof CliUsageError) {
      io.stderr.write(`leakhunt ${cmd.name}: ${oneLine(err.message)}\nusage: ${cmd.usage.split('\n')[0]}\n`);
      return err.exitCode;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    io.stderr.write(`leakhunt ${cmd.name}: ${e.name !== 'Error' ? `${e.name}: ` : ''}${oneLine(e.message)}\n`);
    return 1;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

function helpText(): string {
  const w = Math.max(0, ...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`);
  return `leakhunt: hunt memory and goroutine leaks in Go services\n\nusage: leakhunt COMMAND [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'leakhunt COMMAND --help' for a command's options.\n`;
}
