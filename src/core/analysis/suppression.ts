import type { Node } from 'web-tree-sitter';

/** The id under which a malformed `//leakhunt:ignore` comment is itself reported. */
export const INVALID_SUPPRESSION = 'invalid-suppression';

/** One `//leakhunt:ignore RULE reason` comment: the 0-based line it sits on, the rule and the reason. */
export interface Suppression {
  line: number;
  rule: string;
  reason: string;
  /** The comment node, for reporting a malformed suppression. */
  node: Node;
}

const DIRECTIVE = /^\/\/\s*leakhunt:ignore(?:\s+(\S+))?(?:\s+(.*?))?\s*(?:\/\/.*)?$/;

/** Finds every `//leakhunt:ignore` line comment in a file (the reason ends at a nested `//`); only real comments count. */
export function findSuppressions(root: Node, text: string): Suppression[] {
  if (!text.includes('leakhunt:ignore')) return [];
  const out: Suppression[] = [];
  for (const c of root.descendantsOfType('comment')) {
    const m = DIRECTIVE.exec(c.text);
    if (!m) continue;
    out.push({ line: c.startPosition.row, rule: m[1] ?? '', reason: m[2] ?? '', node: c });
  }
  return out;
}

/** Whether a suppression silences a finding of `rule` that starts on 0-based `line` (same line or the line below). */
export function suppresses(s: Suppression, rule: string, line: number): boolean {
  return s.rule === rule && s.reason !== '' && (s.line === line || s.line === line - 1);
}
