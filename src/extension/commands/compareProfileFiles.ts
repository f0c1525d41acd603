import path from 'node:path';
import * as vscode from 'vscode';
import { diff } from '../../core/pprof/diff';
import type { Profile } from '../../core/pprof/profileModel';
import { bindProfileDashboard, type ProfileDashboardDeps } from '../../views/profileDashboard';
import { readProfileUri } from '../../views/profileEditorProvider';
import { pickProfileFile } from './pickProfileFile';

function stem(uri: vscode.Uri): string {
  return path.basename(uri.fsPath).replace(/(\.pb)?(\.gz)?$|\.pprof$/, '');
}

/** The command id of "Leakhunt: Compare Profile Files". */
export const COMPARE_PROFILE_FILES_COMMAND = 'leakhunt.compareProfileFiles';

/**
 * Shows `current − base` of two local profiles in the dashboard, as `go tool pprof -base BASE CURRENT` computes it.
 * Accepts (base, current) URIs, the explorer's (clicked, [two selected]) pair, or asks for both files.
 */
export function compareProfileFiles(deps: ProfileDashboardDeps) {
  return async (first?: unknown, second?: unknown): Promise<void> => {
    let base: vscode.Uri | undefined;
    let current: vscode.Uri | undefined;
    if (Array.isArray(second) && second.length === 2 && second.every((u) => u instanceof vscode.Uri)) {
      [base, current] = second as [vscode.Uri, vscode.Uri];
    } else if (first instanceof vscode.Uri && second instanceof vscode.Uri) {
      [base, current] = [first, second];
    } else {
      base =
        first instanceof vscode.Uri
          ? first
          : await pickProfileFile('Compare Profile Files: pick the BASE (older) profile');
      if (!base) return;
      current = await pickProfileFile(`Compare with ${path.basename(base.fsPath)}: pick the CURRENT (newer) profile`);
    }
    if (!base || !current) return;

    const title = `Δ ${path.basename(current.fsPath)} − ${path.basename(base.fsPath)}`;
    const [b, c] = await Promise.all([readProfileUri(base, deps.log), readProfileUri(current, deps.log)]);
    let profile: Profile | Error;
    if (b instanceof Error) profile = new Error(`base ${path.basename(base.fsPath)}: ${b.message}`);
    else if (c instanceof Error) profile = new Error(`current ${path.basename(current.fsPath)}: ${c.message}`);
    else {
      try {
        profile = diff(b, c);
      } catch (e) {
        profile = e instanceof Error ? e : new Error(String(e));
      }
    }
    deps.log.info(
      `compare ${base.fsPath} -> ${current.fsPath}${profile instanceof Error ? `: ${profile.message}` : ''}`,
    );
    showProfileDiff(deps, title, profile, `diff-${stem(current)}-minus-${stem(base)}.pb.gz`);
  };
}

/** Opens a `current − base` profile (or the error that kept it from being built) in a dashboard panel of its own. */
export function showProfileDiff(
  deps: ProfileDashboardDeps,
  title: string,
  profile: Profile | Error,
  exportName: string,
): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel('leakhunt.profileDiff', title, vscode.ViewColumn.Active, {
    enableScripts: true,
  });
  const subscription = bindProfileDashboard(panel, { title, profile, isDiff: true, exportName }, deps);
  panel.onDidDispose(() => subscription.dispose());
  return panel;
}
