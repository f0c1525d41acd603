import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE, LeakDiagnostic, toWorkspaceEdit } from './findingConversion';

/** Offers the mechanical fixes core computed for each leakhunt diagnostic under the cursor, plus a suppression. */
export class LeakCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  provideCodeActions(
    doc: vscode.TextDocument,
    _range: vscode.Range,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      if (d.source !== DIAGNOSTIC_SOURCE || !(d instanceof LeakDiagnostic)) continue;
      d.fixes.forEach((fix, i) => {
        const a = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        a.diagnostics = [d];
        a.edit = toWorkspaceEdit(doc.uri, fix);
        // The rule's own fix first; the suppression (always last) is never preferred.
        a.isPreferred = i === 0 && d.fixes.length > 1;
        out.push(a);
      });
    }
    return out;
  }
}
