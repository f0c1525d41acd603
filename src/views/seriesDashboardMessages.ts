/**
 * The typed messages exchanged between the series dashboard webview (media/seriesDashboard.ts) and its host
 * (src/views/seriesDashboardPanel.ts).
 *
 * Both sides import this one file so a change to a message shape breaks the build on both sides at once.
 * Messages from the webview are untrusted input to the host, so the host validates them with
 * `parseSeriesWebviewMessage` instead of casting.
 */
import type { SeriesDashboardModel } from '../core/leak/seriesDashboardModel';
import type { FlameNode } from './dashboardMessages';

export type { SeriesDashboardModel, FlameNode };

/** The diff flame graph of two snapshots' heap profiles: `current − base` of in-use bytes. */
export interface SeriesDiff {
  baseSeq: number;
  currentSeq: number;
  /** The sample type diffed, e.g. `inuse_space`. */
  sampleType: string;
  unit: string;
  flame: FlameNode;
}

/** A message from the host to the series dashboard. */
export type SeriesHostMessage =
  | { type: 'series'; model: SeriesDashboardModel }
  | { type: 'diff'; diff: SeriesDiff }
  | { type: 'diffError'; baseSeq: number; currentSeq: number; message: string }
  | { type: 'error'; message: string };

/** A message from the series dashboard to the host. */
export type SeriesWebviewMessage =
  | { type: 'ready' }
  | { type: 'selectDiff'; baseSeq: number; currentSeq: number }
  | { type: 'openSource'; file: string; line: number };

const seq = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** Checks an untrusted message from the webview and returns it typed, or `undefined` if it is not one we accept. */
export function parseSeriesWebviewMessage(raw: unknown): SeriesWebviewMessage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  switch (m['type']) {
    case 'ready':
      return { type: 'ready' };
    case 'selectDiff':
      return seq(m['baseSeq']) && seq(m['currentSeq'])
        ? { type: 'selectDiff', baseSeq: m['baseSeq'], currentSeq: m['currentSeq'] }
        : undefined;
    case 'openSource':
      return typeof m['file'] === 'string' && m['file'].length > 0 && m['file'].length < 4096 && seq(m['line'])
        ? { type: 'openSource', file: m['file'], line: m['line'] }
        : undefined;
    default:
      return undefined;
  }
}
