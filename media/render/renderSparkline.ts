import { svgEl, svgText } from './svg';

/** Size of a sparkline in SVG user units. */
export const SPARK_SIZE = { width: 120, height: 24 } as const;

/** Renders a series as a small SVG line scaled to its own min/max; `label` becomes the tooltip (a text node). */
export function renderSparkline(doc: Document, series: readonly number[], label: string): SVGSVGElement {
  const { width, height } = SPARK_SIZE;
  const svg = svgEl(doc, 'svg', {
    class: 'sparkline',
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': label,
  });
  svg.append(svgText(doc, 'title', label));
  if (series.length === 0) return svg;
  const lo = Math.min(...series);
  const hi = Math.max(...series);
  const span = hi - lo || 1;
  const step = series.length > 1 ? (width - 2) / (series.length - 1) : 0;
  const points = series.map(
    (v, i) => `${(1 + i * step).toFixed(1)},${(height - 2 - ((v - lo) / span) * (height - 4)).toFixed(1)}`,
  );
  svg.append(svgEl(doc, 'polyline', { class: 'spark', points: points.join(' ') }));
  return svg;
}
