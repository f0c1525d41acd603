import { readSeriesIndex, SeriesFormatError, type SeriesIndex } from '../series/seriesIndex';
import { LeakAnalyzer } from './leakAnalyzer';
import { DEFAULT_LEAK_CONFIG, type LeakConfig } from './leakConfig';
import type { LeakReport } from './leakReport';
import type { Verdict } from './heapVerdict';
import { loadSeriesInto } from './loadSeries';
import type { TargetState } from './targetLifecycle';

/** One point of the memory timeline: what one snapshot measured. */
export interface TimelinePoint {
  seq: number;
  /** When the snapshot was taken (epoch ms). */
  timeMs: number;
  /** Go heap in use: MemStats `HeapInuse` when recorded, else the heap profile's in-use total; null when neither. */
  heapInuseBytes: number | null;
  /** The container's `memory.current`; null without cgroup figures. */
  memoryCurrent: number | null;
  /** The container's `memory.max`; null when unlimited or unknown. */
  memoryMax: number | null;
}

/** The memory timeline of a series with the container limit, the warning threshold and the road to OOM. */
export interface SeriesTimeline {
  points: TimelinePoint[];
  /** The latest known `memory.max`, the line the timeline is drawn against; null when unlimited. */
  memoryMax: number | null;
  /** `watermarkRatio × memoryMax` (the 90% line by default); null without a limit. */
  thresholdBytes: number | null;
  /** The watermark ratio of the leak config the threshold comes from. */
  thresholdRatio: number;
  /** Seconds until `memory.current` reaches `memory.max` at the window's growth rate; null when not growing. */
  oomEtaSeconds: number | null;
  /** The container analysis' warnings (watermark, OOM ETA, ...), as text. */
  warnings: string[];
}

/** One heap suspect with its in-use history, for a sparkline row. */
export interface SiteSparkline {
  function: string;
  file: string;
  line: number;
  verdict: Verdict;
  slopeBytesPerMin: number;
  inuseBytes: number;
  /** In-use bytes of the site per GC epoch (one per snapshot whose heap profile came from a new GC cycle), oldest first. */
  series: number[];
}

/** One row of the goroutine groups table. */
export interface GoroutineGroupRow {
  function: string;
  file: string;
  line: number;
  state: string;
  count: number;
  slopePerMin: number;
  maxWaitMinutes: number;
  /** The Go 1.26 goroutineleak profile listed the group: the GC proved it can never run again. */
  proven: boolean;
  verdict: Verdict;
  /** pprof labels as `key=v1,v2` strings, sorted by key. */
  labels: string[];
  /** Goroutine count of the group per snapshot, oldest first. */
  series: number[];
}

/** A snapshot that has a heap profile, offered as either side of the diff flame graph. */
export interface DiffableSnapshot {
  seq: number;
  timeMs: number;
}

/** Everything the series dashboard shows, computed without VS Code from a series folder and its leak report. */
export interface SeriesDashboardModel {
  /** What is shown, e.g. the folder name and target. */
  title: string;
  target: string;
  snapshots: number;
  windowSeconds: number;
  timeline: SeriesTimeline;
  sites: SiteSparkline[];
  goroutines: GoroutineGroupRow[];
  /** Snapshots with a heap profile, oldest first. */
  heapSnapshots: DiffableSnapshot[];
  /** What happened to the target when it did not live through the window (OOM kill, stopped answering, restart). */
  fate: { state: Exclude<TargetState, 'running'>; summary: string; evidence: string[] } | null;
}

/** Options of {@link seriesDashboardModel}. */
export interface SeriesDashboardModelOptions {
  /** The leak config the report was made with; its container watermark gives the threshold line. */
  config?: LeakConfig;
  /** At most this many heap suspects get a sparkline (the report's most severe first). Default 8. */
  maxSites?: number;
  title?: string;
}

