import { aggregateByFunction, aggregateByLine } from './aggregate';
import type { Profile } from './profileModel';
import { sampleIndexByName } from './sampleIndexByName';

/** One row of a {@link TopReport}: a function (or, with `by: 'line'`, one source line of it). */
export interface TopEntry {
  /** Function name as pprof prints it (`[binary]` / `<unknown>` for frames without a name). */
  name: string;
  /** Source file of the function (for lines: cleaned as pprof prints it). */
  file: string;
  /** Source line; present only in per-line reports. */
  line?: number;
  flat: number;
  cum: number;
}

/** The machine-readable `leakhunt top` / `leakhunt diff` report. */
export interface TopReport {
  /** The sample type's name, e.g. `inuse_space`. */
  sampleIndex: string;
  /** The sample type's unit, e.g. `bytes`; values are plain numbers in this unit. */
  unit: string;
  /** pprof's report total: the sum of absolute sample values. */
  total: number;
  /** Every function (or line) with a non-zero flat or cum, in `go tool pprof -top` order. */
  functions: TopEntry[];
}

/**
 * Builds the `top` report of a profile: resolves the sample index like pprof's `-sample_index` (name, legacy
 * `inuse_` alias or integer; default = `default_sample_type`, else the last type) and aggregates per function or per
 * line as `go tool pprof -top [-lines]` does, with no node-count or fraction cut.
 */
export function topReport(p: Profile, opts: { sampleIndex?: string | undefined; by?: 'function' | 'line' }): TopReport {
  const si = sampleIndexByName(p, opts.sampleIndex);
  const st = p.sampleTypes[si]!;
  if (opts.by === 'line') {
    const agg = aggregateByLine(p, si);
    return {
      sampleIndex: st.type,
      unit: st.unit,
      total: agg.total,
      functions: agg.rows.map((r) => ({ name: r.name, file: r.file, line: r.line, flat: r.flat, cum: r.cum })),
    };
  }
  const agg = aggregateByFunction(p, si);
  return {
    sampleIndex: st.type,
    unit: st.unit,
    total: agg.total,
    functions: agg.rows.map((r) => ({ name: r.name, file: r.file, flat: r.flat, cum: r.cum })),
  };
}
