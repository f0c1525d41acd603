import type { FlameNode, Granularity, ProfileTopModel, TopRow } from '../../src/views/dashboardMessages';
import { el } from './el';
import { renderFlameGraph } from './renderFlameGraph';
import { renderTopTable, type SortKey } from './renderTopTable';

/** Which view of the profile is shown. */
export type DashboardView = 'top' | 'flame';

/** View state kept by the webview between renders. */
export interface DashboardState {
  view: DashboardView;
  sortBy: SortKey;
  filter: string;
  /** The zoomed flame graph node and its ancestors; `undefined` shows the whole tree. */
  flameFocus: { node: FlameNode; ancestors: FlameNode[] } | undefined;
}

/** What the user changed in the dashboard; the caller decides what to do (post to the host, re-render). */
export interface DashboardHandlers {
  onSelectSampleIndex(index: number): void;
  onSelectGranularity(granularity: Granularity): void;
  onOpenSource(row: TopRow): void;
  onSort(key: SortKey): void;
  onFilter(text: string): void;
  onView(view: DashboardView): void;
  onFlameFocus(node: FlameNode, ancestors: FlameNode[]): void;
  onExport(): void;
}

/**
 * Renders the whole profile dashboard: title, sample-type picker, view tabs, and the top table or the flame graph.
 * Every profile string goes in through `textContent` or attribute setters, never through HTML parsing.
 */
export function renderDashboard(
  doc: Document,
  model: ProfileTopModel,
  state: DashboardState,
  handlers: DashboardHandlers,
): HTMLElement {
  const root = el(doc, 'section', 'dashboard');
  root.append(el(doc, 'h1', 'title', model.title));
  if (model.isDiff) {
    root.append(
      el(doc, 'p', 'diff-note', 'Current minus base, as go tool pprof -base shows it: growth red, shrinkage green.'),
    );
  }

  const toolbar = el(doc, 'div', 'toolbar');
  const pickLabel = el(doc, 'label', 'sample-type');
  pickLabel.append(doc.createTextNode('Sample type '));
  const select = doc.createElement('select');
  select.id = 'sample-type';
  model.sampleTypes.forEach((t, i) => {
    const opt = doc.createElement('option');
    opt.value = String(i);
    opt.textContent = `${t.type} (${t.unit})`;
    if (i === model.sampleIndex) opt.selected = true;
    select.append(opt);
  });
  select.addEventListener('change', () => handlers.onSelectSampleIndex(Number(select.value)));
  pickLabel.append(select);
  toolbar.append(pickLabel);
  if (state.view === 'top') {
    const byLabel = el(doc, 'label', 'granularity');
    byLabel.append(doc.createTextNode('Rows per '));
    const by = doc.createElement('select');
    by.id = 'granularity';
    for (const [value, text] of [
      ['function', 'function'],
      ['line', 'source line'],
    ] as const) {
      const opt = doc.createElement('option');
      opt.value = value;
      opt.textContent = text;
      if (value === model.granularity) opt.selected = true;
      by.append(opt);
    }
    by.addEventListener('change', () => handlers.onSelectGranularity(by.value === 'line' ? 'line' : 'function'));
    byLabel.append(by);
    toolbar.append(byLabel);
    const filter = doc.createElement('input');
    filter.type = 'search';
    filter.id = 'filter';
    filter.placeholder = 'Filter functions (regexp)';
    filter.value = state.filter;
    filter.addEventListener('input', () => handlers.onFilter(filter.value));
    toolbar.append(filter);
  }
  const exportButton = el(doc, 'button', 'export', 'Export .pb.gz');
  exportButton.type = 'button';
  exportButton.id = 'export';
  exportButton.title = 'Save what is shown as a gzipped profile.proto for go tool pprof';
  exportButton.addEventListener('click', () => handlers.onExport());
  toolbar.append(exportButton);
  root.append(toolbar);

  const tabs = el(doc, 'div', 'tabs');
  tabs.setAttribute('role', 'tablist');
  const views: [DashboardView, string][] = [
    ['top', 'Top functions'],
    ['flame', 'Flame graph'],
  ];
  for (const [view, label] of views) {
    const b = el(doc, 'button', 'tab', label);
    b.type = 'button';
    b.id = `tab-${view}`;
    b.setAttribute('role', 'tab');
    b.setAttribute('aria-selected', String(state.view === view));
    b.addEventListener('click', () => handlers.onView(view));
    tabs.append(b);
  }
  root.append(tabs);

  const unit = model.sampleTypes[model.sampleIndex]?.unit ?? '';
  if (state.view === 'top') {
    root.append(...renderTopTable(doc, model, state, handlers));
  } else {
    const focus = state.flameFocus ?? { node: model.flame, ancestors: [] };
    if (state.flameFocus) {
      const reset = el(doc, 'button', 'reset-zoom', 'Reset zoom');
      reset.type = 'button';
      reset.addEventListener('click', () => handlers.onFlameFocus(model.flame, []));
      root.append(reset);
    }
    root.append(
      renderFlameGraph(doc, model.flame, {
        unit,
        isDiff: model.isDiff,
        focus: focus.node,
        ancestors: focus.ancestors,
        onFocus: (node, ancestors) => handlers.onFlameFocus(node, ancestors),
      }),
    );
  }
  return root;
}
