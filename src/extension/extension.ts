import * as vscode from 'vscode';

/** Called by VS Code when a Go file opens or a Leakhunt command runs; wires every command and provider. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Leak Hunter', { log: true });
  context.subscriptions.push(log);
  log.info('Leak Hunter activated');
}

/** Called by VS Code on shutdown; everything is released through the context's subscriptions. */
export function deactivate(): void {}
