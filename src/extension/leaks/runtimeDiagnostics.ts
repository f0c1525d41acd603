import * as path from 'node:path';
import * as vscode from 'vscode';
import { goModVersion } from '../../core/analysis/findGoFiles';
import type { Rule } from '../../core/analysis/rule';
import { selectRules } from '../../core/analysis/rules/index';
import {
  correlate,
  correlationMessage,
  raiseSeverity,
  type CorrelatedFinding,
  type SiteAnchor,
  type StaticFacts,
} from '../../core/editor/correlateFindings';
import { siteSeverity, siteSummary } from '../../core/editor/leakSites';
import { StaticFactsCache } from '../../core/editor/staticFactsCache';
import { readAnalysisSettings } from '../analysis/analysisSettings';
import { DIAGNOSTIC_SOURCE } from '../analysis/findingConversion';
import type { WorkspacePathResolver } from '../pathMapping/workspacePathResolver';
import type { WatchController } from '../watch/watchController';
import { PackageSources } from './packageSources';

/** Stacks of a site whose workspace frames are listed as related information (fastest-growing first). */
const RELATED_STACKS = 3;

/** Name and source of the runtime leak diagnostics (separate from the static rules' collection). */
export const RUNTIME_DIAGNOSTIC_SOURCE = 'leakhunt-runtime';

const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
} as const;

/** The static findings VS Code currently shows for a file (live or from a workspace scan). */
function shownStaticFindings(uri: vscode.Uri): CorrelatedFinding[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === DIAGNOSTIC_SOURCE)
    .map((d) => ({
      rule: typeof d.code === 'object' ? String(d.code.value) : String(d.code ?? 'static'),
      file: uri.fsPath,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      message: d.message,
    }));
}

/** A fingerprint of the static diagnostics shown for a file; the runtime collection's own changes leave it alone. */
function staticSignature(uri: vscode.Uri): string {
  return shownStaticFindings(uri)
    .map((f) => `${f.line}:${f.column}:${f.rule}:${f.message}`)
    .join('\n');
}

/**
 * Publishes the runtime leak sites of the watched target as diagnostics (severity by rate, stack frames as related
 * information) and links them with the static findings on the same line, on the `go` statement of a goroutine
 * group, or in the function that owns either. The static rules run here on each site file's package (open
 * documents' text, else disk; cached by content), so no file needs to be open and no workspace scan is needed.
 * Refreshes after every snapshot, and, debounced, when a site's package is edited or saved, when the static
 * diagnostics of such a file change, and when the analysis settings change.
 */
