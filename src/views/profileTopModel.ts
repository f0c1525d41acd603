import { aggregateByFunction } from '../core/pprof/aggregate';
import { pprofDisplayName } from '../core/pprof/displayName';
import type { Profile } from '../core/pprof/profileModel';
import type { ProfileTopModel, TopRow } from './dashboardMessages';
import { flameGraphModel } from './flameGraphModel';

/** Rows beyond this many are summarised as a count: the webview stays responsive on profiles with huge symbol tables. */
export const MAX_TOP_ROWS = 3000;

/**
 * Builds the dashboard's top-functions model for one sample type, with `go tool pprof -top`'s figures and order.
 * `inWorkspace` is left false; the host sets it from its path mapper.
 */
export function profileTopModel(p: Profile, sampleIndex: number, title: string, isDiff = false): ProfileTopModel {
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
  return {
    title,
    isDiff,
    sampleTypes: p.sampleTypes.map((t) => ({ type: t.type, unit: t.unit })),
    sampleIndex,
    total: agg.total,
    rows,
    omittedRows: agg.rows.length - rows.length,
    flame: flameGraphModel(p, sampleIndex),
  };
}
