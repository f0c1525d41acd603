import type { Finding } from '../analysis/finding';
import type { LeakSite } from './leakSites';

/** A 1-based, inclusive line range of a function declaration in a Go file. */
export interface FunctionRange {
  name: string;
  startLine: number;
  endLine: number;
}

/** A static finding that explains a runtime leak site. */
export interface Correlation {
  finding: Pick<Finding, 'rule' | 'line' | 'message'>;
  /** `line`: the finding is on the site's line; `function`: it is elsewhere in the function that owns the site. */
  match: 'line' | 'function';
}

/**
 * Finds the top-level function declarations of gofmt-formatted Go source: a `func` at column 0 up to the next `}` at
 * column 0. Good enough to tell which function owns a line; the static engine's parser is not needed for that.
 */
export function functionRanges(source: string): FunctionRange[] {
  const lines = source.split(/\r?\n/);
  const out: FunctionRange[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)/.exec(lines[i] ?? '');
    if (!m) continue;
    let end = i;
    // A one-line function ends on its own line.
    if (!/\}\s*$/.test(lines[i] ?? '')) {
      for (end = i + 1; end < lines.length && !/^\}/.test(lines[end] ?? ''); end++);
    }
    out.push({ name: m[1] ?? '', startLine: i + 1, endLine: Math.min(end, lines.length - 1) + 1 });
    i = end;
  }
  return out;
}

/** The function range owning `line`, if any. */
export function owningFunction(ranges: readonly FunctionRange[], line: number): FunctionRange | undefined {
  return ranges.find((r) => r.startLine <= line && line <= r.endLine);
}

/**
 * The static findings that explain a runtime site of the same file: those on the site's line, and those inside the
 * function that owns the site (for a goroutine group, also the function of the `go` statement's line when that is in
 * this file, passed as `extraLines`). Line matches come first.
 */
export function correlate(
  site: Pick<LeakSite, 'line'>,
  findings: readonly Pick<Finding, 'rule' | 'line' | 'message'>[],
  ranges: readonly FunctionRange[],
  extraLines: readonly number[] = [],
): Correlation[] {
  const lines = [site.line, ...extraLines];
  const owners = lines.map((l) => owningFunction(ranges, l)).filter((r): r is FunctionRange => r !== undefined);
  const out: Correlation[] = [];
  for (const f of findings) {
    if (lines.includes(f.line)) out.push({ finding: f, match: 'line' });
    else if (owners.some((r) => r.startLine <= f.line && f.line <= r.endLine))
      out.push({ finding: f, match: 'function' });
  }
  return out.sort((a, b) => (a.match === b.match ? a.finding.line - b.finding.line : a.match === 'line' ? -1 : 1));
}

/** Raises a severity one step when a static rule explains the runtime growth. */
export function raiseSeverity(s: 'error' | 'warning' | 'info'): 'error' | 'warning' {
  return s === 'info' ? 'warning' : 'error';
}

/** The sentence a correlated diagnostic carries, naming the rules that explain the growth. */
export function correlationMessage(correlations: readonly Correlation[]): string {
  const rules = [...new Set(correlations.map((c) => c.finding.rule))];
  const where = correlations.some((c) => c.match === 'line') ? 'on this line' : 'in this function';
  return `static rule ${rules.join(', ')} ${where} explains the runtime growth`;
}
