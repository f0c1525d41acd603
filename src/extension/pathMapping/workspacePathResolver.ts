import { realpath } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { isInside, SuffixPathMapper, type GoModule, type PathMapping } from './suffixPathMapper';

/**
 * Resolves profile source paths to workspace files for links, the dashboard and (later) code lenses.
 *
 * It keeps one `SuffixPathMapper` over the workspace's Go sources, rebuilt when files are created or deleted,
 * the folders change, or `leakhunt.pathMappings` changes. A final realpath check keeps symlinks in the
 * workspace from leading outside it.
 */
export class WorkspacePathResolver implements vscode.Disposable {
  private mapper: Promise<SuffixPathMapper> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{go,s}', false, true, false);
    const goMods = vscode.workspace.createFileSystemWatcher('**/go.mod');
    const reset = (): void => {
      this.mapper = undefined;
    };
    this.disposables.push(
      watcher,
      watcher.onDidCreate(reset),
      watcher.onDidDelete(reset),
      goMods,
      goMods.onDidCreate(reset),
      goMods.onDidChange(reset),
      goMods.onDidDelete(reset),
      vscode.workspace.onDidChangeWorkspaceFolders(reset),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('leakhunt.pathMappings')) reset();
      }),
    );
  }

  /** Returns the workspace file a profile path maps to, or `undefined` if none does. */
  async resolve(profilePath: string): Promise<vscode.Uri | undefined> {
    const mapper = await this.current();
    const local = mapper.map(profilePath);
    if (local === undefined) return undefined;
    return (await this.insideWorkspaceForReal(local)) ? vscode.Uri.file(local) : undefined;
  }

  /** The current mapper, for callers that resolve many paths at once (e.g. every frame of a dump). */
  current(): Promise<SuffixPathMapper> {
    this.mapper ??= this.build();
    return this.mapper;
  }

  /** Checks after resolving symlinks that the file is still inside a workspace folder. */
  async insideWorkspaceForReal(file: string): Promise<boolean> {
    const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    try {
      const real = await realpath(file);
      for (const r of roots) if (isInside(await realpath(r.uri.fsPath), real)) return true;
    } catch {
      return false;
    }
    this.log.warn(`not opening ${file}: it resolves outside the workspace`);
    return false;
  }

  private async build(): Promise<SuffixPathMapper> {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    const roots = folders.map((f) => f.uri.fsPath);
    const uris = await vscode.workspace.findFiles('**/*.{go,s}', '**/{node_modules,.git}/**', 200_000);
    const modules = await readGoModules();
    const mapper = new SuffixPathMapper(
      roots,
      uris.map((u) => u.fsPath),
      readMappings(roots[0]),
      modules,
    );
    this.log.debug(
      `path mapper: ${uris.length} source files, ${modules.length} Go module(s) in ${roots.length} folder(s)`,
    );
    return mapper;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Finds the workspace's Go modules from their go.mod `module` lines (vendored and testdata copies included). */
async function readGoModules(): Promise<GoModule[]> {
  const out: GoModule[] = [];
  for (const uri of await vscode.workspace.findFiles('**/go.mod', '**/node_modules/**', 1000)) {
    try {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const m = /^\s*module\s+"?([^\s"]+)"?/m.exec(text);
      if (m) out.push({ path: m[1]!, dir: path.dirname(uri.fsPath) });
    } catch {
      // A go.mod that vanished or cannot be read just does not take part in mapping.
    }
  }
  return out;
}

/** Reads `leakhunt.pathMappings` (`{ "/build/prefix": "${workspaceFolder}/local" }`) into absolute mappings. */
function readMappings(firstRoot: string | undefined): PathMapping[] {
  const raw = vscode.workspace.getConfiguration('leakhunt').get<Record<string, unknown>>('pathMappings') ?? {};
  const out: PathMapping[] = [];
  for (const [from, to] of Object.entries(raw)) {
    if (typeof to !== 'string') continue;
    const expanded = firstRoot ? to.replace(/\$\{workspaceFolder\}/g, firstRoot) : to;
    if (!path.isAbsolute(expanded) && firstRoot === undefined) continue;
    out.push({ from, to: path.resolve(firstRoot ?? '/', expanded) });
  }
  return out;
}
