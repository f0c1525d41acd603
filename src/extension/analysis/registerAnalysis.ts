import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE, RULE_DOC_SCHEME } from './findingConversion';
import { LeakCodeActions } from './leakCodeActions';
import { LiveDiagnostics } from './liveDiagnostics';
import { RuleDocsProvider, RuleHover } from './ruleDocs';
import { SCAN_WORKSPACE_COMMAND, scanWorkspaceCommand } from './scanWorkspaceCommand';

/**
 * Wires the static leak rules into the editor: live diagnostics on open Go files (incremental, debounced), quick
 * fixes, hover documentation, rule documentation pages linked from the Problems panel, and the workspace scan command.
 */
export function registerAnalysis(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  const live = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  const scanned = vscode.languages.createDiagnosticCollection(`${DIAGNOSTIC_SOURCE}-workspace`);
  const liveDiagnostics = new LiveDiagnostics(live, log, (uri) => scanned.delete(uri));
  const go: vscode.DocumentSelector = { language: 'go', scheme: 'file' };
  const all = (uri: vscode.Uri): readonly vscode.Diagnostic[] => [
    ...(live.get(uri) ?? []),
    ...(scanned.get(uri) ?? []),
  ];
  context.subscriptions.push(
    live,
    scanned,
    liveDiagnostics,
    vscode.languages.registerCodeActionsProvider(go, new LeakCodeActions(), {
      providedCodeActionKinds: LeakCodeActions.kinds,
    }),
    vscode.languages.registerHoverProvider(go, new RuleHover(all)),
    vscode.workspace.registerTextDocumentContentProvider(RULE_DOC_SCHEME, new RuleDocsProvider()),
    vscode.commands.registerCommand(
      SCAN_WORKSPACE_COMMAND,
      scanWorkspaceCommand({ collection: scanned, log, isLive: (uri) => live.has(uri) }),
    ),
  );
}
