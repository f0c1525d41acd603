import * as vscode from 'vscode';
import { lensTitle } from '../../core/editor/leakSites';
import type { WatchController } from '../watch/watchController';
import { SHOW_LEAK_STACK_COMMAND } from './leakStackDocument';

/** Puts a "⚠ leak … · show leak stack" lens on every blamed line of a watched target in workspace Go files. */
class LeakCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(private readonly watch: WatchController) {
    watch.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const key = doc.uri.toString();
    const lenses: vscode.CodeLens[] = [];
    for (const { site, uri } of this.watch.sites) {
      if (!uri || uri.toString() !== key || site.line < 1 || site.line > doc.lineCount) continue;
      const range = doc.lineAt(site.line - 1).range;
      lenses.push(
        new vscode.CodeLens(range, {
          title: lensTitle(site),
          tooltip: site.reason,
          command: SHOW_LEAK_STACK_COMMAND,
          arguments: [site.id],
        }),
      );
    }
    return lenses;
  }
}

/** Registers the leak code lenses for Go files. */
export function registerLeakCodeLenses(context: vscode.ExtensionContext, watch: WatchController): void {
  context.subscriptions.push(
    vscode.languages.registerCodeLensProvider({ language: 'go', scheme: 'file' }, new LeakCodeLensProvider(watch)),
  );
}
