import type { SourceFrame } from './allocationSite';
import { callPathLabel } from './callPath';
import type { LeakReport } from './leakReport';
import type { TargetLifecycle } from './targetLifecycle';
import { sparkline } from './sparkline';
import { formatBytes } from './units';

/** Output formats of a leak report. */
export type ReportFormat = 'json' | 'text' | 'markdown' | 'sarif';

/** Every report format, for CLI validation. */
export const REPORT_FORMATS: readonly ReportFormat[] = ['json', 'text', 'markdown', 'sarif'];

/** Renders a report in `format`; text, markdown and JSON end with a newline. */
export function renderReport(r: LeakReport, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(r, null, 2) + '\n';
    case 'text':
      return renderText(r);
    case 'markdown':
      return renderMarkdown(r);
    case 'sarif':
      return JSON.stringify(renderSarif(r), null, 2) + '\n';
  }
}

const rate = (bytesPerMin: number) => `${bytesPerMin >= 0 ? '+' : ''}${formatBytes(bytesPerMin)}/min`;
const count = (perMin: number) => `${perMin >= 0 ? '+' : ''}${perMin.toFixed(1)}/min`;
const where = (s: { file: string; line: number }) => (s.file ? `${s.file}:${s.line}` : '?');

// Call paths the text report prints per suspect; the JSON report has them all (up to maxStacksPerSuspect).
const TEXT_STACKS = 5;

/** The call paths of a suspect reached by more than one stack, one line each: growth, amount, callers. */
function callPathLines<S extends { frames: SourceFrame[] }>(
  out: string[],
  site: SourceFrame,
  stacks: readonly S[],
  inWindow: number,
  figures: (st: S) => [growth: string, amount: string],
): void {
  if (stacks.length < 2) return;
  out.push(`  ${site.function} ${where(site)} is reached by ${inWindow} stacks:`);
  for (const st of stacks.slice(0, TEXT_STACKS)) {
    const [growth, amount] = figures(st);
    out.push(`    ${growth.padEnd(16)} ${amount.padEnd(10)} ${callPathLabel(st.frames, site)}`);
  }
  if (inWindow > TEXT_STACKS) out.push(`    … ${inWindow - TEXT_STACKS} more (see the JSON report)`);
}

