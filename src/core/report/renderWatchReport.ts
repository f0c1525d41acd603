import type { WatchReport } from './watchReport';

/** Output formats of the CLI reports. */
export type ReportFormat = 'text' | 'json' | 'markdown';

/** Formats a byte count the way the progress line and reports show it (IEC units). */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(n);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${n < 0 ? '-' : ''}${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

function rows(r: WatchReport): [string, string][] {
  const c = r.container;
  const out: [string, string][] = [
    ['target', r.target],
    ['series folder', r.out],
    ['snapshots', `${r.snapshots} (${r.snapshotsThisRun} this run, ${r.gaps} gaps, ${r.partial} partial)`],
    ['time span', r.firstAt && r.lastAt ? `${r.firstAt} → ${r.lastAt}` : '—'],
    ['stopped by', r.error ? `${r.stoppedBy}: ${r.error}` : r.stoppedBy],
  ];
  if (r.heapInuseBytes)
    out.push(['heap in use', `${formatBytes(r.heapInuseBytes.first)} → ${formatBytes(r.heapInuseBytes.last)}`]);
  if (r.goroutines) out.push(['goroutines', `${r.goroutines.first} → ${r.goroutines.last}`]);
  if (c.name) out.push(['container', `${c.name} (${(c.id ?? '').slice(0, 12)})`]);
  if (c.pid !== null) out.push(['pid', String(c.pid)]);
  out.push([
    'cgroup',
    c.cgroup === 'none' ? `none${c.reason ? ` (${c.reason})` : ''}` : `${c.cgroup} ${c.cgroupPath ?? ''}`,
  ]);
  if (c.cgroup !== 'none') {
    out.push([
      'memory',
      `${formatBytes(c.memoryCurrent)} of ${c.memoryMax === null ? 'unlimited' : formatBytes(c.memoryMax)}`,
    ]);
    if (c.failcnt !== undefined) out.push(['limit hits (failcnt)', String(c.failcnt)]);
    if (c.oomKills !== undefined) out.push(['oom kills', String(c.oomKills)]);
  }
  return out;
}

/** Renders a watch/collect report as aligned text, JSON or markdown. */
export function renderWatchReport(r: WatchReport, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(r, null, 2)}\n`;
  const rs = rows(r);
  if (format === 'markdown') {
    const esc = (s: string): string => s.replace(/\|/g, '\\|');
    const parts = [
      `# leakhunt ${r.command} report`,
      '',
      '| | |',
      '|---|---|',
      ...rs.map(([k, v]) => `| ${esc(k)} | ${esc(v)} |`),
    ];
    for (const s of r.sections) parts.push('', `## ${s.title}`, '', ...s.lines);
    return `${parts.join('\n')}\n`;
  }
  const w = Math.max(...rs.map(([k]) => k.length));
  const parts = [`leakhunt ${r.command} report`, ...rs.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`)];
  for (const s of r.sections) parts.push('', s.title, ...s.lines.map((l) => `  ${l}`));
  return `${parts.join('\n')}\n`;
}
