import { aggregateByFunction, aggregateByLine } from './aggregate';
import type { NameFilters } from './filter';
import { filterSamplesByName } from './filter';
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

/** Options of {@link topReport}. */
export interface TopReportOptions {
  /** pprof `-sample_index` value (name, `inuse_` alias or integer); default: the profile's default type. */
  sampleIndex?: string | undefined;
  /** Granularity: `function` (pprof's default) or `line` (`-lines`). */
  by?: 'function' | 'line';
  /** pprof's `-focus`/`-ignore`/`-hide`/`-show` (see {@link filterSamplesByName}). */
  filters?: NameFilters;
}

/**
 * Builds the `top` report of a profile: resolves the sample index like pprof's `-sample_index` (name, legacy
 * `inuse_` alias or integer; default = `default_sample_type`, else the last type) and aggregates per function or per
 * line as `go tool pprof -top [-lines]` does, with no node-count or fraction cut. With name filters, rows come from
 * the filtered samples while the total stays that of the whole profile, as in pprof (it computes the report total
 * before applying -focus and friends, so percentages are of everything).
 */
export function topReport(p: Profile, opts: TopReportOptions = {}): TopReport {
  const si = sampleIndexByName(p, opts.sampleIndex);
  const st = p.sampleTypes[si]!;
  const filters = opts.filters;
  const hasFilters = filters !== undefined && Object.values(filters).some((v) => v !== undefined && v !== '');
  const total = hasFilters ? reportTotal(p, si) : undefined;
  if (hasFilters) p = filterSamplesByName(p, filters).profile;
  if (opts.by === 'line') {
    const agg = aggregateByLine(p, si);
    return {
      sampleIndex: st.type,
      unit: st.unit,
      total: total ?? agg.total,
      functions: agg.rows.map((r) => ({ name: r.name, file: r.file, line: r.line, flat: r.flat, cum: r.cum })),
    };
  }
  const agg = aggregateByFunction(p, si);
  return {
    sampleIndex: st.type,
    unit: st.unit,
    total: total ?? agg.total,
    functions: agg.rows.map((r) => ({ name: r.name, file: r.file, flat: r.flat, cum: r.cum })),
  };
}

/** pprof's `computeTotal`: the sum of absolute values, or of `pprof::base` samples only when there are any. */
function reportTotal(p: Profile, si: number): number {
  const t = p.sampleTypes.length;
  let all = 0;
  let base = 0;
  for (let i = 0; i < p.samples.count; i++) {
    const v = Math.abs(p.samples.values[i * t + si]!);
    all += v;
    if (p.samples.labels[i]?.some((l) => l.key === 'pprof::base' && l.str === 'true')) base += v;
  }
  return base > 0 ? base : all;
}
