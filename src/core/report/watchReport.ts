import type { SnapshotEntry } from '../series/seriesIndex';

/** One titled part of a report; later analyses (leak verdicts, growth) add their own sections. */
export interface ReportSection {
  id: string;
  title: string;
  /** Lines for text and markdown output. */
  lines: string[];
  /** Structured data for JSON output. */
  data: unknown;
}

/** Container / cgroup part of the report, from the latest snapshot that had cgroup figures. */
export interface ContainerReport {
  name: string | null;
  id: string | null;
  pid: number | null;
  cgroup: 'v1' | 'v2' | 'none';
  cgroupPath: string | null;
  /** Bytes, or null when unknown. */
  memoryCurrent: number | null;
  /** Bytes, or null when unlimited or unknown. */
  memoryMax: number | null;
  failcnt?: number;
  oomKills?: number;
  reason?: string;
}

/** The report `leakhunt watch` / `collect` end with. */
export interface WatchReport {
  command: 'watch' | 'collect';
  target: string;
  /** Folder of the persisted series. */
  out: string;
  /** Snapshots recorded in the series folder (all runs, gaps included). */
  snapshots: number;
  snapshotsThisRun: number;
  /** Snapshots with nothing usable (connection or endpoint down). */
  gaps: number;
  /** Snapshots where some fetches failed. */
  partial: number;
  firstAt: string | null;
  lastAt: string | null;
  stoppedBy: 'count' | 'signal' | 'error';
  error?: string;
  container: ContainerReport;
  heapInuseBytes: { first: number; last: number } | null;
  goroutines: { first: number; last: number } | null;
  sections: ReportSection[];
}

/** Inputs of the report builder. */
export interface WatchReportInput {
  command: 'watch' | 'collect';
  target: string;
  out: string;
  snapshots: readonly SnapshotEntry[];
  snapshotsThisRun: number;
  stoppedBy: WatchReport['stoppedBy'];
  error?: Error;
  container?: { name: string; id: string } | undefined;
  pid?: number | undefined;
}

/** A function that adds one section from the series; the analysis issue registers its own here. */
export type ReportSectionBuilder = (input: WatchReportInput) => ReportSection | undefined;

function firstLast(
  list: readonly SnapshotEntry[],
  pick: (s: SnapshotEntry) => number | undefined,
): { first: number; last: number } | null {
  const vals = list.map(pick).filter((v): v is number => v !== undefined);
  const first = vals[0];
  const last = vals[vals.length - 1];
  return first === undefined || last === undefined ? null : { first, last };
}

/** Builds the report from the series entries, then appends the sections of the given builders in order. */
export function buildWatchReport(input: WatchReportInput, builders: readonly ReportSectionBuilder[] = []): WatchReport {
  const snaps = input.snapshots;
  const lastCg = [...snaps].reverse().find((s) => s.cgroup !== undefined)?.cgroup;
  const container: ContainerReport = {
    name: input.container?.name ?? null,
    id: input.container?.id ?? null,
    pid: input.pid ?? null,
    cgroup: lastCg?.cgroup ?? 'none',
    cgroupPath: lastCg?.path ?? null,
    memoryCurrent: lastCg?.memoryCurrent ?? null,
    memoryMax: lastCg?.memoryMax ?? null,
    ...(lastCg?.failcnt !== undefined ? { failcnt: lastCg.failcnt } : {}),
    ...(lastCg?.events?.['oom_kill'] !== undefined
      ? { oomKills: lastCg.events['oom_kill'] }
      : lastCg?.oomControl?.['oom_kill'] !== undefined
        ? { oomKills: lastCg.oomControl['oom_kill'] }
        : {}),
    ...(lastCg?.reason !== undefined
      ? { reason: lastCg.reason }
      : input.pid === undefined
        ? { reason: 'no PID known (use --pid or --container)' }
        : {}),
  };
  const report: WatchReport = {
    command: input.command,
    target: input.target,
    out: input.out,
    snapshots: snaps.length,
    snapshotsThisRun: input.snapshotsThisRun,
    gaps: snaps.filter((s) => s.status === 'gap').length,
    partial: snaps.filter((s) => s.status === 'partial').length,
    firstAt: snaps[0]?.startedAt ?? null,
    lastAt: snaps[snaps.length - 1]?.startedAt ?? null,
    stoppedBy: input.stoppedBy,
    ...(input.error ? { error: `${input.error.name}: ${input.error.message}` } : {}),
    container,
    heapInuseBytes: firstLast(snaps, (s) => s.summary.heapInuseBytes),
    goroutines: firstLast(snaps, (s) => s.summary.goroutines),
    sections: [],
  };
  for (const b of builders) {
    const s = b(input);
    if (s) report.sections.push(s);
  }
  return report;
}
