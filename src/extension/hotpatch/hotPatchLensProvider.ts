import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { scanWorkspace } from '../../core/analysis/workspaceScanner';
import { listPatchVariables, type PatchVariable } from '../../core/hotpatch/patchTargets';
import { poolNewName, rankPoolsByFindings, runtimeFlagsPool, type RankedPool } from '../../core/hotpatch/rankPools';
import { RUNTIME_DIAGNOSTIC_SOURCE } from '../leaks/runtimeDiagnostics';
import { HOT_PATCH_POOL_COMMAND, type HotPatchArgs } from './hotPatchPoolCommand';

/** The folder holding go.mod at or above `dir`, within the workspace folder. */
function moduleRootOf(dir: string, stop: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'go.mod'))) return d;
    if (d === stop || d === path.dirname(d)) return undefined;
  }
}

/**
 * "hot patch New..." lenses on package-level `sync.Pool{New: ...}` variables that the static `pool-misuse` rule flags,
 * or whose New function holds a site the live watch reports as leaking (its runtime diagnostics): the only pools worth
 * patching live. Static results come from the saved files and are recomputed after a save, so the lens never parses
 * the package on every keystroke.
 */
export class HotPatchLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly cache = new Map<string, Promise<{ vars: PatchVariable[]; ranked: RankedPool[] }>>();
  private readonly subscriptions: vscode.Disposable[];
  /** Fired after a save invalidates what was computed. */
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subscriptions = [
      vscode.workspace.onDidSaveTextDocument((d) => {
        if (d.languageId !== 'go') return;
        this.cache.clear();
        this.changed.fire();
      }),
      // A new runtime verdict can add or drop a lens; only Go files matter.
      vscode.languages.onDidChangeDiagnostics((e) => {
        if (e.uris.some((u) => u.path.endsWith('.go'))) this.changed.fire();
      }),
    ];
  }

  private flagged(moduleRoot: string, dir: string): Promise<{ vars: PatchVariable[]; ranked: RankedPool[] }> {
    const key = `${moduleRoot}\0${dir}`;
    let p = this.cache.get(key);
    if (!p) {
      p = (async () => {
        const vars = (await listPatchVariables(moduleRoot)).filter(
          (v) => v.kind === 'pool' && path.dirname(v.file) === dir,
        );
        if (vars.length === 0) return { vars, ranked: [] };
        // Only this package: findings about a pool's New live in its own package.
        const scan = await scanWorkspace([dir], { rules: ['pool-misuse'], threads: 0 });
        return { vars, ranked: rankPoolsByFindings(vars, scan.findings, moduleRoot) };
      })();
      p.catch((e: unknown) => this.log.warn(`hot patch lenses: ${(e as Error).message}`));
      this.cache.set(key, p);
    }
    return p;
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!/\bsync\.Pool\s*\{/.test(doc.getText())) return [];
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.fsPath;
    if (!folder || doc.uri.scheme !== 'file') return [];
    const dir = path.dirname(doc.uri.fsPath);
    const root = moduleRootOf(dir, folder);
    if (!root) return [];
    const { ranked } = await this.flagged(root, dir).catch(() => ({ ranked: [] as RankedPool[] }));
    const text = doc.getText();
    const runtimeLines = vscode.languages
      .getDiagnostics(doc.uri)
      .filter((d) => d.source === RUNTIME_DIAGNOSTIC_SOURCE)
      .map((d) => d.range.start.line + 1);
    const lenses: vscode.CodeLens[] = [];
    for (const r of ranked) {
      if (r.pool.file !== doc.uri.fsPath || r.pool.line > doc.lineCount) continue;
      const runtime = runtimeFlagsPool(poolNewName(r.pool, text), text, runtimeLines);
      if (r.findings.length === 0 && !runtime) continue;
      const why = [
        ...(r.findings[0] ? [`pool-misuse: ${r.findings[0].message}`] : []),
        ...(runtime ? ['the live watch reports its New leaking'] : []),
      ].join('; ');
      const args: HotPatchArgs = { pool: r.pool.name };
      lenses.push(
        new vscode.CodeLens(doc.lineAt(r.pool.line - 1).range, {
          title: 'hot patch New...',
          tooltip: `${why}. Point ${r.pool.name}.New of a running process at a fixed func() any variable.`,
          command: HOT_PATCH_POOL_COMMAND,
          arguments: [args],
        }),
      );
    }
    return lenses;
  }

  dispose(): void {
    for (const d of this.subscriptions) d.dispose();
    this.changed.dispose();
  }
}
