import type { TopReport } from '../core/pprof/topReport';

const byteUnits: [number, string][] = [
  [1024 ** 5, 'PB'],
  [1024 ** 4, 'TB'],
  [1024 ** 3, 'GB'],
  [1024 ** 2, 'MB'],
  [1024, 'kB'],
];
const nsUnits: [number, string][] = [
  [3600e9, 'hrs'],
  [60e9, 'mins'],
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'us'],
];

/** Formats a value of `unit` for people, like pprof's default output (1024-based bytes, time from ns). */
export function formatValue(v: number, unit: string): string {
  const table = unit === 'bytes' ? byteUnits : unit === 'nanoseconds' ? nsUnits : undefined;
  if (!table || v === 0) return `${v}${unit === 'bytes' ? 'B' : unit === 'nanoseconds' ? 'ns' : ''}`;
  const a = Math.abs(v);
  for (const [div, suffix] of table) {
    if (a >= div) return `${trimZeros((v / div).toFixed(2))}${suffix}`;
  }
  return `${v}${unit === 'bytes' ? 'B' : 'ns'}`;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

function pct(v: number, total: number): string {
  return `${total === 0 ? '0.00' : ((100 * v) / total).toFixed(2)}%`;
}

/** Renders a {@link TopReport} as a table in the layout of `go tool pprof -top`. */
export function formatTopText(r: TopReport, title: string): string {
  const out: string[] = [];
  out.push(title);
  out.push(`Type: ${r.sampleIndex}`);
  const shown = r.functions.reduce((s, f) => s + f.flat, 0);
  out.push(
    `Showing nodes accounting for ${formatValue(shown, r.unit)}, ${pct(shown, r.total)} of ${formatValue(r.total, r.unit)} total`,
  );
  out.push(
    `${'flat'.padStart(10)} ${'flat%'.padStart(6)} ${'sum%'.padStart(6)} ${'cum'.padStart(10)} ${'cum%'.padStart(6)}`,
  );
  let sum = 0;
  for (const f of r.functions) {
    sum += f.flat;
    const name = f.line !== undefined ? `${f.name} ${f.file}:${f.line}` : f.name;
    out.push(
      `${formatValue(f.flat, r.unit).padStart(10)} ${pct(f.flat, r.total).padStart(6)} ${pct(sum, r.total).padStart(6)} ${formatValue(f.cum, r.unit).padStart(10)} ${pct(f.cum, r.total).padStart(6)}  ${name}`,
    );
  }
  return `${out.join('\n')}\n`;
}
