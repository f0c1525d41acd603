import type { SiteSparkline } from '../../src/core/leak/seriesDashboardModel';
import { el } from './el';
import { formatValue } from './formatValue';
import { renderSparkline } from './renderSparkline';
import { sourceLink } from './sourceLink';

/** Renders the heap suspects, one row each: verdict, function, in-use bytes, growth per minute, sparkline, file:line. */
export function renderSitesTable(
  doc: Document,
  sites: readonly SiteSparkline[],
  onOpen: (file: string, line: number) => void,
): HTMLElement {
  const box = el(doc, 'section', 'sites');
  box.append(el(doc, 'h2', 'section-title', 'Heap allocation sites'));
  if (sites.length === 0) {
    box.append(el(doc, 'p', 'status', 'No growing allocation sites.'));
    return box;
  }
  const table = el(doc, 'table', 'data-table sites-table');
  const head = el(doc, 'tr', '');
  for (const h of ['Verdict', 'Function', 'In use', 'Growth/min', 'Trend', 'Location'])
    head.append(el(doc, 'th', '', h));
  const thead = el(doc, 'thead', '');
  thead.append(head);
  table.append(thead);
  const body = el(doc, 'tbody', '');
  for (const s of sites) {
    const tr = el(doc, 'tr', `verdict-${s.verdict}`);
    tr.append(el(doc, 'td', `verdict ${s.verdict}`, s.verdict));
    tr.append(el(doc, 'td', 'fn', s.function));
    tr.append(el(doc, 'td', 'num', formatValue(s.inuseBytes, 'bytes')));
    tr.append(
      el(
        doc,
        'td',
        'num',
        `${s.slopeBytesPerMin >= 0 ? '+' : ''}${formatValue(Math.round(s.slopeBytesPerMin), 'bytes')}`,
      ),
    );
    const spark = el(doc, 'td', 'trend');
    spark.append(renderSparkline(doc, s.series, `${s.function}: in-use bytes per GC cycle`));
    tr.append(spark);
    const loc = el(doc, 'td', 'loc');
    if (s.file !== '') loc.append(sourceLink(doc, s.file, s.line, onOpen));
    tr.append(loc);
    body.append(tr);
  }
  table.append(body);
  box.append(table);
  return box;
}
