import type { SourceFrame } from '../leak/allocationSite';
import type { Verdict } from '../leak/heapVerdict';
import type { LeakReport } from '../leak/leakReport';
import { formatBytes } from '../leak/units';

/** One stack that leads to a leak site, with the growth attributed to it. */
export interface LeakStack {
  /** Frames, innermost first. */
  frames: SourceFrame[];
  /** Growth through this stack, already worded (e.g. `+3.1 MiB/min (42.0 MiB in use, +12.0 MiB over the window)`). */
  growth: string;
  /** Growth through this stack per minute (bytes or goroutines), for ordering and severity. */
  ratePerMin: number;
}

/** A line of code the leak analysis blames: a heap allocation site or the blocking line of a goroutine group. */
export interface LeakSite {
  /** Stable id within one report (`heap:FILE:LINE` or `goroutine:FILE:LINE:STATE`), used in stack document URIs. */
  id: string;
  kind: 'heap' | 'goroutine';
  function: string;
  /** The file as the profile names it (build machine path or module path); map it before opening. */
  file: string;
  line: number;
  verdict: Verdict;
  /** Growth per minute: bytes for heap sites, goroutines for groups. */
  ratePerMin: number;
  /** Heap bytes in use, or goroutines in the group. */
  amount: number;
  /** For goroutine groups: the wait state (`chan receive`). */
  state?: string;
  /** For goroutine groups: whether the Go 1.26 leak profile proved them unreachable. */
  proven?: boolean;
  /** The analysis's reason for the verdict. */
  reason: string;
  /** The stacks that lead to the site, fastest-growing first (at most the report's `maxStacksPerSuspect`). */
  stacks: LeakStack[];
  /** How many distinct stacks led to the site during the window (`stacks` may list fewer). */
  stacksInWindow: number;
  /** For goroutine groups: the `go` statement that started them, when known. */
  createdBy?: SourceFrame;
}

/** The words every lens title ends with; the UI test and users look for them. */
export const SHOW_LEAK_STACK = 'show leak stack';

/** `+3.1 MiB/min` style growth of bytes per minute. */
export function formatByteRate(bytesPerMin: number): string {
  return `${signedBytes(bytesPerMin)}/min`;
}

/** `+20/min` style growth of a count per minute (one decimal below 10). */
export function formatCountRate(perMin: number): string {
  const a = Math.abs(perMin);
  const v = a >= 10 ? Math.round(a).toLocaleString('en-US') : a.toFixed(1);
  return `${perMin >= 0 ? '+' : '−'}${v}/min`;
}

/** Extracts the sites whose verdict is `leak` or `growing` from a report, heap sites first, each kind in report order. */
export function leakSitesOf(report: LeakReport): LeakSite[] {
  const sites: LeakSite[] = [];
  for (const s of report.heap?.suspects ?? []) {
    if (s.verdict !== 'leak' && s.verdict !== 'growing') continue;
    const frames = s.stack.length > 0 ? s.stack : [{ function: s.function, file: s.file, line: s.line }];
    const stacks: LeakStack[] =
      s.stacks?.length > 0
        ? s.stacks.map((st) => ({
            frames: st.frames,
            ratePerMin: st.slopeBytesPerMin,
            growth: `${formatByteRate(st.slopeBytesPerMin)} (${formatBytes(st.inuseBytes)} in use, ${signedBytes(st.growthBytes)} over the window)`,
          }))
        : [
            {
              frames,
              ratePerMin: s.slopeBytesPerMin,
              growth: `${formatByteRate(s.slopeBytesPerMin)} (${formatBytes(s.inuseBytes)} in use)`,
            },
          ];
    sites.push({
      id: `heap:${s.file}:${s.line}`,
      kind: 'heap',
      function: s.function,
      file: s.file,
      line: s.line,
      verdict: s.verdict,
      ratePerMin: s.slopeBytesPerMin,
      amount: s.inuseBytes,
      reason: s.reason,
      stacks,
      stacksInWindow: Math.max(s.stacksInWindow ?? 0, stacks.length),
    });
  }
  for (const g of report.goroutines?.suspects ?? []) {
    if (g.verdict !== 'leak' && g.verdict !== 'growing') continue;
    const stacks: LeakStack[] =
      g.stacks?.length > 0
        ? g.stacks.map((st) => ({
            frames: st.frames,
            ratePerMin: st.slopePerMin,
            growth: `${formatCountRate(st.slopePerMin)} (${st.count.toLocaleString('en-US')} goroutines, ${signedCount(st.growth)} over the window)`,
          }))
        : [
            {
              frames: [{ function: g.function, file: g.file, line: g.line }],
              ratePerMin: g.slopePerMin,
              growth: `${formatCountRate(g.slopePerMin)} (${g.count.toLocaleString('en-US')} goroutines ${g.state})`,
            },
          ];
    sites.push({
      id: `goroutine:${g.file}:${g.line}:${g.state}`,
      kind: 'goroutine',
      function: g.function,
      file: g.file,
      line: g.line,
      verdict: g.verdict,
      ratePerMin: g.slopePerMin,
      amount: g.count,
      state: g.state,
      proven: g.proven,
      reason: g.reason,
      stacks,
      stacksInWindow: Math.max(g.stacksInWindow ?? 0, stacks.length),
      ...(g.createdBy ? { createdBy: g.createdBy } : {}),
    });
  }
  return sites;
}

