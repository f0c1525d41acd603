// Browser entry of the dashboard webview: receives typed messages from the host and renders them with DOM APIs.
import type { HostMessage, ProfileTopModel, WebviewMessage } from '../src/views/dashboardMessages';
import { renderDashboard, type DashboardState } from './render/renderDashboard';
import { renderMessage } from './render/renderMessage';
import './dashboard.css';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
let model: ProfileTopModel | undefined;
const state: DashboardState = { view: 'top', sortBy: 'flat', filter: '', flameFocus: undefined, ...restore() };

/** The view choices survive the webview being hidden and shown again (VS Code then reloads it). */
function restore(): Partial<DashboardState> {
  const saved = vscode.getState() as Partial<Record<'view' | 'sortBy' | 'filter', unknown>> | undefined;
  const out: Partial<DashboardState> = {};
  if (saved?.view === 'top' || saved?.view === 'flame') out.view = saved.view;
  if (saved?.sortBy === 'flat' || saved?.sortBy === 'cum' || saved?.sortBy === 'name') out.sortBy = saved.sortBy;
  if (typeof saved?.filter === 'string') out.filter = saved.filter;
  return out;
}

function render(): void {
  if (!model) return;
  vscode.setState({ view: state.view, sortBy: state.sortBy, filter: state.filter });
  const focused = document.activeElement?.id;
  app.replaceChildren(
    renderDashboard(document, model, state, {
      onSelectSampleIndex: (index) => {
        app.replaceChildren(renderMessage(document, 'status', 'Aggregating…'));
        vscode.postMessage({ type: 'selectSampleIndex', index });
      },
      onSelectGranularity: (granularity) => {
        app.replaceChildren(renderMessage(document, 'status', 'Aggregating…'));
        vscode.postMessage({ type: 'selectGranularity', granularity });
      },
      onOpenSource: (row) => vscode.postMessage({ type: 'openSource', file: row.file, line: row.line }),
      onSort: (key) => {
        state.sortBy = key;
        render();
      },
      onFilter: (text) => {
        state.filter = text;
        render();
      },
      onView: (view) => {
        state.view = view;
        render();
      },
      onExport: () => vscode.postMessage({ type: 'exportProfile' }),
      onFlameFocus: (node, ancestors) => {
        state.flameFocus = ancestors.length === 0 && node === model?.flame ? undefined : { node, ancestors };
        render();
      },
    }),
  );
  // Re-rendering replaces the filter box; keep the caret there while the user types.
  if (focused) {
    const again = document.getElementById(focused);
    if (again instanceof HTMLInputElement) {
      again.focus();
      again.setSelectionRange(again.value.length, again.value.length);
    }
  }
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const msg = event.data;
  if (msg.type === 'profile') {
    model = msg.model;
    state.flameFocus = undefined;
    render();
  } else if (msg.type === 'error') {
    model = undefined;
    app.replaceChildren(renderMessage(document, 'error', msg.message));
  }
});

vscode.postMessage({ type: 'ready' });
