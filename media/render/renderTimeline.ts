import type { SeriesTimeline } from '../../src/core/leak/seriesDashboardModel';
import { el } from './el';
import { formatDuration } from './formatDuration';
import { formatValue } from './formatValue';
import { svgEl, svgText } from './svg';

/** Size of the timeline's drawing area in SVG user units (the SVG scales to the panel width). */
export const TIMELINE_SIZE = { width: 800, height: 260, left: 70, right: 12, top: 12, bottom: 28 } as const;

type Series = 'heap' | 'current';

/**
 * Renders the memory timeline as SVG: Go heap in use and the container's memory.current as lines with a dot per
 * snapshot, memory.max and the watermark threshold as horizontal lines, and the OOM ETA as text below.
 * Colours come from CSS classes bound to VS Code theme variables; every label is a text node. With `targetEnded`
 * (the target died in the window) the ETA is worded as what it was at the last answered snapshot.
 */
export function renderTimeline(doc: Document, t: SeriesTimeline, targetEnded = false): HTMLElement {
  const box = el(doc, 'section', 'timeline');
  box.append(el(doc, 'h2', 'section-title', 'Memory timeline'));
  const pts = t.points;
  if (pts.length === 0) {
    box.append(el(doc, 'p', 'status', 'No snapshots yet.'));
    return box;
  }
  const { width, height, left, right, top, bottom } = TIMELINE_SIZE;
  const t0 = pts[0]!.timeMs;
  const t1 = Math.max(pts.at(-1)!.timeMs, t0 + 1);
  let yMax = t.memoryMax ?? 0;
  for (const p of pts) yMax = Math.max(yMax, p.heapInuseBytes ?? 0, p.memoryCurrent ?? 0);
  yMax = yMax > 0 ? yMax * 1.05 : 1;
  const x = (ms: number): number => left + ((ms - t0) / (t1 - t0)) * (width - left - right);
  const y = (v: number): number => top + (1 - v / yMax) * (height - top - bottom);
  const fx = (n: number): string => n.toFixed(1);

  const svg = svgEl(doc, 'svg', {
    class: 'timeline-chart',
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': 'Go heap in use and container memory over time',
  });
  // Axes and grid: four horizontal ticks with byte labels, first and last time below.
  for (let i = 0; i <= 4; i++) {
    const v = (yMax / 4) * i;
    svg.append(svgEl(doc, 'line', { class: 'grid', x1: left, x2: width - right, y1: fx(y(v)), y2: fx(y(v)) }));
    svg.append(
      svgText(doc, 'text', formatValue(Math.round(v), 'bytes'), {
        class: 'axis',
        x: left - 6,
        y: fx(y(v) + 4),
        'text-anchor': 'end',
      }),
    );
  }
  svg.append(svgText(doc, 'text', '0 s', { class: 'axis', x: left, y: height - 8 }));
  svg.append(
    svgText(doc, 'text', `${((t1 - t0) / 1000).toFixed(0)} s`, {
      class: 'axis',
      x: width - right,
      y: height - 8,
      'text-anchor': 'end',
    }),
  );

  const hline = (cls: string, v: number, label: string): void => {
    svg.append(svgEl(doc, 'line', { class: cls, x1: left, x2: width - right, y1: fx(y(v)), y2: fx(y(v)) }));
    svg.append(
      svgText(doc, 'text', label, {
        class: `${cls}-label`,
        x: width - right - 4,
        y: fx(y(v) - 4),
        'text-anchor': 'end',
      }),
    );
  };
  if (t.memoryMax !== null) hline('max', t.memoryMax, `memory.max ${formatValue(t.memoryMax, 'bytes')}`);
  if (t.thresholdBytes !== null) {
    hline(
      'threshold',
      t.thresholdBytes,
      `${Math.round(t.thresholdRatio * 100)}% threshold ${formatValue(Math.round(t.thresholdBytes), 'bytes')}`,
    );
  }

  const line = (cls: Series, pick: (p: (typeof pts)[number]) => number | null, name: string): void => {
    const have = pts.filter((p) => pick(p) !== null);
    if (have.length === 0) return;
    svg.append(
      svgEl(doc, 'polyline', {
        class: `series ${cls}`,
        points: have.map((p) => `${fx(x(p.timeMs))},${fx(y(pick(p)!))}`).join(' '),
      }),
    );
    for (const p of have) {
      const dot = svgEl(doc, 'circle', { class: `point ${cls}`, cx: fx(x(p.timeMs)), cy: fx(y(pick(p)!)), r: 2.5 });
      dot.append(svgText(doc, 'title', `#${p.seq} ${name} ${formatValue(pick(p)!, 'bytes')}`));
      svg.append(dot);
    }
  };
  line('current', (p) => p.memoryCurrent, 'memory.current');
  line('heap', (p) => p.heapInuseBytes, 'Go heap in use');
  box.append(svg);

  const legend = el(doc, 'div', 'legend');
  for (const [cls, text] of [
    ['heap', 'Go heap in use'],
    ['current', 'memory.current'],
    ['max', 'memory.max'],
    ['threshold', `${Math.round(t.thresholdRatio * 100)}% threshold`],
  ] as const) {
    const item = el(doc, 'span', `legend-item ${cls}`);
    item.append(el(doc, 'span', 'swatch'), doc.createTextNode(text));
    legend.append(item);
  }
  box.append(legend);

  const eta = el(
    doc,
    'p',
    t.oomEtaSeconds === null ? 'oom-eta none' : 'oom-eta',
    t.oomEtaSeconds === null
      ? t.memoryMax === null
        ? 'No memory limit: no OOM ETA.'
        : 'OOM ETA: not growing towards memory.max.'
      : targetEnded
        ? `OOM ETA at the last answered snapshot: about ${formatDuration(t.oomEtaSeconds)}; the target has since stopped (see above).`
        : `OOM ETA: about ${formatDuration(t.oomEtaSeconds)} until memory.current reaches memory.max.`,
  );
  box.append(eta);
  for (const w of t.warnings) box.append(el(doc, 'p', 'warning', w));
  return box;
}
