/**
 * The typed messages exchanged between the dashboard webview (media/dashboard.ts) and its host (src/views/).
 *
 * Both sides import this one file so a change to a message shape breaks the build on both sides at once.
 * Messages from the webview are untrusted input to the host (a compromised webview could send anything),
 * so the host validates them with `parseWebviewMessage` instead of casting.
 */

/** Whether the top table has one row per function (pprof `-top`) or per source line (pprof `-top -lines`). */
export type Granularity = 'function' | 'line';

/** One row of the top table, in the profile's own unit. */
export interface TopRow {
  name: string;
  file: string;
  /** The source line of a line row; the function's start line of a function row; 0 when the profile does not say. */
  line: number;
  flat: number;
  cum: number;
  /** Whether `file` maps to a file in the workspace; only those locations are offered as links. */
  inWorkspace: boolean;
}

/** One node of the flame graph: a function in a call path, with the value of every sample through it. */
export interface FlameNode {
  name: string;
  /** Total of the samples whose stack passes through this path (negative in a diff when it shrank). */
  value: number;
  /** The part of `value` from samples whose leaf is this node. */
  self: number;
  /** Callees, largest absolute value first; pruned ones are folded into this node's value. */
  children: FlameNode[];
}

/** A sample type offered in the dashboard's sample-type picker. */
export interface SampleTypeOption {
  type: string;
  unit: string;
}

/** Everything the dashboard needs to show the top functions of one profile for one sample type. */
export interface ProfileTopModel {
  /** What is shown, e.g. the file name. */
  title: string;
  /** True when the values are `current − base` of two profiles: signed, growth red and shrinkage green. */
  isDiff: boolean;
  sampleTypes: SampleTypeOption[];
  sampleIndex: number;
  granularity: Granularity;
  /** Sum of the sample type over all samples. */
  total: number;
  /** Rows sorted by flat descending, then cum descending, then name. */
  rows: TopRow[];
  /** How many rows with a non-zero value were left out to keep the webview responsive. */
  omittedRows: number;
  /** The call tree of the same sample type, for the flame graph. */
  flame: FlameNode;
}

/** A message from the host to the webview. */
export type HostMessage = { type: 'profile'; model: ProfileTopModel } | { type: 'error'; message: string };

/** A message from the webview to the host. */
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'selectSampleIndex'; index: number }
  | { type: 'selectGranularity'; granularity: Granularity }
  | { type: 'exportProfile' }
  | { type: 'openSource'; file: string; line: number };

/** Checks an untrusted message from the webview and returns it typed, or `undefined` if it is not one we accept. */
export function parseWebviewMessage(raw: unknown): WebviewMessage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  switch (m['type']) {
    case 'ready':
      return { type: 'ready' };
    case 'selectSampleIndex':
      return Number.isSafeInteger(m['index']) && (m['index'] as number) >= 0
        ? { type: 'selectSampleIndex', index: m['index'] as number }
        : undefined;
    case 'exportProfile':
      return { type: 'exportProfile' };
    case 'selectGranularity':
      return m['granularity'] === 'function' || m['granularity'] === 'line'
        ? { type: 'selectGranularity', granularity: m['granularity'] }
        : undefined;
    case 'openSource':
      return typeof m['file'] === 'string' &&
        m['file'].length > 0 &&
        m['file'].length < 4096 &&
        Number.isSafeInteger(m['line']) &&
        (m['line'] as number) >= 0
        ? { type: 'openSource', file: m['file'], line: m['line'] as number }
        : undefined;
    default:
      return undefined;
  }
}
