import { aggregateByFunction, aggregateByLine } from '../core/pprof/aggregate';
import { pprofDisplayName } from '../core/pprof/displayName';
import type { Profile } from '../core/pprof/profileModel';
import type { Granularity, ProfileTopModel, TopRow } from './dashboardMessages';
import { flameGraphModel } from './flameGraphModel';

/** Rows beyond this many are summarised as a count: the webview stays responsive on profiles with huge symbol tables. */
export const MAX_TOP_ROWS = 3000;

/**
 * Builds the dashboard's model for one sample type: the top table per function or per line, with the figures and
 * order of `go tool pprof -top` (`-lines`), and the flame graph. `inWorkspace` is left false; the host sets it.
 */
export function profileTopModel(
  p: Profile,
  sampleIndex: number,
  title: string,
  isDiff = false,
  granularity: Granularity = 'function',
): ProfileTopModel {
  const { total, rows, omittedRows } = granularity === 'line' ? lineRows(p, sampleIndex) : functionRows(p, sampleIndex);
  return {
    title,
    isDiff,
    sampleTypes: p.sampleTypes.map((t) => ({ type: t.type, unit: t.unit })),
    sampleIndex,
    granularity,
    total,
    rows,
    omittedRows,
    flame: flameGraphModel(p, sampleIndex),
  };
}

interface Rows {
  total: number;
  rows: TopRow[];
  omittedRows: number;
}

function lineRows(p: Profile, sampleIndex: number): Rows {
  const agg = aggregateByLine(p, sampleIndex);
  const rows = agg.rows.slice(0, MAX_TOP_ROWS).map((r) => ({
    name: r.name,
    file: r.file,
    line: r.line,
    flat: r.flat,
    cum: r.cum,
    inWorkspace: false,
  }));
  return { total: agg.total, rows, omittedRows: agg.rows.length - rows.length };
}

function functionRows(p: Profile, sampleIndex: number): Rows {
  const agg = aggregateByFunction(p, sampleIndex);
  // pprof's function rows carry no line; the function's start line is where "go to source" should land.
  const startLine = new Map<string, number>();
  for (const fn of p.functions) {
    const name = pprofDisplayName(fn);
    if (!startLine.has(name)) startLine.set(name, fn.startLine);
  }
  const rows: TopRow[] = agg.rows.slice(0, MAX_TOP_ROWS).map((r) => ({
    name: r.name,
    file: r.file,
    line: startLine.get(r.name) ?? 0,
    flat: r.flat,
    cum: r.cum,
    inWorkspace: false,
  }));
  return { total: agg.total, rows, omittedRows: agg.rows.length - rows.length };
}
