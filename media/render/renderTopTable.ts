import type { ProfileTopModel, TopRow } from '../../src/views/dashboardMessages';
import { el } from './el';
import { formatPercent, formatValue } from './formatValue';

/** The column the top table is sorted by. */
export type SortKey = 'flat' | 'cum' | 'name';

/** The user actions the top table reports. */
export interface TopTableHandlers {
  onOpenSource(row: TopRow): void;
  onSort(key: SortKey): void;
}

/** The view state the top table depends on. */
export interface TopTableState {
  sortBy: SortKey;
  filter: string;
}

/**
 * Renders the summary line and the top-functions table of a profile.
 *
 * Every profile-derived string goes through `textContent` or an attribute setter, never through HTML parsing,
 * so a function named `<img src=x onerror=alert(1)>` is shown as text and cannot inject an element.
 */
export function renderTopTable(
  doc: Document,
  model: ProfileTopModel,
  state: TopTableState,
  handlers: TopTableHandlers,
): HTMLElement[] {
  const unit = model.sampleTypes[model.sampleIndex]?.unit ?? '';
  const rows = visibleRows(model.rows, state);
  const summary = el(doc, 'p', 'summary');
  summary.textContent =
    `Total ${formatValue(model.total, unit)} · ${rows.length} of ${model.rows.length + model.omittedRows} ` +
    (model.granularity === 'line' ? 'lines' : 'functions') +
    (model.omittedRows > 0 ? ` (${model.omittedRows} smallest not shown)` : '');

  const table = el(doc, 'table', 'top-table');
  const head = doc.createElement('thead');
  const hr = doc.createElement('tr');
  const columns: [string, SortKey | undefined][] = [
    ['Flat', 'flat'],
    ['Flat %', undefined],
    ['Cum', 'cum'],
    ['Cum %', undefined],
    ['Function', 'name'],
    ['Location', undefined],
  ];
  for (const [label, key] of columns) {
    const th = doc.createElement('th');
    th.scope = 'col';
    if (key) {
      const b = el(doc, 'button', 'sort', label + (state.sortBy === key ? ' ▾' : ''));
      b.type = 'button';
      b.addEventListener('click', () => handlers.onSort(key));
      th.append(b);
      th.setAttribute('aria-sort', state.sortBy === key ? (key === 'name' ? 'ascending' : 'descending') : 'none');
    } else {
      th.textContent = label;
    }
    hr.append(th);
  }
  head.append(hr);
  table.append(head);

  const body = doc.createElement('tbody');
  for (const r of rows) {
    const tr = doc.createElement('tr');
    tr.append(
      el(doc, 'td', 'num', formatValue(r.flat, unit)),
      el(doc, 'td', 'num', formatPercent(r.flat, model.total)),
      el(doc, 'td', 'num', formatValue(r.cum, unit)),
      el(doc, 'td', 'num', formatPercent(r.cum, model.total)),
    );
    const fn = el(doc, 'td', 'fn');
    fn.append(el(doc, 'span', 'fn-name', r.name));
    tr.append(fn);
    const loc = el(doc, 'td', 'loc');
    const where = r.line > 0 ? `${r.file}:${r.line}` : r.file;
    if (r.file !== '' && !r.inWorkspace) {
      const outside = el(doc, 'span', 'elsewhere', where);
      outside.title = `${where} is not in the workspace`;
      loc.append(outside);
    } else if (r.file !== '') {
      const a = el(doc, 'a', 'source', where);
      a.setAttribute('href', '#');
      a.title = `Open ${where} in the workspace`;
      a.addEventListener('click', (e) => {
        e.preventDefault();
        handlers.onOpenSource(r);
      });
      loc.append(a);
    }
    tr.append(loc);
    body.append(tr);
  }
  table.append(body);
  return [summary, table];
}

/** Applies the filter and sort of `state` to the rows, without changing the model. */
export function visibleRows(rows: TopRow[], state: TopTableState): TopRow[] {
  let out = rows;
  if (state.filter !== '') {
    let re: RegExp | undefined;
    try {
      re = new RegExp(state.filter, 'i');
    } catch {
      re = undefined;
    }
    const needle = state.filter.toLowerCase();
    out = out.filter((r) => (re ? re.test(r.name) : r.name.toLowerCase().includes(needle)));
  }
  const cmp: Record<SortKey, (a: TopRow, b: TopRow) => number> = {
    flat: (a, b) => b.flat - a.flat || b.cum - a.cum || a.name.localeCompare(b.name),
    cum: (a, b) => b.cum - a.cum || b.flat - a.flat || a.name.localeCompare(b.name),
    name: (a, b) => a.name.localeCompare(b.name),
  };
  return [...out].sort(cmp[state.sortBy]);
}
