import * as path from 'node:path';
import { readdir, readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { DocumentAnalyzer } from '../../core/analysis/documentAnalyzer';
import { goModVersion } from '../../core/analysis/findGoFiles';
import { selectRules } from '../../core/analysis/rules/index';
import { readAnalysisSettings } from './analysisSettings';
import { toDiagnostic, type LeakDiagnostic } from './findingConversion';

interface Tracked {
  analyzer: DocumentAnalyzer;
  version: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Lints open Go documents as they change. Each document keeps a DocumentAnalyzer, which applies the editor's
 * content changes to its tree and reparses incrementally; linting is debounced so typing stays smooth. The other
 * .go files of the document's directory are loaded once as package context (package-level rules need them).
 */
export class LiveDiagnostics implements vscode.Disposable {
  private readonly tracked = new Map<string, Tracked>();
  private readonly pending = new Map<string, Promise<void>>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly collection: vscode.DiagnosticCollection,
    private readonly log: vscode.LogOutputChannel,
    /** Called when a document gets live diagnostics, so stale workspace-scan results for it can be dropped. */
    private readonly onLinted: (uri: vscode.Uri) => void,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.open(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.change(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.close(d.uri)),
      vscode.workspace.onDidSaveTextDocument((d) => void this.refreshSiblingsOf(d)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('leakhunt.analysis')) this.reset();
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.open(d);
  }

  /** The diagnostics currently shown for a document, for code actions and hovers. */
  diagnosticsFor(uri: vscode.Uri): readonly LeakDiagnostic[] {
    return (this.collection.get(uri) ?? []) as readonly LeakDiagnostic[];
  }

  private isGo(d: vscode.TextDocument): boolean {
    return d.languageId === 'go' && d.uri.scheme === 'file';
  }

  private open(doc: vscode.TextDocument): void {
    if (!this.isGo(doc) || !readAnalysisSettings().enabled) return;
    const key = doc.uri.toString();
    if (this.tracked.has(key) || this.pending.has(key)) return;
    const p = this.start(doc)
      .catch((err: unknown) => this.log.error(`leak rules: cannot analyse ${doc.uri.fsPath}: ${String(err)}`))
      .finally(() => this.pending.delete(key));
    this.pending.set(key, p);
  }

  private async start(doc: vscode.TextDocument): Promise<void> {
    const s = readAnalysisSettings();
    const file = doc.uri.fsPath;
    const analyzer = await DocumentAnalyzer.create(file, doc.getText(), {
      rules: selectRules(s.rules.length > 0 ? s.rules : undefined),
      goVersion: s.goVersion ?? goModVersion(path.dirname(file)),
    });
    if (doc.isClosed) {
      analyzer.dispose();
      return;
    }
    analyzer.setSiblings(await this.siblings(file));
    const t: Tracked = { analyzer, version: doc.version, timer: undefined };
    this.tracked.set(doc.uri.toString(), t);
    this.lint(doc, t);
  }

  /** The other .go files of the document's directory: open documents' current text, else the file on disk. */
  private async siblings(file: string): Promise<{ path: string; text: string }[]> {
    const dir = path.dirname(file);
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.go') && path.join(dir, n) !== file);
    } catch {
      return [];
    }
    const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.fsPath, d]));
    const out: { path: string; text: string }[] = [];
    for (const n of names) {
      const p = path.join(dir, n);
      const d = open.get(p);
      try {
        out.push({ path: p, text: d ? d.getText() : await readFile(p, 'utf8') });
      } catch {
        // A file that vanished between readdir and read is simply not context.
      }
    }
    return out;
  }

  /** A saved Go file is package context for the other open files of its directory: reload it there and relint. */
  private async refreshSiblingsOf(saved: vscode.TextDocument): Promise<void> {
    if (!this.isGo(saved)) return;
    const dir = path.dirname(saved.uri.fsPath);
    for (const doc of vscode.workspace.textDocuments) {
      const t = this.tracked.get(doc.uri.toString());
      if (!t || doc.uri.toString() === saved.uri.toString() || path.dirname(doc.uri.fsPath) !== dir) continue;
      try {
        const files = await this.siblings(doc.uri.fsPath);
        if (this.tracked.get(doc.uri.toString()) !== t) continue; // closed meanwhile
        t.analyzer.setSiblings(files);
        this.lint(doc, t);
      } catch (err) {
        this.log.warn(`leak rules: cannot refresh package context of ${doc.uri.fsPath}: ${String(err)}`);
      }
    }
  }

  private change(e: vscode.TextDocumentChangeEvent): void {
    const t = this.tracked.get(e.document.uri.toString());
    if (!t || e.contentChanges.length === 0) return;
    try {
      // VS Code orders a change event so that applying its changes one after another is correct.
      t.analyzer.applyChanges(
        e.contentChanges.map((c) => ({
          startLine: c.range.start.line,
          startCharacter: c.range.start.character,
          endLine: c.range.end.line,
          endCharacter: c.range.end.character,
          text: c.text,
        })),
      );
    } catch (err) {
      this.log.warn(`leak rules: incremental update failed, reparsing ${e.document.uri.fsPath}: ${String(err)}`);
      t.analyzer.setText(e.document.getText());
    }
    t.version = e.document.version;
    if (t.timer) clearTimeout(t.timer);
    t.timer = setTimeout(() => {
      t.timer = undefined;
      this.lint(e.document, t);
    }, readAnalysisSettings().debounceMs);
  }

  private lint(doc: vscode.TextDocument, t: Tracked): void {
    if (doc.isClosed) return;
    // A missed event would leave the tree behind the text; compare and recover rather than show wrong lines.
    if (t.analyzer.text !== doc.getText()) {
      this.log.warn(`leak rules: ${doc.uri.fsPath} drifted from the editor text; reparsing`);
      t.analyzer.setText(doc.getText());
    }
    const t0 = performance.now();
    const findings = t.analyzer.findings();
    this.collection.set(doc.uri, findings.map(toDiagnostic));
    this.onLinted(doc.uri);
    this.log.trace(
      `leak rules: ${findings.length} findings in ${doc.uri.fsPath} (${(performance.now() - t0).toFixed(1)} ms)`,
    );
  }

  private close(uri: vscode.Uri): void {
    const key = uri.toString();
    const t = this.tracked.get(key);
    if (!t) return;
    if (t.timer) clearTimeout(t.timer);
    t.analyzer.dispose();
    this.tracked.delete(key);
    this.collection.delete(uri);
  }

  private reset(): void {
    for (const key of [...this.tracked.keys()]) this.close(vscode.Uri.parse(key));
    for (const d of vscode.workspace.textDocuments) this.open(d);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    for (const t of this.tracked.values()) {
      if (t.timer) clearTimeout(t.timer);
      t.analyzer.dispose();
    }
    this.tracked.clear();
  }
}