/** A plain-text table report for terminals, with sparklines of each suspect's series. */
export function renderText(r: LeakReport): string {
  const out: string[] = [];
  // What happened to the process comes before any figure: a leak report of a dead service must say so first.
  if (r.lifecycle.summary) {
    out.push(`${LIFECYCLE_MARK[r.lifecycle.state]} ${r.lifecycle.summary}`);
    for (const e of r.lifecycle.evidence) out.push(`   - ${e.message}`);
    out.push('');
  }
  out.push(`leakhunt report for ${r.target}: ${r.snapshots} snapshots over ${r.windowSeconds.toFixed(0)} s`);
  out.push('');
  if (r.heap) {
    out.push(
      `Heap: ${formatBytes(r.heap.totalInuseBytes)} in use, trend ${rate(r.heap.trendBytesPerMin)} (${r.heap.totalVerdict}, ${r.heap.epochs} GC epochs)` +
        (r.heap.explainedShare !== null
          ? `, ${(r.heap.explainedShare * 100).toFixed(0)}% of growth explained below`
          : ''),
    );
    if (r.heap.suspects.length === 0) out.push('  no growing allocation sites');
    else {
      out.push(
        table(
          ['VERDICT', 'GROWTH', 'IN USE', 'R²', 'TREND', 'SITE'],
          r.heap.suspects.map((s) => [
            s.verdict.toUpperCase(),
            rate(s.slopeBytesPerMin),
            formatBytes(s.inuseBytes),
            s.r2.toFixed(2),
            sparkline(s.series, 16),
            `${s.function} ${where(s)}`,
          ]),
        ),
      );
      for (const s of r.heap.suspects) {
        callPathLines(out, s, s.stacks, s.stacksInWindow, (st) => [
          rate(st.slopeBytesPerMin),
          formatBytes(st.inuseBytes),
        ]);
      }
    }
  } else out.push('Heap: no heap profiles');
  out.push('');
  if (r.goroutines) {
    out.push(`Goroutines: ${r.goroutines.total}, trend ${count(r.goroutines.slopePerMin)}`);
    if (r.goroutines.suspects.length === 0) out.push('  no growing goroutine groups');
    else {
      out.push(
        table(
          ['VERDICT', 'COUNT', 'GROWTH', 'STATE', 'TREND', 'BLOCKED AT'],
          r.goroutines.suspects.map((g) => [
            g.verdict.toUpperCase() + (g.proven ? ' (proven)' : ''),
            String(g.count),
            count(g.slopePerMin),
            g.state + (g.maxWaitMinutes > 0 ? `, ${g.maxWaitMinutes} min` : ''),
            sparkline(g.series, 16),
            `${g.function} ${where(g)}` +
              (g.createdBy ? ` (created by ${g.createdBy.function} ${where(g.createdBy)})` : '') +
              labelText(g.labels),
          ]),
        ),
      );
      for (const g of r.goroutines.suspects) {
        callPathLines(out, g, g.stacks, g.stacksInWindow, (st) => [count(st.slopePerMin), String(st.count)]);
      }
    }
  } else out.push('Goroutines: no goroutine profiles');
  out.push('');
  const c = r.container;
  if (c.cgroup === 'none') out.push('Container: no cgroup figures');
  else {
    out.push(
      `Container (cgroup ${c.cgroup}): ${c.memoryCurrent !== null ? formatBytes(c.memoryCurrent) : '?'} of ` +
        `${c.memoryMax !== null ? formatBytes(c.memoryMax) : 'no limit'}` +
        (c.ratio !== null ? ` (${(c.ratio * 100).toFixed(1)}%)` : '') +
        (c.growthBytesPerMin !== null ? `, ${rate(c.growthBytesPerMin)}` : '') +
        (c.oomEtaSeconds !== null ? `, OOM in ~${Math.round(c.oomEtaSeconds)} s` : ''),
    );
    const b = c.breakdown;
    const parts: [string, number | null][] = [
      ['Go heap', b.goHeapInuse],
      ['runtime/non-heap', b.goRuntimeNonHeap],
      ['page cache', b.pageCache],
      ['other', b.other],
    ];
    out.push(
      '  ' +
        parts
          .filter(([, v]) => v !== null)
          .map(([k, v]) => `${k} ${formatBytes(v!)}`)
          .join(', '),
    );
  }
  for (const w of c.warnings) out.push(`  ! ${w.message}`);
  out.push('');
  const s = r.sli;
  const sli = (
    name: string,
    v: { value: number | null; threshold: number; breached: boolean },
    fmt: (x: number) => string,
  ) =>
    `${name} ${v.value === null ? 'n/a' : fmt(v.value)} (threshold ${fmt(v.threshold)}) ${v.value === null ? '' : v.breached ? 'FAIL' : 'ok'}`.trimEnd();
  out.push('SLIs:');
  out.push('  ' + sli('alloc rate', s.allocBytesPerSec, (x) => `${(x / 1e6).toFixed(1)} MB/s`));
  out.push('  ' + sli('live objects', s.liveObjects, (x) => String(Math.round(x))));
  out.push('  ' + sli('HeapInuse/HeapSys', s.heapInuseRatio, (x) => x.toFixed(2)));
  return out.join('\n') + '\n';
}