function signedBytes(n: number): string {
  return `${n >= 0 ? '+' : '−'}${formatBytes(Math.abs(n))}`;
}

function signedCount(n: number): string {
  return `${n >= 0 ? '+' : '−'}${Math.abs(n).toLocaleString('en-US')}`;
}

/** The code lens title of a site, e.g. `⚠ leak +3.1 MiB/min · 42.0 MiB in use · show leak stack`. */
export function lensTitle(site: LeakSite): string {
  if (site.kind === 'heap') {
    return `⚠ ${site.verdict} ${formatByteRate(site.ratePerMin)} · ${formatBytes(site.amount)} in use · ${SHOW_LEAK_STACK}`;
  }
  const proven = site.proven ? ' (proven leak)' : '';
  return (
    `⚠ ${site.amount.toLocaleString('en-US')} goroutines blocked (${site.state ?? 'unknown'})${proven} ` +
    `${formatCountRate(site.ratePerMin)} · ${SHOW_LEAK_STACK}`
  );
}

/** A one-line description of a site for diagnostics and tree items, without the lens's call to action. */
export function siteSummary(site: LeakSite): string {
  if (site.kind === 'heap') {
    return `${site.verdict}: heap in use at ${site.function} grows ${formatByteRate(site.ratePerMin)} (${formatBytes(site.amount)} in use)`;
  }
  return (
    `${site.verdict}: ${site.amount.toLocaleString('en-US')} goroutines blocked (${site.state ?? 'unknown'}) in ${site.function}, ` +
    `${formatCountRate(site.ratePerMin)}${site.proven ? '; the GC proved them unreachable' : ''}`
  );
}

/**
 * The text of the stack document: a header per site, then per stack its growth and the frames as
 * `function\n\tfile:line` (the layout of Go's own tracebacks, so the grammar and link provider read both).
 */
export function renderStackDocument(target: string, sites: readonly LeakSite[]): string {
  const out: string[] = [];
  for (const site of sites) {
    out.push(`leak site ${site.file}:${site.line} [${site.verdict}] on ${target}`);
    out.push(`# ${site.reason}`);
    if (site.stacksInWindow > site.stacks.length) {
      out.push(
        `# showing the ${site.stacks.length} fastest-growing of ${site.stacksInWindow} stacks that reached this site`,
      );
    }
    site.stacks.forEach((st, i) => {
      out.push('');
      out.push(`stack ${i + 1} of ${site.stacks.length}: growth ${st.growth}`);
      for (const f of st.frames) {
        out.push(f.function);
        out.push(`\t${f.file}:${f.line}`);
      }
      if (site.createdBy) {
        out.push(`created by ${site.createdBy.function}`);
        out.push(`\t${site.createdBy.file}:${site.createdBy.line}`);
      }
    });
    out.push('');
  }
  return out.join('\n');
}

/** How severe a diagnostic for a site should be, before correlation: proven or fast leaks are errors. */
export function siteSeverity(
  site: LeakSite,
  thresholds = { heapErrorBytesPerMin: 1 << 20, goroutineErrorPerMin: 10 },
): 'error' | 'warning' | 'info' {
  if (site.kind === 'goroutine') {
    if (site.proven || (site.verdict === 'leak' && site.ratePerMin >= thresholds.goroutineErrorPerMin)) return 'error';
    return site.verdict === 'leak' ? 'warning' : 'info';
  }
  if (site.verdict === 'leak' && site.ratePerMin >= thresholds.heapErrorBytesPerMin) return 'error';
  return site.verdict === 'leak' ? 'warning' : 'info';
}
