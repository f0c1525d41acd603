/** Inputs of the dashboard page that depend on the webview instance. */
export interface DashboardHtmlOptions {
  /** `webview.cspSource`: the origin the webview serves local resources from. */
  cspSource: string;
  /** `webview.asWebviewUri` of dist/media/dashboard.js. */
  scriptUri: string;
  /** `webview.asWebviewUri` of dist/media/dashboard.css. */
  styleUri: string;
  /** A fresh random nonce; only the script carrying it may run. */
  nonce: string;
}

/** Builds the dashboard's HTML shell: no data, no inline handlers, and a CSP that allows only our nonce'd script. */
export function dashboardHtml(o: DashboardHtmlOptions): string {
  // Profile data never goes into this string; it arrives by postMessage and is rendered with DOM APIs.
  const csp = [
    "default-src 'none'",
    `style-src ${o.cspSource}`,
    `img-src ${o.cspSource} data:`,
    `font-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(o.styleUri)}">
<title>Leak Hunter</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="status">Loading profile…</p></main>
<script nonce="${escapeAttribute(o.nonce)}" src="${escapeAttribute(o.scriptUri)}"></script>
</body>
</html>`;
}

/** Makes a nonce: 32 random alphanumerics, as the CSP spec asks for an unguessable value. */
export function makeNonce(random: (n: number) => Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(random(32), (b) => alphabet[b % alphabet.length]).join('');
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
