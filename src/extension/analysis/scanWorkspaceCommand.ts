import * as vscode from 'vscode';
import { ScanAbortedError, scanWorkspace } from '../../core/analysis/workspaceScanner';
import { readAnalysisSettings } from './analysisSettings';
import { toDiagnostic } from './findingConversion';

/** Command id of "Leakhunt: Scan Workspace". */
export const SCAN_WORKSPACE_COMMAND = 'leakhunt.analysis.scanWorkspace';

/**
 * Factory for the scan command: runs every rule over the workspace's .go files in worker threads, with a cancellable
 * progress notification, and puts the results into `collection` (open documents keep their live diagnostics).
 */
export function scanWorkspaceCommand(deps: {
  collection: vscode.DiagnosticCollection;
  log: vscode.LogOutputChannel;
  isLive: (uri: vscode.Uri) => boolean;
}): () => Promise<void> {
  return async () => {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    if (folders.length === 0) {
      void vscode.window.showInformationMessage('Leak Hunter: open a folder to scan.');
      return;
    }
    const s = readAnalysisSettings();
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Leak Hunter: scanning Go files', cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        const sub = token.onCancellationRequested(() => ac.abort());
        let last = 0;
        try {
          const t0 = performance.now();
          const res = await scanWorkspace(
            folders.map((f) => f.uri.fsPath),
            {
              ...(s.rules.length > 0 ? { rules: s.rules } : {}),
              ...(s.goVersion ? { goVersion: s.goVersion } : {}),
              skipVendor: s.skipVendor,
              skipTestdata: s.skipTestdata,
              signal: ac.signal,
              onProgress: (done, total) => {
                const pct = total === 0 ? 100 : (100 * done) / total;
                progress.report({ increment: pct - last, message: `${done} / ${total} files` });
                last = pct;
              },
            },
          );
          deps.collection.clear();
          const byFile = new Map<string, vscode.Diagnostic[]>();
          for (const f of res.findings) {
            const list = byFile.get(f.file) ?? [];
            list.push(toDiagnostic(f));
            byFile.set(f.file, list);
          }
          for (const [file, diags] of byFile) {
            const uri = vscode.Uri.file(file);
            if (!deps.isLive(uri)) deps.collection.set(uri, diags);
          }
          for (const sk of res.skipped) deps.log.warn(`leak rules: skipped ${sk.file}: ${sk.reason}`);
          const secs = ((performance.now() - t0) / 1000).toFixed(1);
          deps.log.info(`leak rules: scanned ${res.files} files in ${secs} s: ${res.findings.length} findings`);
          void vscode.window.showInformationMessage(
            `Leak Hunter: ${res.findings.length} finding${res.findings.length === 1 ? '' : 's'} in ${res.files} Go files` +
              (res.skipped.length > 0 ? ` (${res.skipped.length} skipped, see the log)` : '') +
              '.',
          );
        } catch (err) {
          if (err instanceof ScanAbortedError) {
            deps.log.info('leak rules: workspace scan cancelled');
            return;
          }
          deps.log.error(`leak rules: workspace scan failed: ${String(err)}`);
          void vscode.window.showErrorMessage(
            `Leak Hunter: the scan failed: ${err instanceof Error ? err.message : String(err)}`,
          );
        } finally {
          sub.dispose();
        }
      },
    );
  };
}
