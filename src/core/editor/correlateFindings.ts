import type { Finding } from '../analysis/finding';
import { INVALID_SUPPRESSION } from '../analysis/suppression';
import { ownersOfLine, type GoFunction } from './goFunctions';

/** The part of a static finding correlation needs; `file` names the file the way the caller keys its facts. */
export type CorrelatedFinding = Pick<Finding, 'rule' | 'file' | 'line' | 'column' | 'message'>;

/** What the static side knows about one file: its findings and its functions (from the syntax tree). */
export interface StaticFacts {
  findings: readonly CorrelatedFinding[];
  functions: readonly GoFunction[];
}

/**
 * A line a runtime site points at: the site's own line (allocation or blocking line), or, for a goroutine group, the
 * `go` statement that created it (which may be in another file).
 */
export interface SiteAnchor {
  file: string;
  line: number;
  role: 'site' | 'creator';
}

/** A static finding that explains a runtime leak site. */
export interface Correlation {
  finding: CorrelatedFinding;
  /**
   * `line`: on the site's line; `creator`: on the `go` statement that starts the goroutines; `function`: elsewhere in a
   * function that owns the site or the `go` statement.
   */
  match: 'line' | 'creator' | 'function';
  /** For a `function` match: the innermost function owning both the anchor and the finding (e.g. `leakyNew`). */
  owner?: string;
}

const RANK = { line: 0, creator: 1, function: 2 } as const;

/**
 * The static findings that explain a runtime site: those on an anchor's line, and those inside a function that owns
 * an anchor (for a line inside `go func() {...}()`, the literal and its enclosing declaration both own it). Each
 * finding appears once, with its closest match; line matches come first. Malformed-suppression reports explain
 * nothing and are left out.
 */
export function correlate(
  anchors: readonly SiteAnchor[],
  factsOf: (file: string) => StaticFacts | undefined,
): Correlation[] {
  const best = new Map<string, Correlation>();
  const offer = (c: Correlation): void => {
    const f = c.finding;
    const key = `${f.file}\0${f.line}\0${f.column}\0${f.rule}`;
    const had = best.get(key);
    if (!had || RANK[c.match] < RANK[had.match]) best.set(key, c);
  };
  for (const a of anchors) {
    const facts = factsOf(a.file);
    if (!facts) continue;
    const owners = ownersOfLine(facts.functions, a.line);
    for (const f of facts.findings) {
      if (f.rule === INVALID_SUPPRESSION) continue;
      if (f.line === a.line) {
        offer({ finding: f, match: a.role === 'site' ? 'line' : 'creator' });
        continue;
      }
      const owner = owners.find((o) => o.startLine <= f.line && f.line <= o.endLine);
      if (owner) offer({ finding: f, match: 'function', owner: owner.name });
    }
  }
  return [...best.values()].sort(
    (a, b) =>
      RANK[a.match] - RANK[b.match] ||
      (a.finding.file < b.finding.file ? -1 : a.finding.file > b.finding.file ? 1 : 0) ||
      a.finding.line - b.finding.line ||
      a.finding.column - b.finding.column,
  );
}

/** Raises a severity one step when a static rule explains the runtime growth. */
export function raiseSeverity(s: 'error' | 'warning' | 'info'): 'error' | 'warning' {
  return s === 'info' ? 'warning' : 'error';
}

/** The sentence a correlated diagnostic carries: the rules that explain the growth and where the closest one is. */
export function correlationMessage(correlations: readonly Correlation[]): string {
  const rules = [...new Set(correlations.map((c) => c.finding.rule))];
  const first = correlations[0];
  const where =
    first?.match === 'line'
      ? 'on this line'
      : first?.match === 'creator'
        ? 'on the go statement that starts these goroutines'
        : `in ${first?.owner ?? 'this function'}`;
  return `static rule ${rules.join(', ')} ${where} explains the runtime growth`;
}
