import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import {
  correlate,
  correlationMessage,
  functionRanges,
  raiseSeverity,
  type Correlation,
} from '../../core/editor/correlateFindings';
import { siteSeverity, siteSummary } from '../../core/editor/leakSites';
import { DIAGNOSTIC_SOURCE } from '../analysis/findingConversion';
import type { WorkspacePathResolver } from '../pathMapping/workspacePathResolver';
import type { WatchController } from '../watch/watchController';

/** Name and source of the runtime leak diagnostics (separate from the static rules' collection). */
export const RUNTIME_DIAGNOSTIC_SOURCE = 'leakhunt-runtime';

const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
} as const;

/** The static findings VS Code currently shows for a file (live or from a workspace scan), as plain findings. */
function staticFindings(uri: vscode.Uri): { rule: string; line: number; message: string }[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === DIAGNOSTIC_SOURCE)
    .map((d) => ({
      rule: typeof d.code === 'object' ? String(d.code.value) : String(d.code ?? 'static'),
      line: d.range.start.line + 1,
      message: d.message,
    }));
}

/**
 * Publishes the runtime leak sites of the watched target as diagnostics (severity by rate, stack frames as related
 * information) and links them with static findings on the same line or in the owning function.
 */
export class RuntimeDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(RUNTIME_DIAGNOSTIC_SOURCE);
  private readonly sub: vscode.Disposable;
  private generation = 0;

  constructor(
    private readonly watch: WatchController,
    private readonly resolver: WorkspacePathResolver,
    log: vscode.LogOutputChannel,
  ) {
    this.sub = watch.onDidChange(() => void this.refresh().catch((e) => log.warn(`runtime diagnostics: ${e}`)));
  }

  /** Rebuilds every runtime diagnostic from the latest report. */
  async refresh(): Promise<void> {
    const gen = ++this.generation;
    const byFile = new Map<string, { uri: vscode.Uri; diags: vscode.Diagnostic[] }>();
    const texts = new Map<string, string>();
    for (const { site, uri } of this.watch.sites) {
      if (!uri) continue;
      const key = uri.toString();
      let text = texts.get(key);
      if (text === undefined) {
        text = await fs.readFile(uri.fsPath, 'utf8').catch(() => '');
        texts.set(key, text);
      }
      const lines = text.split(/\r?\n/);
      const lineText = lines[site.line - 1] ?? '';
      const start = lineText.length - lineText.trimStart().length;
      const range = new vscode.Range(
        site.line - 1,
        start,
        site.line - 1,
        Math.max(start + 1, lineText.trimEnd().length),
      );
      const extra: number[] = [];
      const creator = site.stacks[0]?.frames[1];
      if (site.kind === 'goroutine' && creator && (await this.resolver.resolve(creator.file))?.toString() === key) {
        extra.push(creator.line);
      }
      const correlations: Correlation[] = correlate(site, staticFindings(uri), functionRanges(text), extra);
      let severity = siteSeverity(site);
      let message = `${siteSummary(site)} (runtime, ${this.watch.target?.name ?? 'target'})`;
      if (correlations.length > 0) {
        severity = raiseSeverity(severity);
        message += `; ${correlationMessage(correlations)}`;
      }
      const d = new vscode.Diagnostic(range, message, SEVERITY[severity]);
      d.source = RUNTIME_DIAGNOSTIC_SOURCE;
      d.code = site.verdict;
      const related: vscode.DiagnosticRelatedInformation[] = [];
      for (const c of correlations) {
        related.push(
          new vscode.DiagnosticRelatedInformation(
            new vscode.Location(uri, new vscode.Position(c.finding.line - 1, 0)),
            `static ${c.finding.rule}: ${c.finding.message}`,
          ),
        );
      }
      for (const st of site.stacks) {
        for (const f of st.frames) {
          const fu = await this.resolver.resolve(f.file);
          if (!fu) continue;
          related.push(
            new vscode.DiagnosticRelatedInformation(
              new vscode.Location(fu, new vscode.Position(Math.max(0, f.line - 1), 0)),
              `${f.function} (growth ${st.growth})`,
            ),
          );
        }
      }
      d.relatedInformation = related;
      const entry = byFile.get(key) ?? { uri, diags: [] };
      entry.diags.push(d);
      byFile.set(key, entry);
    }
    if (gen !== this.generation) return;
    this.collection.clear();
    for (const { uri, diags } of byFile.values()) this.collection.set(uri, diags);
  }

  dispose(): void {
    this.sub.dispose();
    this.collection.dispose();
  }
}
