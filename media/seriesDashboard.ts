// Browser entry of the series dashboard webview: receives typed messages from the host and renders them with DOM APIs.
import type {
  SeriesDashboardModel,
  SeriesHostMessage,
  SeriesWebviewMessage,
} from '../src/views/seriesDashboardMessages';
import { renderMessage } from './render/renderMessage';
import { renderSeriesDashboard, type SeriesDiffState } from './render/renderSeriesDashboard';
import './dashboard.css';
import './seriesDashboard.css';

interface VsCodeApi {
  postMessage(message: SeriesWebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
let model: SeriesDashboardModel | undefined;
const diff: SeriesDiffState = {
  baseSeq: undefined,
  currentSeq: undefined,
  diff: undefined,
  error: undefined,
  focus: undefined,
};

function selectDiff(baseSeq: number, currentSeq: number): void {
  Object.assign(diff, { baseSeq, currentSeq, error: undefined, focus: undefined });
  vscode.postMessage({ type: 'selectDiff', baseSeq, currentSeq });
}

function render(): void {
  if (!model) return;
  // A refresh re-renders the whole page; keep the scroll position so a live series does not jump.
  const { scrollX, scrollY } = window;
  app.replaceChildren(
    renderSeriesDashboard(document, model, diff, {
      onSelectDiff: (b, c) => {
        selectDiff(b, c);
        render();
      },
      onOpenSource: (file, line) => vscode.postMessage({ type: 'openSource', file, line }),
      onFlameFocus: (node, ancestors) => {
        diff.focus = ancestors.length === 0 && node === diff.diff?.flame ? undefined : { node, ancestors };
        render();
      },
    }),
  );
  window.scrollTo(scrollX, scrollY);
}

window.addEventListener('message', (event: MessageEvent<SeriesHostMessage>) => {
  const msg = event.data;
  if (msg.type === 'series') {
    model = msg.model;
    const snaps = model.heapSnapshots;
    const known = (s: number | undefined): boolean => snaps.some((x) => x.seq === s);
    // First time (or the chosen snapshots left the window): diff the first against the latest snapshot.
    if (snaps.length >= 2 && (!known(diff.baseSeq) || !known(diff.currentSeq))) {
      selectDiff(snaps[0]!.seq, snaps.at(-1)!.seq);
    }
    render();
  } else if (msg.type === 'diff') {
    if (msg.diff.baseSeq === diff.baseSeq && msg.diff.currentSeq === diff.currentSeq) {
      diff.diff = msg.diff;
      diff.error = undefined;
      diff.focus = undefined;
      render();
    }
  } else if (msg.type === 'diffError') {
    if (msg.baseSeq === diff.baseSeq && msg.currentSeq === diff.currentSeq) {
      diff.error = msg.message;
      render();
    }
  } else if (msg.type === 'error') {
    model = undefined;
    app.replaceChildren(renderMessage(document, 'error', msg.message));
  }
});

vscode.postMessage({ type: 'ready' });