export class RuntimeDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(RUNTIME_DIAGNOSTIC_SOURCE);
  private readonly subs: vscode.Disposable[] = [];
  private readonly facts = new StaticFactsCache();
  private readonly sources = new PackageSources();
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Package directories the current diagnostics were computed from; their edits trigger a refresh. */
  private dirs = new Set<string>();
  /** Last seen static-diagnostics fingerprint per file of those packages. */
  private readonly staticSeen = new Map<string, string>();
  private lastRulesProblem: string | undefined;

  constructor(
    private readonly watch: WatchController,
    private readonly resolver: WorkspacePathResolver,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subs.push(
      watch.onDidChange(() => this.run()),
      vscode.languages.onDidChangeDiagnostics((e) => this.diagnosticsChanged(e.uris)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0 && this.feeds(e.document.uri)) this.schedule();
      }),
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (this.feeds(d.uri)) this.schedule();
      }),
      // Closing a document with unsaved edits puts the disk text back in charge.
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (this.feeds(d.uri)) this.schedule();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('leakhunt.analysis')) this.schedule();
      }),
    );
  }

  /** Rebuilds every runtime diagnostic from the latest report; a newer refresh supersedes one still running. */
  async refresh(): Promise<void> {
    const gen = ++this.generation;
    const engine = this.engineOptions();
    const factsByFile = new Map<string, StaticFacts | undefined>();
    const texts = new Map<string, string>();
    const dirs = new Set<string>();
    const packageFiles = new Set<string>();
    const modVersions = new Map<string, string | undefined>();
    const textOf = async (file: string): Promise<string> => {
      let t = texts.get(file);
      if (t === undefined) {
        t = (await this.sources.text(file)) ?? '';
        texts.set(file, t);
      }
      return t;
    };
    const load = async (file: string): Promise<void> => {
      if (factsByFile.has(file)) return;
      factsByFile.set(file, undefined);
      const dir = path.dirname(file);
      dirs.add(dir);
      try {
        if (engine) {
          const files = await this.sources.read(dir);
          for (const f of files) {
            packageFiles.add(f.path);
            texts.set(f.path, f.text);
          }
          if (!files.some((f) => f.path === file)) return;
          const misses = this.facts.stats.misses;
          const facts = await this.facts.factsFor(files, file, {
            rules: engine.rules,
            goVersion: engine.goVersion ?? goModVersion(dir, modVersions),
          });
          factsByFile.set(file, facts);
          if (this.facts.stats.misses !== misses)
            this.log.debug(
              `runtime diagnostics: static rules on ${vscode.workspace.asRelativePath(file)} ` +
                `(package of ${files.length} files) in ${this.facts.stats.lastAnalysisMs.toFixed(1)} ms`,
            );
        } else {
          // Live analysis is off: correlate with whatever static diagnostics VS Code shows (e.g. a workspace scan).
          packageFiles.add(file);
          const functions = await this.facts.functionsOf(file, await textOf(file));
          factsByFile.set(file, { findings: shownStaticFindings(vscode.Uri.file(file)), functions });
        }
      } catch (err) {
        this.log.warn(`runtime diagnostics: no static facts for ${file}: ${String(err)}`);
      }
    };

    const byFile = new Map<string, { uri: vscode.Uri; diags: vscode.Diagnostic[] }>();
    let correlated = 0;
    for (const { site, uri } of this.watch.sites) {
      if (!uri || uri.scheme !== 'file') continue;
      const anchors: SiteAnchor[] = [{ file: uri.fsPath, line: site.line, role: 'site' }];
      // A goroutine group is also explained by what is wrong at the `go` statement that starts it (any file).
      if (site.createdBy) {
        const cu = await this.resolver.resolve(site.createdBy.file);
        if (cu?.scheme === 'file') anchors.push({ file: cu.fsPath, line: site.createdBy.line, role: 'creator' });
      }
      for (const a of anchors) await load(a.file);
      if (gen !== this.generation) return;
      const correlations = correlate(anchors, (f) => factsByFile.get(f));
      const lineText = (await textOf(uri.fsPath)).split(/\r?\n/)[site.line - 1] ?? '';
      const start = lineText.length - lineText.trimStart().length;
      const range = new vscode.Range(
        site.line - 1,
        start,
        site.line - 1,
        Math.max(start + 1, lineText.trimEnd().length),
      );
      let severity = siteSeverity(site);
      let message = `${siteSummary(site)} (runtime, ${this.watch.target?.name ?? 'target'})`;
      if (correlations.length > 0) {
        correlated++;
        severity = raiseSeverity(severity);
        message += `; ${correlationMessage(correlations)}`;
      }
      const d = new vscode.Diagnostic(range, message, SEVERITY[severity]);
      d.source = RUNTIME_DIAGNOSTIC_SOURCE;
      d.code = site.verdict;
      const related: vscode.DiagnosticRelatedInformation[] = [];
      for (const c of correlations) {
        const at = new vscode.Position(c.finding.line - 1, Math.max(0, c.finding.column - 1));
        related.push(
          new vscode.DiagnosticRelatedInformation(
            new vscode.Location(vscode.Uri.file(c.finding.file), at),
            `static ${c.finding.rule}: ${c.finding.message}`,
          ),
        );
      }
      // The fastest-growing stacks only: a helper reached from dozens of places would bury the static findings
      // under hundreds of frames; "show leak stack" lists them all.
      const shown = site.stacks.slice(0, RELATED_STACKS);
      for (const [i, st] of shown.entries()) {
        const which = site.stacks.length > 1 ? `stack ${i + 1} of ${site.stacksInWindow}, ` : '';
        for (const f of st.frames) {
          const fu = await this.resolver.resolve(f.file);
          if (!fu) continue;
          related.push(
            new vscode.DiagnosticRelatedInformation(
              new vscode.Location(fu, new vscode.Position(Math.max(0, f.line - 1), 0)),
              `${f.function} (${which}growth ${st.growth})`,
            ),
          );
        }
      }
      d.relatedInformation = related;
      const key = uri.toString();
      const entry = byFile.get(key) ?? { uri, diags: [] };
      entry.diags.push(d);
      byFile.set(key, entry);
    }
    if (gen !== this.generation) return;
    this.dirs = dirs;
    for (const f of packageFiles) this.staticSeen.set(f, staticSignature(vscode.Uri.file(f)));
    for (const f of [...this.staticSeen.keys()]) if (!dirs.has(path.dirname(f))) this.staticSeen.delete(f);
    this.collection.clear();
    for (const { uri, diags } of byFile.values()) this.collection.set(uri, diags);
    const { hits, misses } = this.facts.stats;
    this.log.debug(
      `runtime diagnostics: ${this.watch.sites.length} sites, ${correlated} explained by static rules ` +
        `(static facts cache: ${hits} hits, ${misses} misses)`,
    );
  }

  /** The rules and Go version of the live linter, or undefined when it is off or its rule list is invalid. */
  private engineOptions(): { rules: readonly Rule[]; goVersion: string | undefined } | undefined {
    const s = readAnalysisSettings();
    if (!s.enabled) return undefined;
    try {
      const rules = selectRules(s.rules.length > 0 ? s.rules : undefined);
      this.lastRulesProblem = undefined;
      return { rules, goVersion: s.goVersion };
    } catch (err) {
      const msg = String(err);
      if (msg !== this.lastRulesProblem) this.log.warn(`runtime diagnostics: leakhunt.analysis.rules: ${msg}`);
      this.lastRulesProblem = msg;
      return undefined;
    }
  }

  /** Whether a document is a Go file of a package the current diagnostics were computed from. */
  private feeds(uri: vscode.Uri): boolean {
    return uri.scheme === 'file' && uri.fsPath.endsWith('.go') && this.dirs.has(path.dirname(uri.fsPath));
  }

  private diagnosticsChanged(uris: readonly vscode.Uri[]): void {
    let changed = false;
    for (const uri of uris) {
      if (!this.feeds(uri)) continue;
      const sig = staticSignature(uri);
      if (this.staticSeen.get(uri.fsPath) === sig) continue;
      this.staticSeen.set(uri.fsPath, sig);
      changed = true;
    }
    if (changed) this.schedule();
  }

  private run(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    void this.refresh().catch((e: unknown) => this.log.warn(`runtime diagnostics: ${String(e)}`));
  }

  /** Coalesces bursts (typing, a scan publishing many files) into one refresh after the linter's debounce. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), readAnalysisSettings().debounceMs + 100);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.generation++;
    for (const s of this.subs) s.dispose();
    this.collection.dispose();
    this.facts.dispose();
  }
}
