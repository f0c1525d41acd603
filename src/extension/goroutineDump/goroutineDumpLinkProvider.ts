import * as vscode from 'vscode';
import type { WorkspacePathResolver } from '../pathMapping/workspacePathResolver';
import { findSourceFrames } from './findSourceFrames';

/** Makes the `file:line` frames of goroutine dumps clickable when they map to a file in the workspace. */
export class GoroutineDumpLinkProvider implements vscode.DocumentLinkProvider {
  constructor(private readonly resolver: WorkspacePathResolver) {}

  async provideDocumentLinks(
    document: vscode.TextDocument,
    token: vscode.CancellationToken,
  ): Promise<vscode.DocumentLink[]> {
    const mapper = await this.resolver.current();
    const links: vscode.DocumentLink[] = [];
    const checked = new Map<string, boolean>();
    for (const f of findSourceFrames(document.getText())) {
      if (token.isCancellationRequested) break;
      const local = mapper.map(f.file);
      if (local === undefined) continue;
      let ok = checked.get(local);
      if (ok === undefined) {
        ok = await this.resolver.insideWorkspaceForReal(local);
        checked.set(local, ok);
      }
      if (!ok) continue;
      const target = vscode.Uri.file(local).with({ fragment: `L${f.sourceLine}` });
      const link = new vscode.DocumentLink(new vscode.Range(f.line, f.start, f.line, f.end), target);
      link.tooltip = `Open ${vscode.workspace.asRelativePath(local)}:${f.sourceLine}`;
      links.push(link);
    }
    return links;
  }
}

/** Registers the goroutine-dump link provider for the `goroutines` language. */
export function registerGoroutineDumpLinks(context: vscode.ExtensionContext, resolver: WorkspacePathResolver): void {
  context.subscriptions.push(
    vscode.languages.registerDocumentLinkProvider({ language: 'goroutines' }, new GoroutineDumpLinkProvider(resolver)),
  );
}
