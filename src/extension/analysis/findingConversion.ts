import * as vscode from 'vscode';
import type { FindingWithFixes } from '../../core/analysis/analyzePackage';
import type { QuickFix } from '../../core/analysis/rule';

/** The diagnostics source shown in the Problems panel. */
export const DIAGNOSTIC_SOURCE = 'leakhunt';

/** URI scheme of the read-only documents that show a rule's documentation. */
export const RULE_DOC_SCHEME = 'leakhunt-rule';

/** A diagnostic that remembers the fixes core computed for its finding. */
export class LeakDiagnostic extends vscode.Diagnostic {
  constructor(
    range: vscode.Range,
    message: string,
    severity: vscode.DiagnosticSeverity,
    readonly rule: string,
    readonly fixes: readonly QuickFix[],
  ) {
    super(range, message, severity);
  }
}

const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
} as const;

/** Converts a core finding (1-based) into a Problems-panel diagnostic whose code links to the rule's documentation. */
export function toDiagnostic(f: FindingWithFixes): LeakDiagnostic {
  const range = new vscode.Range(f.line - 1, f.column - 1, f.endLine - 1, f.endColumn - 1);
  const d = new LeakDiagnostic(range, f.message, SEVERITY[f.severity], f.rule, f.fixes);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = { value: f.rule, target: vscode.Uri.from({ scheme: RULE_DOC_SCHEME, path: `/${f.rule}.md` }) };
  return d;
}

/** Turns a core quick fix (0-based text edits) into a workspace edit on `uri`. */
export function toWorkspaceEdit(uri: vscode.Uri, fix: QuickFix): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of fix.edits)
    edit.replace(uri, new vscode.Range(e.startLine, e.startCharacter, e.endLine, e.endCharacter), e.newText);
  return edit;
}