/** A Markdown report suited to a CI comment. */
export function renderMarkdown(r: LeakReport): string {
  const md = (s: string) => s.replace(/[\\|`*_<>[\]]/g, (ch) => `\\${ch}`).replace(/\r?\n/g, ' ');
  const out: string[] = [];
  out.push(`## leakhunt report: ${md(r.target)}`);
  out.push('');
  if (r.lifecycle.summary) {
    out.push(`> ${r.lifecycle.state === 'running' ? 'ℹ️' : '⛔'} **${md(r.lifecycle.summary)}**`);
    if (r.lifecycle.evidence.length > 0) out.push('>');
    for (const e of r.lifecycle.evidence) out.push(`> - ${md(e.message)}`);
    out.push('');
  }
  out.push(`${r.snapshots} snapshots over ${r.windowSeconds.toFixed(0)} s.`);
  out.push('');
  out.push('### Heap');
  if (!r.heap) out.push('No heap profiles.');
  else {
    out.push(
      `${formatBytes(r.heap.totalInuseBytes)} in use, trend **${rate(r.heap.trendBytesPerMin)}** (${r.heap.totalVerdict}).`,
    );
    out.push('');
    if (r.heap.suspects.length === 0) out.push('No growing allocation sites.');
    else {
      out.push('| Verdict | Growth | In use | R² | Site |');
      out.push('|---|---|---|---|---|');
      for (const s of r.heap.suspects) {
        out.push(
          `| **${s.verdict}** | ${rate(s.slopeBytesPerMin)} | ${formatBytes(s.inuseBytes)} | ${s.r2.toFixed(2)} | ${md(s.function)} ${md(where(s))} |`,
        );
      }
    }
  }
  out.push('');
  out.push('### Goroutines');
  if (!r.goroutines) out.push('No goroutine profiles.');
  else {
    out.push(`${r.goroutines.total} goroutines, trend ${count(r.goroutines.slopePerMin)}.`);
    out.push('');
    if (r.goroutines.suspects.length === 0) out.push('No growing goroutine groups.');
    else {
      out.push('| Verdict | Count | Growth | State | Blocked at | Created by |');
      out.push('|---|---|---|---|---|---|');
      for (const g of r.goroutines.suspects) {
        out.push(
          `| **${g.verdict}**${g.proven ? ' (proven)' : ''} | ${g.count} | ${count(g.slopePerMin)} | ${md(g.state)} | ${md(g.function)} ${md(where(g))}${md(labelText(g.labels))} | ${g.createdBy ? `${md(g.createdBy.function)} ${md(where(g.createdBy))}` : ''} |`,
        );
      }
    }
  }
  out.push('');
  out.push('### Container');
  const c = r.container;
  out.push(
    c.cgroup === 'none'
      ? 'No cgroup figures.'
      : `cgroup ${c.cgroup}: ${c.memoryCurrent !== null ? formatBytes(c.memoryCurrent) : '?'} of ${c.memoryMax !== null ? formatBytes(c.memoryMax) : 'no limit'}` +
          (c.ratio !== null ? ` (${(c.ratio * 100).toFixed(1)}%)` : '') +
          (c.oomEtaSeconds !== null ? `, OOM in about ${Math.round(c.oomEtaSeconds)} s` : '') +
          '.',
  );
  for (const w of c.warnings) out.push(`- ⚠️ ${md(w.message)}`);
  out.push('');
  out.push('### SLIs');
  out.push('| SLI | Value | Threshold | Result |');
  out.push('|---|---|---|---|');
  const row = (n: string, v: { value: number | null; threshold: number; breached: boolean }) =>
    `| ${n} | ${v.value === null ? 'n/a' : round(v.value)} | ${round(v.threshold)} | ${v.value === null ? 'n/a' : v.breached ? '❌ fail' : '✅ pass'} |`;
  out.push(row('allocBytesPerSec', r.sli.allocBytesPerSec));
  out.push(row('liveObjects', r.sli.liveObjects));
  out.push(row('heapInuseRatio', r.sli.heapInuseRatio));
  return out.join('\n') + '\n';
}

/** A SARIF 2.1.0 log: each heap and goroutine suspect becomes a result located at its file:line. */
export function renderSarif(r: LeakReport): object {
  const rules = [
    { id: 'heap-leak', shortDescription: { text: 'Allocation site whose in-use memory grows steadily' } },
    { id: 'heap-growing', shortDescription: { text: 'Allocation site whose in-use memory grows' } },
    { id: 'goroutine-leak', shortDescription: { text: 'Goroutines blocked in user code piling up' } },
    { id: 'goroutine-growing', shortDescription: { text: 'Goroutine group that grows' } },
  ];
  const results: object[] = [];
  const life = lifecycleResult(r.lifecycle);
  if (life) {
    rules.push(life.rule);
    results.push(life.result);
  }
  const location = (file: string, line: number) => ({
    physicalLocation: {
      artifactLocation: { uri: toUri(file) },
      ...(line > 0 ? { region: { startLine: line } } : {}),
    },
  });
  for (const s of r.heap?.suspects ?? []) {
    if (s.verdict !== 'leak' && s.verdict !== 'growing') continue;
    results.push({
      ruleId: s.verdict === 'leak' ? 'heap-leak' : 'heap-growing',
      level: s.verdict === 'leak' ? 'error' : 'warning',
      message: {
        text: `${s.function} holds ${formatBytes(s.inuseBytes)} in use, growing ${rate(s.slopeBytesPerMin)} (R² ${s.r2.toFixed(2)}): ${s.reason}`,
      },
      locations: [location(s.file, s.line)],
      ...(s.stacks.length > 0
        ? {
            stacks: s.stacks.map((st) =>
              sarifStack(`${rate(st.slopeBytesPerMin)}, ${formatBytes(st.inuseBytes)} in use`, st.frames),
            ),
          }
        : {}),
      properties: {
        slopeBytesPerMin: s.slopeBytesPerMin,
        r2: s.r2,
        inuseBytes: s.inuseBytes,
        stackCount: s.stackCount,
        stacksInWindow: s.stacksInWindow,
      },
    });
  }
  for (const g of r.goroutines?.suspects ?? []) {
    if (g.verdict !== 'leak' && g.verdict !== 'growing') continue;
    results.push({
      ruleId: g.verdict === 'leak' ? 'goroutine-leak' : 'goroutine-growing',
      level: g.verdict === 'leak' ? 'error' : 'warning',
      message: {
        text: `${g.count} goroutines in ${g.state} at ${g.function}, ${count(g.slopePerMin)}${g.proven ? ', proven leaked by the GC' : ''}: ${g.reason}`,
      },
      locations: [location(g.file, g.line)],
      ...(g.createdBy && g.createdBy.file
        ? {
            relatedLocations: [
              { id: 1, ...location(g.createdBy.file, g.createdBy.line), message: { text: 'created here' } },
            ],
          }
        : {}),
      ...(g.stacks.length > 0
        ? { stacks: g.stacks.map((st) => sarifStack(`${count(st.slopePerMin)}, ${st.count} goroutines`, st.frames)) }
        : {}),
      properties: {
        count: g.count,
        slopePerMin: g.slopePerMin,
        proven: g.proven,
        labels: g.labels,
        stacksInWindow: g.stacksInWindow,
      },
    });
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      { tool: { driver: { name: 'leakhunt', informationUri: 'https://example.invalid/leakhunt', rules } }, results },
    ],
  };
}

/** The marker in front of the text report's lifecycle line. */
const LIFECYCLE_MARK: Record<TargetLifecycle['state'], string> = {
  running: 'NOTE:',
  'oom-killed': '!! TARGET OOM-KILLED:',
  unreachable: '!! TARGET DOWN:',
  restarted: '!! TARGET RESTARTED:',
};

/** A SARIF result (first in the log) for a target that died or restarted; it has no source location. */
function lifecycleResult(
  l: TargetLifecycle,
): { rule: { id: string; shortDescription: { text: string } }; result: object } | undefined {
  if (l.state === 'running') return undefined;
  const id = `target-${l.state}`;
  const text = {
    'oom-killed': 'The target process was OOM-killed by its cgroup during the window',
    unreachable: 'The target process stopped answering during the window',
    restarted: 'The target process restarted during the window',
  }[l.state];
  return {
    rule: { id, shortDescription: { text } },
    result: {
      ruleId: id,
      level: l.oomKilled ? 'error' : 'warning',
      message: { text: [l.summary, ...l.evidence.map((e) => e.message)].join('\n') },
      properties: {
        state: l.state,
        atMs: l.atMs,
        oomKilled: l.oomKilled,
        oomKill: l.oomKill,
        lastGoodSnapshot: l.lastGoodSnapshot,
      },
    },
  };
}

/** A SARIF `stack`: its growth as the message, frames innermost first, as the format orders them. */
function sarifStack(message: string, frames: readonly { function: string; file: string; line: number }[]): object {
  return {
    message: { text: message },
    frames: frames.map((f) => ({
      location: {
        physicalLocation: {
          artifactLocation: { uri: toUri(f.file) },
          ...(f.line > 0 ? { region: { startLine: f.line } } : {}),
        },
        message: { text: f.function },
      },
    })),
  };
}

/** Absolute paths become file:// URIs; relative ones (trimpath builds) stay relative, with each segment escaped. */
function toUri(file: string): string {
  const enc = (p: string) => p.split('/').map(encodeURIComponent).join('/');
  if (file.startsWith('/')) return `file://${enc(file)}`;
  if (/^[A-Za-z]:[\\/]/.test(file)) return `file:///${enc(file.replace(/\\/g, '/')).replace('%3A', ':')}`;
  return enc(file);
}

function labelText(labels: Record<string, string[]>): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return (
    ' [' +
    keys.map((k) => `${k}=${labels[k]!.slice(0, 5).join(',')}${labels[k]!.length > 5 ? ',…' : ''}`).join(' ') +
    ']'
  );
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]!].length)));
  const line = (cells: string[]) =>
    '  ' + cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

function round(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}
