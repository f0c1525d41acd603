import { CliUsageError } from './cliCommand';

/** Parses `500ms`, `10s`, `2m`, `1h` or a plain number of seconds into milliseconds; throws CliUsageError. */
export function parseDuration(s: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new CliUsageError(`${what} must be a duration like 500ms, 10s, 2m (got ${JSON.stringify(s)})`);
  const n = Number(m[1]);
  const mult = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Math.round(n * mult);
  if (ms < 1) throw new CliUsageError(`${what} must be at least 1ms`);
  return ms;
}
