/** How serious a finding is; maps onto VS Code diagnostic severities and SARIF levels. */
export type Severity = 'error' | 'warning' | 'info';

/** One problem found by a rule, with a 1-based, end-inclusive-start/end-exclusive range as editors and SARIF expect. */
export interface Finding {
  rule: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Severity;
  message: string;
}

/** A file the analyzer could not read or parse; reported beside findings, never fatal. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** Orders findings by file, then position, then rule, so every output format is stable. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0)
  );
}
