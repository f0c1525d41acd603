import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { dashboardHtml, makeNonce } from './dashboardHtml';
import { parseWebviewMessage, type HostMessage, type WebviewMessage } from './dashboardMessages';

/**
 * Configures a webview (panel or custom editor) to run a dashboard: scripts on, only dist/media readable, CSP'd HTML.
 * `entry` names the bundle (dist/media/ENTRY.js and .css): `dashboard` for profiles, `seriesDashboard` for a series.
 */
export function setupDashboardWebview(webview: vscode.Webview, extensionUri: vscode.Uri, entry = 'dashboard'): void {
  const media = vscode.Uri.joinPath(extensionUri, 'dist', 'media');
  webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [media] };
  webview.html = dashboardHtml({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, `${entry}.js`)).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, `${entry}.css`)).toString(),
    nonce: makeNonce((n) => randomBytes(n)),
  });
}

/** Sends one typed message to the dashboard; the only way the host talks to it. */
export function postToDashboard(webview: vscode.Webview, message: HostMessage): Thenable<boolean> {
  return webview.postMessage(message);
}

/** Subscribes to validated messages from the dashboard; malformed ones are logged and dropped. */
export function onDashboardMessage(
  webview: vscode.Webview,
  log: vscode.LogOutputChannel,
  handler: (message: WebviewMessage) => void | Promise<void>,
): vscode.Disposable {
  return webview.onDidReceiveMessage(async (raw: unknown) => {
    const message = parseWebviewMessage(raw);
    if (!message) {
      log.warn('dashboard: dropped a malformed message from the webview');
      return;
    }
    try {
      await handler(message);
    } catch (e) {
      log.error(`dashboard: ${message.type} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}
