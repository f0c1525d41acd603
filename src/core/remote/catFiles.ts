import { pathArg, RemoteCommand, type SafeArg } from './remoteCommand';

/**
 * Reading many small files with ONE remote `cat`: between the files we put `/proc/sys/kernel/random/uuid`, which
 * yields a fresh random UUID line on every read. Those lines split the output unambiguously (no cgroup or proc file
 * contains a UUID line), and nothing has to be created on the remote host. A missing file simply leaves an empty
 * segment (cat reports it on stderr and goes on).
 */
export const UUID_SOURCE = '/proc/sys/kernel/random/uuid';

const UUID_AT_END = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The `cat -- F1 UUID F2 UUID ... Fn` command for validated paths. */
export function catFilesCommand(paths: SafeArg[]): RemoteCommand {
  const sep = pathArg(UUID_SOURCE);
  const args: SafeArg[] = [];
  paths.forEach((p, i) => {
    if (i > 0) args.push(sep);
    args.push(p);
  });
  return RemoteCommand.of('cat', args);
}

/**
 * Splits the output of {@link catFilesCommand} back into `count` file contents (empty → null). Returns undefined when
 * the number of separators is wrong (e.g. the UUID source is unreadable), so the caller can report it.
 */
export function splitCatOutput(text: string, count: number): (string | null)[] | undefined {
  const parts: string[] = [];
  let cur: string[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const m = UUID_AT_END.exec(line);
    if (m && parts.length < count - 1) {
      // A file without a trailing newline runs into the separator on the same line.
      const before = line.slice(0, line.length - (m[1]?.length ?? 0));
      if (before !== '') cur.push(before);
      parts.push(cur.length > 0 ? `${cur.join('\n')}\n` : '');
      cur = [];
    } else {
      cur.push(line);
    }
  }
  parts.push(cur.length > 0 ? `${cur.join('\n')}\n` : '');
  if (parts.length !== count) return undefined;
  return parts.map((p) => (p === '' ? null : p));
}
