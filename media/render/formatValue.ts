/** Formats a profile value for display in its unit, the way `go tool pprof` scales them (binary prefixes for bytes). */
export function formatValue(v: number, unit: string): string {
  const sign = v < 0 ? '-' : '';
  const a = Math.abs(v);
  if (unit === 'bytes') return sign + scaled(a, 1024, ['B', 'kB', 'MB', 'GB', 'TB']);
  if (unit === 'nanoseconds') {
    if (a >= 1e9) return `${sign}${trim(a / 1e9)}s`;
    if (a >= 1e6) return `${sign}${trim(a / 1e6)}ms`;
    if (a >= 1e3) return `${sign}${trim(a / 1e3)}µs`;
    return `${sign}${a}ns`;
  }
  return sign + Math.round(a).toLocaleString('en-US');
}

/** Formats `part` as a percentage of `total`, or an empty string when the total is zero. */
export function formatPercent(part: number, total: number): string {
  if (total === 0) return '';
  return `${((100 * part) / total).toFixed(2)}%`;
}

function scaled(a: number, base: number, units: string[]): string {
  let i = 0;
  while (a >= base && i < units.length - 1) {
    a /= base;
    i++;
  }
  return i === 0 ? `${a}${units[0]}` : `${trim(a)}${units[i]}`;
}

function trim(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
