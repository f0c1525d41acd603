import * as vscode from 'vscode';
import { renderStackDocument } from '../../core/editor/leakSites';
import type { WorkspacePathResolver } from '../pathMapping/workspacePathResolver';
import type { WatchController } from '../watch/watchController';

/** URI scheme of the read-only leak stack documents. */
export const LEAK_STACK_SCHEME = 'leakhunt-stack';
/** Language id of the stack documents; its grammar is syntaxes/leakstack.tmLanguage.json. */
export const LEAK_STACK_LANGUAGE = 'leakstack';
/** Command a lens runs to open a site's stack document. */
export const SHOW_LEAK_STACK_COMMAND = 'leakhunt.showLeakStack';

/** The stack document URI of a site: readable path for the tab title, the site id in the query. */
export function leakStackUri(siteId: string, file: string, line: number): vscode.Uri {
  const base = file.split('/').pop() ?? 'site';
  return vscode.Uri.from({
    scheme: LEAK_STACK_SCHEME,
    path: `/${base}-${line}.leakstack`,
    query: new URLSearchParams({ site: siteId }).toString(),
  });
}

/** Serves the stack documents from the controller's latest report and refreshes open ones after every snapshot. */
class LeakStackContentProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly watch: WatchController) {
    watch.onDidChange(() => {
      for (const d of vscode.workspace.textDocuments) if (d.uri.scheme === LEAK_STACK_SCHEME) this.changed.fire(d.uri);
    });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const id = new URLSearchParams(uri.query).get('site') ?? '';
    const found = this.watch.site(id);
    const target = this.watch.target?.name ?? 'target';
    if (!found) return `# the leak site ${id} is not in the latest report of ${target} any more\n`;
    return renderStackDocument(target, [found.site]);
  }
}

/** Makes the `\tfile:line` frames of stack documents links into the workspace (never outside it). */
class LeakStackLinkProvider implements vscode.DocumentLinkProvider {
  constructor(private readonly resolver: WorkspacePathResolver) {}

  async provideDocumentLinks(doc: vscode.TextDocument): Promise<vscode.DocumentLink[]> {
    const links: vscode.DocumentLink[] = [];
    for (let i = 0; i < doc.lineCount; i++) {
      const text = doc.lineAt(i).text;
      const m = /^\t(.+):(\d+)\s*$/.exec(text);
      if (!m) continue;
      const uri = await this.resolver.resolve(m[1] ?? '');
      if (!uri) continue;
      const range = new vscode.Range(i, 1, i, text.trimEnd().length);
      const link = new vscode.DocumentLink(range, uri.with({ fragment: `L${m[2]}` }));
      link.tooltip = `Open ${vscode.workspace.asRelativePath(uri)}:${m[2]}`;
      links.push(link);
    }
    return links;
  }
}

/** Registers the stack document provider, its links and the "show leak stack" command. */
export function registerLeakStackDocuments(
  context: vscode.ExtensionContext,
  watch: WatchController,
  resolver: WorkspacePathResolver,
): void {
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(LEAK_STACK_SCHEME, new LeakStackContentProvider(watch)),
    vscode.languages.registerDocumentLinkProvider(
      { scheme: LEAK_STACK_SCHEME, language: LEAK_STACK_LANGUAGE },
      new LeakStackLinkProvider(resolver),
    ),
    vscode.commands.registerCommand(SHOW_LEAK_STACK_COMMAND, showLeakStack(watch)),
  );
}

/**
 * The "show leak stack" handler: opens the site's stack document beside the code; with a stack index (from the
 * Suspects view), scrolls to that stack.
 */
export function showLeakStack(watch: WatchController) {
  return async (siteId: unknown, stackIndex?: unknown): Promise<void> => {
    const found = typeof siteId === 'string' ? watch.site(siteId) : undefined;
    if (!found) {
      void vscode.window.showWarningMessage('Leak Hunter: that leak site is not in the latest report any more.');
      return;
    }
    const doc = await vscode.workspace.openTextDocument(leakStackUri(found.site.id, found.site.file, found.site.line));
    const typed =
      doc.languageId === LEAK_STACK_LANGUAGE
        ? doc
        : await vscode.languages.setTextDocumentLanguage(doc, LEAK_STACK_LANGUAGE);
    const editor = await vscode.window.showTextDocument(typed, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    if (typeof stackIndex !== 'number' || !Number.isInteger(stackIndex)) return;
    const header = `stack ${stackIndex + 1} of `;
    for (let i = 0; i < typed.lineCount; i++) {
      if (!typed.lineAt(i).text.startsWith(header)) continue;
      const at = new vscode.Range(i, 0, i, typed.lineAt(i).text.length);
      editor.selection = new vscode.Selection(at.start, at.end);
      editor.revealRange(at, vscode.TextEditorRevealType.AtTop);
      return;
    }
  };
}
