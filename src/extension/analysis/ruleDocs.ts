import * as vscode from 'vscode';
import { ruleCatalog, ruleInfo } from '../../core/analysis/ruleCatalog';
import { DIAGNOSTIC_SOURCE } from './findingConversion';

/** The Markdown page for one rule: id, severity, one-line message, documentation and how to suppress it. */
export function ruleMarkdown(id: string): string | undefined {
  const r = ruleInfo(id);
  if (!r) return undefined;
  return [
    `# ${r.id}`,
    '',
    `**${r.message}** (${r.severity})`,
    '',
    r.docs,
    '',
    `Suppress one finding with \`//leakhunt:ignore ${r.id} <reason>\` on its line or the line above.`,
    '',
  ].join('\n');
}

/** Serves `leakhunt-rule:/ID.md` documents, the targets of the diagnostics' code links. */
export class RuleDocsProvider implements vscode.TextDocumentContentProvider {
  provideTextDocumentContent(uri: vscode.Uri): string {
    const id = uri.path.replace(/^\//, '').replace(/\.md$/, '');
    return ruleMarkdown(id) ?? `# Unknown rule\n\nKnown rules: ${ruleCatalog.map((r) => r.id).join(', ')}\n`;
  }
}

/** Shows a rule's documentation when hovering a range that has a leakhunt diagnostic. */
export class RuleHover implements vscode.HoverProvider {
  constructor(private readonly diagnostics: (uri: vscode.Uri) => readonly vscode.Diagnostic[]) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const hits = this.diagnostics(doc.uri).filter((d) => d.source === DIAGNOSTIC_SOURCE && d.range.contains(pos));
    const ids = [...new Set(hits.map((d) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code))))];
    const parts = ids.map((id) => ruleMarkdown(id)).filter((m): m is string => m !== undefined);
    if (parts.length === 0) return undefined;
    const md = new vscode.MarkdownString(parts.map((p) => p.replace(/^# /, '#### leakhunt: ')).join('\n---\n'));
    md.isTrusted = false;
    return new vscode.Hover(md, hits[0]!.range);
  }
}
