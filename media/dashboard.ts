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
const state: DashboardState = { view: 'top', sortBy: 'flat', filter: '', flameFocus: undefined };

function render(): void {
  if (!model) return;
  const focused = document.activeElement?.id;
  app.replaceChildren(
    renderDashboard(document, model, state, {
      onSelectSampleIndex: (index) => {
        app.replaceChildren(renderMessage(document, 'status', 'Aggregating…'));
        vscode.postMessage({ type: 'selectSampleIndex', index });
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