/** Builds the dashboard's view model from a series index and the leak report of the same folder. */
export function seriesDashboardModel(
  index: SeriesIndex,
  report: LeakReport,
  opts: SeriesDashboardModelOptions = {},
): SeriesDashboardModel {
  const config = opts.config ?? DEFAULT_LEAK_CONFIG;
  const entries = index.snapshots.filter((e) => e.status !== 'gap').sort((a, b) => a.takenAtMs - b.takenAtMs);
  const points: TimelinePoint[] = entries.map((e) => ({
    seq: e.seq,
    timeMs: e.takenAtMs,
    heapInuseBytes: e.memStats?.HeapInuse ?? e.summary.heapInuseBytes ?? null,
    memoryCurrent: e.cgroup?.memoryCurrent ?? null,
    memoryMax: e.cgroup?.memoryMax ?? null,
  }));
  let memoryMax = report.container.memoryMax;
  for (const p of points) if (p.memoryMax !== null) memoryMax = p.memoryMax;
  const ratio = config.container.watermarkRatio;
  return {
    title: opts.title ?? report.target,
    target: report.target,
    fate:
      report.lifecycle.state === 'running'
        ? null
        : {
            state: report.lifecycle.state,
            summary: report.lifecycle.summary,
            evidence: report.lifecycle.evidence.map((e) => e.message),
          },
    snapshots: report.snapshots,
    windowSeconds: report.windowSeconds,
    timeline: {
      points,
      memoryMax,
      thresholdBytes: memoryMax === null ? null : memoryMax * ratio,
      thresholdRatio: ratio,
      oomEtaSeconds: report.container.oomEtaSeconds,
      warnings: report.container.warnings.map((w) => w.message),
    },
    sites: (report.heap?.suspects ?? []).slice(0, opts.maxSites ?? 8).map((s) => ({
      function: s.function,
      file: s.file,
      line: s.line,
      verdict: s.verdict,
      slopeBytesPerMin: s.slopeBytesPerMin,
      inuseBytes: s.inuseBytes,
      series: [...s.series],
    })),
    goroutines: (report.goroutines?.suspects ?? []).map((g) => ({
      function: g.function,
      file: g.file,
      line: g.line,
      state: g.state,
      count: g.count,
      slopePerMin: g.slopePerMin,
      maxWaitMinutes: g.maxWaitMinutes,
      proven: g.proven,
      verdict: g.verdict,
      labels: Object.keys(g.labels)
        .sort()
        .map((k) => `${k}=${g.labels[k]!.join(',')}`),
      series: [...g.series],
    })),
    heapSnapshots: entries.filter((e) => e.files.heap !== undefined).map((e) => ({ seq: e.seq, timeMs: e.takenAtMs })),
  };
}

/** What {@link loadSeriesDashboardModel} returns: the model, plus the index and the per-file problems met on the way. */
export interface LoadedSeriesDashboard {
  model: SeriesDashboardModel;
  index: SeriesIndex;
  report: LeakReport;
  problems: string[];
}

/**
 * Reads a series folder, analyzes it with {@link LeakAnalyzer} (as `leakhunt report` does) and builds the dashboard
 * model. Throws {@link SeriesFormatError} when the folder is not a series.
 */
export async function loadSeriesDashboardModel(
  dir: string,
  opts: SeriesDashboardModelOptions & { window?: number } = {},
): Promise<LoadedSeriesDashboard> {
  const config = opts.config ?? DEFAULT_LEAK_CONFIG;
  const window = opts.window ?? 60;
  const analyzer = new LeakAnalyzer({ config, window });
  const loaded = await loadSeriesInto(dir, analyzer, { window });
  if (loaded.loaded === 0) throw new SeriesFormatError(`${dir} has no usable snapshots`);
  const report = analyzer.report(loaded.index.target);
  // The timeline shows the same window the report analyzed.
  const windowed = { ...loaded.index, snapshots: lastUsable(loaded.index, window) };
  return {
    model: seriesDashboardModel(windowed, report, { ...opts, config }),
    index: loaded.index,
    report,
    problems: loaded.problems,
  };
}

function lastUsable(index: SeriesIndex, window: number): SeriesIndex['snapshots'] {
  return index.snapshots
    .filter((e) => e.status !== 'gap')
    .sort((a, b) => a.takenAtMs - b.takenAtMs)
    .slice(-window);
}

/** Re-exported so callers can tell "not a series folder" apart from other failures without another import. */
export { readSeriesIndex, SeriesFormatError };
