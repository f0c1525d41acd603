import * as path from 'node:path';
import * as vscode from 'vscode';
import { listGoProcesses, listPatchVariables, binarySymbolNames } from '../../core/hotpatch/patchTargets';
import { hotpatchPool, rollbackPool, type HotpatchResult } from '../../core/hotpatch/patchPool';
import type { PatchCheck } from '../../core/hotpatch/patchCheck';

/** The command id of "Leakhunt: Hot Patch sync.Pool.New...". */
export const HOT_PATCH_POOL_COMMAND = 'leakhunt.hotPatchPool';

/** The command id of "Leakhunt: Roll Back Last Hot Patch". */
export const ROLLBACK_HOT_PATCH_COMMAND = 'leakhunt.rollbackHotPatch';

/** What the hot-patch commands need from the extension. */
export interface HotPatchCommandContext {
  log: vscode.LogOutputChannel;
  /** Path of dlv (setting `leakhunt.dlvPath`); undefined means dlv on PATH. */
  dlvPath(): string | undefined;
}

/** The pid patched last in this window, for the rollback command. */
let lastPatchedPid: number | undefined;

function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function auditDir(root: string): string {
  return path.join(root, '.leakhunt');
}

function checkLines(checks: PatchCheck[]): string {
  return checks.map((c) => `${c.passed ? '✓' : '✗'} ${c.name}: ${c.detail}`).join('\n');
}

function report(log: vscode.LogOutputChannel, verb: string, r: HotpatchResult): void {
  log.info(`${verb}: applied=${r.applied} refused=${r.refused} frozenMs=${r.frozenMs ?? '-'}\n${checkLines(r.checks)}`);
  if (r.applied) {
    void vscode.window.showInformationMessage(
      `${verb} applied: New is now ${r.after?.function ?? '?'} (frozen ${r.frozenMs ?? '?'} ms).`,
    );
  } else if (r.error) {
    void vscode.window.showErrorMessage(`${verb} not applied: ${r.error}`);
  }
}

/**
 * "Hot Patch sync.Pool.New...": pick a local Go process, a sync.Pool variable and a func() any candidate (from the
 * workspace sources, filtered to what the binary kept), run every check, confirm in a modal that names the process,
 * and apply with progress. The target keeps running while the modal is open; only the write halts it.
 */
export function hotPatchPoolCommand(ctx: HotPatchCommandContext) {
  return async (): Promise<void> => {
    const root = workspaceRoot();
    if (!root) {
      void vscode.window.showErrorMessage('Open the Go module of the target as a workspace folder first.');
      return;
    }
    const procs = await listGoProcesses();
    const proc = await vscode.window.showQuickPick(
      procs.map((p) => ({
        label: `${p.pid}`,
        description: path.basename(p.exe),
        detail: `${p.goVersion} · ${p.cmdline}`,
        p,
      })),
      { title: 'Hot patch: target process', placeHolder: 'a running Go process on this machine' },
    );
    if (!proc) return;
    let vars;
    try {
      vars = await listPatchVariables(root, await binarySymbolNames(`/proc/${proc.p.pid}/exe`));
    } catch (e) {
      void vscode.window.showErrorMessage(`Cannot read process ${proc.p.pid}: ${(e as Error).message}`);
      return;
    }
    const pool = await vscode.window.showQuickPick(
      vars
        .filter((v) => v.kind === 'pool')
        .map((v) => ({ label: v.name, description: `${path.relative(root, v.file)}:${v.line}` })),
      { title: 'Hot patch: sync.Pool variable' },
    );
    if (!pool) return;
    const cand = await vscode.window.showQuickPick(
      vars
        .filter((v) => v.kind === 'candidate')
        .map((v) => ({ label: v.name, description: `${path.relative(root, v.file)}:${v.line}` })),
      { title: 'Hot patch: replacement New (a func() any variable)' },
    );
    if (!cand) return;
    const dlv = ctx.dlvPath();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Hot patch', cancellable: false },
      (progress) =>
        hotpatchPool({
          pid: proc.p.pid,
          pool: pool.label,
          with: cand.label,
          source: root,
          auditDir: auditDir(root),
          ...(dlv ? { dlvPath: dlv } : {}),
          onProgress: (m) => progress.report({ message: m }),
          confirm: async (summary, checks) => {
            const yes = 'Apply';
            const pick = await vscode.window.showWarningMessage(
              `Hot patch process ${proc.p.pid} (${proc.p.exe})?`,
              { modal: true, detail: `${summary}\n\nEvery check passed:\n${checkLines(checks)}` },
              yes,
            );
            return pick === yes;
          },
        }),
    );
    if (result.applied) lastPatchedPid = proc.p.pid;
    report(ctx.log, 'Hot patch', result);
  };
}

/** "Roll Back Last Hot Patch": restores the New recorded before the last patch made from this window. */
export function rollbackHotPatchCommand(ctx: HotPatchCommandContext) {
  return async (): Promise<void> => {
    const root = workspaceRoot();
    if (!root || lastPatchedPid === undefined) {
      void vscode.window.showErrorMessage('No hot patch was applied from this window.');
      return;
    }
    const pid = lastPatchedPid;
    const dlv = ctx.dlvPath();
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Roll back hot patch' },
      () =>
        rollbackPool({
          pid,
          auditDir: auditDir(root),
          ...(dlv ? { dlvPath: dlv } : {}),
          confirm: async (summary) =>
            (await vscode.window.showWarningMessage(
              `Roll back process ${pid}?`,
              { modal: true, detail: summary },
              'Roll Back',
            )) === 'Roll Back',
        }),
    );
    if (result.applied) lastPatchedPid = undefined;
    report(ctx.log, 'Rollback', result);
  };
}
