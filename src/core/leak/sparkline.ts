const BARS = '▁▂▃▄▅▆▇█';

/** Draws a series as a one-line sparkline, scaled between its own minimum and maximum (flat → lowest bar). */
export function sparkline(values: readonly number[], width = 24): string {
  if (values.length === 0) return '';
  // Longer series are resampled to `width` points (taking the last value of each bucket).
  const pts: number[] = [];
  if (values.length <= width) pts.push(...values);
  else
    for (let i = 0; i < width; i++)
      pts.push(values[Math.min(values.length - 1, Math.floor(((i + 1) * values.length) / width) - 1)]!);
  let min = Infinity;
  let max = -Infinity;
  for (const v of pts) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  return pts.map((v) => BARS[span === 0 ? 0 : Math.round(((v - min) / span) * (BARS.length - 1))]).join('');
}
