/**
 * Human units for leak figures: formatting for reports, and strict parsing for budgets such as
 * `--max-heap-growth 1MB/min` or `--max-alloc-rate 50MB/s`.
 *
 * Decimal prefixes (kB, MB, GB) are powers of 1000 and binary ones (KiB, MiB, GiB) powers of 1024, as everywhere
 * else; `K`/`M`/`G` alone follow Go's pprof and mean 1024-based.
 */

/** Raised for a unit string that does not parse; the message shows what was expected. */
export class UnitParseError extends Error {
  override name = 'UnitParseError';
}

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
};
const TIME_UNITS: Record<string, number> = { s: 1, sec: 1, m: 60, min: 60, h: 3600, hr: 3600 };

/** Parses a byte size such as `512KiB`, `1.5 GB` or `300` (bytes). */
export function parseBytes(text: string, what = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m)
    throw new UnitParseError(
      `${what}: cannot parse ${JSON.stringify(text)}; expected a number with an optional unit such as 512KiB or 1MB`,
    );
  const unit = m[2]!.toLowerCase();
  const mult = unit === '' ? 1 : BYTE_UNITS[unit];
  if (mult === undefined) {
    throw new UnitParseError(
      `${what}: unknown byte unit ${JSON.stringify(m[2])} in ${JSON.stringify(text)}; use B, kB, MB, GB, KiB, MiB or GiB`,
    );
  }
  return Number(m[1]) * mult;
}

/** Parses a byte rate such as `1MB/min` or `50MB/s` into bytes per second. */
export function parseByteRate(text: string, what = 'rate'): number {
  const [amount, per, ...rest] = text.split('/');
  if (amount === undefined || per === undefined || rest.length > 0) {
    throw new UnitParseError(
      `${what}: cannot parse ${JSON.stringify(text)}; expected SIZE/TIME such as 1MB/min or 50MB/s`,
    );
  }
  return parseBytes(amount, what) / perSeconds(per, text, what);
}

/** Parses a count rate such as `10/min` or `0.5/s` into events per second. */
export function parseCountRate(text: string, what = 'rate'): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*\/\s*([a-zA-Z]+)\s*$/.exec(text);
  if (!m) throw new UnitParseError(`${what}: cannot parse ${JSON.stringify(text)}; expected COUNT/TIME such as 10/min`);
  return Number(m[1]) / perSeconds(m[2]!, text, what);
}

/** Parses a ratio such as `0.9` or `90%`, which must lie in [0, 1]. */
export function parseRatio(text: string, what = 'ratio'): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(text);
  if (!m)
    throw new UnitParseError(
      `${what}: cannot parse ${JSON.stringify(text)}; expected a fraction such as 0.9 or a percentage such as 90%`,
    );
  const v = Number(m[1]) / (m[2] === '%' ? 100 : 1);
  if (v > 1) throw new UnitParseError(`${what}: ${JSON.stringify(text)} is above 1 (100%)`);
  return v;
}

function perSeconds(per: string, text: string, what: string): number {
  const unit = per.trim().toLowerCase();
  const s = TIME_UNITS[unit];
  if (s === undefined)
    throw new UnitParseError(
      `${what}: unknown time unit ${JSON.stringify(per.trim())} in ${JSON.stringify(text)}; use s, min or h`,
    );
  return s;
}

/** Formats bytes with binary units (B, KiB, MiB, GiB), one decimal. */
export function formatBytes(b: number): string {
  const a = Math.abs(b);
  if (a >= 1024 ** 3) return `${(b / 1024 ** 3).toFixed(1)} GiB`;
  if (a >= 1024 ** 2) return `${(b / 1024 ** 2).toFixed(1)} MiB`;
  if (a >= 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${Math.round(b)} B`;
}
