import type { GoroutineGroupRow } from '../../src/core/leak/seriesDashboardModel';
import { el } from './el';
import { renderSparkline } from './renderSparkline';
import { sourceLink } from './sourceLink';

/** Renders the goroutine groups table: function, file:line, state, count, slope/min, max wait, proven, labels. */
export function renderGoroutineTable(
  doc: Document,
  groups: readonly GoroutineGroupRow[],
  onOpen: (file: string, line: number) => void,
): HTMLElement {
  const box = el(doc, 'section', 'goroutines');
  box.append(el(doc, 'h2', 'section-title', 'Goroutine groups'));
  if (groups.length === 0) {
    box.append(el(doc, 'p', 'status', 'No growing goroutine groups.'));
    return box;
  }
  const table = el(doc, 'table', 'data-table goroutine-table');
  const head = el(doc, 'tr', '');
  for (const h of ['Function', 'Location', 'State', 'Count', 'Slope/min', 'Max wait', 'Proven', 'Trend', 'Labels']) {
    head.append(el(doc, 'th', '', h));
  }
  const thead = el(doc, 'thead', '');
  thead.append(head);
  table.append(thead);
  const body = el(doc, 'tbody', '');
  for (const g of groups) {
    const tr = el(doc, 'tr', `verdict-${g.verdict}`);
    tr.append(el(doc, 'td', 'fn', g.function));
    const loc = el(doc, 'td', 'loc');
    if (g.file !== '') loc.append(sourceLink(doc, g.file, g.line, onOpen));
    tr.append(loc);
    tr.append(el(doc, 'td', 'state', g.state));
    tr.append(el(doc, 'td', 'num count', String(g.count)));
    tr.append(el(doc, 'td', 'num', `${g.slopePerMin >= 0 ? '+' : ''}${g.slopePerMin.toFixed(1)}`));
    tr.append(el(doc, 'td', 'num', g.maxWaitMinutes > 0 ? `${g.maxWaitMinutes} min` : '—'));
    const proven = el(doc, 'td', g.proven ? 'proven yes' : 'proven', g.proven ? 'proven' : '—');
    if (g.proven)
      proven.title = 'Listed by the goroutineleak profile: the GC proved these goroutines can never run again';
    tr.append(proven);
    const spark = el(doc, 'td', 'trend');
    spark.append(renderSparkline(doc, g.series, `${g.function}: goroutines per snapshot`));
    tr.append(spark);
    const labels = el(doc, 'td', 'labels');
    for (const l of g.labels) labels.append(el(doc, 'span', 'label', l));
    tr.append(labels);
    body.append(tr);
  }
  table.append(body);
  box.append(table);
  return box;
}
