import type { FlameNode, SeriesDashboardModel, SeriesDiff } from '../../src/views/seriesDashboardMessages';
import { el } from './el';
import { formatValue } from './formatValue';
import { renderFlameGraph } from './renderFlameGraph';
import { renderGoroutineTable } from './renderGoroutineTable';
import { renderSitesTable } from './renderSitesTable';
import { renderTimeline } from './renderTimeline';

/** State of the diff section: what was asked for and what has arrived. */
export interface SeriesDiffState {
  baseSeq: number | undefined;
  currentSeq: number | undefined;
  /** The diff shown, when it has arrived for the chosen pair. */
  diff: SeriesDiff | undefined;
  /** Why the chosen pair could not be diffed. */
  error: string | undefined;
  /** Zoomed frame of the diff flame graph, with its ancestors. */
  focus: { node: FlameNode; ancestors: FlameNode[] } | undefined;
}

/** What the series dashboard can ask of its host or of the page. */
export interface SeriesDashboardHandlers {
  onSelectDiff(baseSeq: number, currentSeq: number): void;
  onOpenSource(file: string, line: number): void;
  onFlameFocus(node: FlameNode, ancestors: FlameNode[]): void;
}

/** Renders the whole series dashboard: header, memory timeline, heap sites, goroutine groups and the diff flame graph. */
export function renderSeriesDashboard(
  doc: Document,
  m: SeriesDashboardModel,
  diff: SeriesDiffState,
  h: SeriesDashboardHandlers,
): DocumentFragment {
  const out = doc.createDocumentFragment();
  out.append(el(doc, 'h1', 'title', m.title));
  out.append(el(doc, 'p', 'summary', `${m.target} · ${m.snapshots} snapshots over ${Math.round(m.windowSeconds)} s`));
  if (m.fate) out.append(renderFate(doc, m.fate));
  out.append(renderTimeline(doc, m.timeline, m.fate !== null && m.fate.state !== 'restarted'));
  out.append(renderSitesTable(doc, m.sites, h.onOpenSource));
  out.append(renderGoroutineTable(doc, m.goroutines, h.onOpenSource));
  out.append(renderDiffSection(doc, m, diff, h));
  return out;
}

const FATE_TITLES: Record<NonNullable<SeriesDashboardModel['fate']>['state'], string> = {
  'oom-killed': 'Target OOM-killed',
  unreachable: 'Target stopped answering',
  restarted: 'Target restarted',
};

/** The banner above everything else when the target did not live through the window: what happened and why we say so. */
function renderFate(doc: Document, fate: NonNullable<SeriesDashboardModel['fate']>): HTMLElement {
  const box = el(doc, 'section', `fate ${fate.state}`);
  box.setAttribute('role', 'alert');
  box.append(el(doc, 'h2', 'fate-title', FATE_TITLES[fate.state]));
  box.append(el(doc, 'p', 'fate-summary', fate.summary));
  const list = el(doc, 'ul', 'fate-evidence');
  for (const e of fate.evidence) list.append(el(doc, 'li', 'evidence', e));
  box.append(list);
  return box;
}

function renderDiffSection(
  doc: Document,
  m: SeriesDashboardModel,
  s: SeriesDiffState,
  h: SeriesDashboardHandlers,
): HTMLElement {
  const box = el(doc, 'section', 'diff');
  box.append(el(doc, 'h2', 'section-title', 'Heap diff between two snapshots'));
  if (m.heapSnapshots.length < 2) {
    box.append(el(doc, 'p', 'status', 'A diff needs two snapshots with a heap profile.'));
    return box;
  }
  const t0 = m.heapSnapshots[0]!.timeMs;
  const picker = (id: string, label: string, value: number | undefined): HTMLSelectElement => {
    const select = el(doc, 'select', 'snapshot-select');
    select.id = id;
    select.setAttribute('aria-label', label);
    for (const snap of m.heapSnapshots) {
      const o = el(doc, 'option', '', `#${snap.seq} (+${((snap.timeMs - t0) / 1000).toFixed(0)} s)`);
      o.value = String(snap.seq);
      o.selected = snap.seq === value;
      select.append(o);
    }
    return select;
  };
  const base = picker('diff-base', 'Base snapshot', s.baseSeq);
  const current = picker('diff-current', 'Current snapshot', s.currentSeq);
  const changed = (): void => h.onSelectDiff(Number(base.value), Number(current.value));
  base.addEventListener('change', changed);
  current.addEventListener('change', changed);
  const bar = el(doc, 'div', 'toolbar');
  bar.append(el(doc, 'label', '', 'Base'), base, el(doc, 'label', '', 'Current'), current);
  box.append(bar);
  if (s.error !== undefined) {
    const p = el(doc, 'p', 'error', s.error);
    p.setAttribute('role', 'alert');
    box.append(p);
  } else if (!s.diff || s.diff.baseSeq !== s.baseSeq || s.diff.currentSeq !== s.currentSeq) {
    box.append(el(doc, 'p', 'status', 'Computing the diff…'));
  } else {
    const d = s.diff;
    box.append(
      el(
        doc,
        'p',
        'diff-note',
        `${d.sampleType}: snapshot #${d.currentSeq} − #${d.baseSeq} = ${formatValue(d.flame.value, d.unit)} (growth red, shrink green)`,
      ),
    );
    box.append(
      renderFlameGraph(doc, d.flame, {
        unit: d.unit,
        isDiff: true,
        focus: s.focus?.node ?? d.flame,
        ancestors: s.focus?.ancestors ?? [],
        onFocus: h.onFlameFocus,
      }),
    );
  }
  return box;
}
