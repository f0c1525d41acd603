import * as path from 'node:path';
import * as vscode from 'vscode';
import { scanWorkspace } from '../../core/analysis/workspaceScanner';
import type { PatchCheck } from '../../core/hotpatch/patchCheck';
import {
  hotpatchPool,
  localAccess,
  rollbackPool,
  type HotpatchResult,
  type TargetAccess,
} from '../../core/hotpatch/patchPool';
import {
  binarySymbolNames,
  listGoProcesses,
  listPatchVariables,
  symbolNamesOf,
  type PatchVariable,
} from '../../core/hotpatch/patchTargets';
import { rankPoolsByFindings } from '../../core/hotpatch/rankPools';
import { remoteAccess, sshShell } from '../../core/hotpatch/remoteAccess';
import { targetOpenOptions, type TargetConfig } from '../../core/editor/targetConfig';
import { openTarget } from '../../core/remote/openTarget';
import { SshTarget } from '../../core/remote/sshTarget';
import { silentLogger } from '../../core/remote/traceLogger';
import type { WatchPrompts } from '../watch/watchController';
import { readWatchSettings } from '../watch/watchSettings';

/** The command id of "Leakhunt: Hot Patch sync.Pool.New...". */
export const HOT_PATCH_POOL_COMMAND = 'leakhunt.hotPatchPool';

/** The command id of "Leakhunt: Roll Back Last Hot Patch". */
export const ROLLBACK_HOT_PATCH_COMMAND = 'leakhunt.rollbackHotPatch';

/** What the hot-patch commands need from the extension. */
export interface HotPatchCommandContext {
  log: vscode.LogOutputChannel;
  /** Path of dlv (setting `leakhunt.dlvPath`); undefined means dlv on PATH. */
  dlvPath(): string | undefined;
  /** SSH secret prompts (SecretStorage-backed) and the unknown-host-key modal, shared with watching. */
  prompts: WatchPrompts;
}

/** Optional preselection (from the code lens, or a test driving the command): skips the matching pickers. */
export interface HotPatchArgs {
  /** Local pid to patch (skips the target and process pickers). */
  pid?: number;
  /** Pool variable, e.g. `example.com/app/pool.BufPool`. */
  pool?: string;
}

/** Where a patch goes: this machine, or a `leakhunt.targets` ssh:// entry. */
type PatchTarget = { kind: 'local' } | { kind: 'ssh'; config: TargetConfig };

/** An opened target: how to reach the process, its pid, and how to let go of the connection. */
interface OpenedPatchTarget {
  access: TargetAccess;
  pid: number;
  /** Names the process in the modal and messages. */
  describe: string;
  close(): void;
}

/** The last patch applied from this window, for the rollback command. */
let lastPatch: { target: PatchTarget; pid: number; describe: string } | undefined;

function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function auditDir(root: string): string {
  return path.join(root, '.leakhunt');
}

function checkLines(checks: PatchCheck[]): string {
  return checks.map((c) => `${c.passed ? '✓' : '✗'} ${c.name}: ${c.detail}`).join('\n');
}

/** Every check's result goes to the log (shown), and the outcome to a notification with frozenMs and the new value. */
function report(log: vscode.LogOutputChannel, verb: string, what: string, r: HotpatchResult): void {
  log.info(
    `${verb} ${what}: applied=${r.applied} refused=${r.refused} frozenMs=${r.frozenMs ?? '-'} ` +
      `before=${r.before?.function ?? '-'} after=${r.after?.function ?? '-'}\n${checkLines(r.checks)}`,
  );
  if (r.applied) {
    void vscode.window.showInformationMessage(
      `${verb} applied to ${what}: New is now ${r.after?.function ?? '?'} (read back and verified); ` +
        `the target was frozen ${r.frozenMs ?? '?'} ms.`,
    );
    return;
  }
  log.show(true);
  const failed = r.checks.filter((c) => !c.passed);
  const detail = failed.length > 0 ? ` Failed: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}` : '';
  if (r.errorCode === 'declined') void vscode.window.showInformationMessage(`${verb} cancelled; nothing was written.`);
  else void vscode.window.showErrorMessage(`${verb} not applied: ${r.error ?? 'refused'}.${detail}`);
}

async function pickTarget(): Promise<PatchTarget | undefined> {
  const ssh = readWatchSettings().targets.filter((t) => t.spec.kind === 'ssh');
  if (ssh.length === 0) return { kind: 'local' };
  const pick = await vscode.window.showQuickPick(
    [
      { label: 'This machine', description: 'a local Go process', target: { kind: 'local' } as PatchTarget },
      ...ssh.map((t) => ({
        label: t.name,
        description: t.url,
        detail: t.container ? `container ${t.container}` : t.pid ? `pid ${t.pid}` : 'pid asked next',
        target: { kind: 'ssh', config: t } as PatchTarget,
      })),
    ],
    { title: 'Hot patch: target', placeHolder: 'where the Go process runs (leakhunt.targets)' },
  );
  return pick?.target;
}

async function openLocal(): Promise<OpenedPatchTarget | undefined> {
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
  if (!proc) return undefined;
  return {
    access: localAccess(),
    pid: proc.p.pid,
    describe: `process ${proc.p.pid} (${proc.p.exe})`,
    close: () => undefined,
  };
}

/** Connects like watching does (same settings and prompts); the pid comes from the entry, its container, or the user. */
async function openSsh(
  t: TargetConfig,
  prompts: WatchPrompts,
  knownPid?: number,
): Promise<OpenedPatchTarget | undefined> {
  const settings = readWatchSettings();
  const opened = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Hot patch: connecting to ${t.name}` },
    () =>
      openTarget(
        targetOpenOptions(t, {
          knownHosts: settings.knownHostsFile,
          sshConfig: settings.sshConfigFile,
          agentSocket: process.env['SSH_AUTH_SOCK'],
          auth: prompts.auth,
          onUnknownHostKey: (info) => prompts.unknownHostKey(info),
          logger: silentLogger,
        }),
      ),
  );
  const close = (): void => void opened.target.close();
  if (!(opened.target instanceof SshTarget)) {
    close();
    throw new Error(`${t.name} is not an ssh:// target`);
  }
  let pid = knownPid ?? opened.pid;
  if (pid === undefined) {
    const text = await vscode.window.showInputBox({
      title: `Hot patch: process id on ${t.name}`,
      prompt: 'PID of the Go process (it must belong to the SSH login user)',
      validateInput: (v) => (/^[1-9][0-9]{0,6}$/.test(v.trim()) ? undefined : 'a positive process id'),
    });
    pid = text ? Number(text.trim()) : undefined;
  }
  if (pid === undefined) {
    close();
    return undefined;
  }
  const conn = await opened.target.session.connection();
  const label = opened.target.label.split(' → ')[0] ?? t.url;
  return {
    access: remoteAccess(sshShell(conn, label)),
    pid,
    describe: `process ${pid} on ${t.name}${opened.container ? ` (container ${opened.container.name})` : ''}`,
    close,
  };
}

function openPatchTarget(t: PatchTarget, prompts: WatchPrompts): Promise<OpenedPatchTarget | undefined> {
  return t.kind === 'local' ? openLocal() : openSsh(t.config, prompts);
}

/** Pools first that the static `pool-misuse` rule flags (with the finding as detail), then the rest. */
async function poolItems(root: string, vars: PatchVariable[]): Promise<(vscode.QuickPickItem & { name: string })[]> {
  const pools = vars.filter((v) => v.kind === 'pool');
  const scan = await scanWorkspace([root], { rules: ['pool-misuse'], threads: 0 }).catch(() => undefined);
  return rankPoolsByFindings(pools, scan?.findings ?? [], root).map((r) => ({
    label: r.findings.length > 0 ? `$(warning) ${r.pool.name}` : r.pool.name,
    name: r.pool.name,
    description: `${path.relative(root, r.pool.file)}:${r.pool.line}`,
    ...(r.findings[0] ? { detail: `pool-misuse: ${r.findings[0].message}` } : {}),
  }));
}

/**
 * "Hot Patch sync.Pool.New...": pick the target (this machine, or an ssh:// entry of `leakhunt.targets`) and the
 * process, the pool (static pool-misuse findings first) and a `func() any` candidate the binary kept; every check runs
 * while the target keeps running, a modal naming the process asks to apply, and the result reports frozenMs and the
 * read-back value. The audit goes to the workspace's `.leakhunt/audit.jsonl`.
 */
export function hotPatchPoolCommand(ctx: HotPatchCommandContext) {
  return async (args?: HotPatchArgs): Promise<void> => {
    const root = workspaceRoot();
    if (!root) {
      void vscode.window.showErrorMessage('Open the Go module of the target as a workspace folder first.');
      return;
    }
    const presetPid =
      typeof args?.pid === 'number' && Number.isSafeInteger(args.pid) && args.pid > 0 ? args.pid : undefined;
    const target = presetPid !== undefined ? ({ kind: 'local' } as const) : await pickTarget();
    if (!target) return;
    let opened: OpenedPatchTarget | undefined;
    try {
      opened =
        presetPid !== undefined
          ? {
              access: localAccess(),
              pid: presetPid,
              describe: `process ${presetPid} (${(await localAccess().facts(presetPid)).exe})`,
              close: () => undefined,
            }
          : await openPatchTarget(target, ctx.prompts);
      if (!opened) return;
      const o = opened;
      const facts = await o.access.facts(o.pid);
      const symbols =
        target.kind === 'local'
          ? await binarySymbolNames(`/proc/${o.pid}/exe`)
          : await symbolNamesOf(await o.access.openBinary(o.pid, facts));
      const vars = await listPatchVariables(root, symbols);
      const items = await poolItems(root, vars);
      const preset = items.find((i) => i.name === args?.pool);
      const pool =
        preset ??
        (await vscode.window.showQuickPick(items, {
          title: 'Hot patch: sync.Pool variable',
          placeHolder: 'pools flagged by pool-misuse come first',
          matchOnDetail: true,
        }));
      if (!pool) return;
      const cand = await vscode.window.showQuickPick(
        vars
          .filter((v) => v.kind === 'candidate')
          .map((v) => ({ label: v.name, description: `${path.relative(root, v.file)}:${v.line}` })),
        { title: 'Hot patch: replacement New (a func() any variable the binary keeps)' },
      );
      if (!cand) return;
      const dlv = ctx.dlvPath();
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Hot patch', cancellable: false },
        (progress) =>
          hotpatchPool({
            pid: o.pid,
            pool: pool.name,
            with: cand.label,
            source: root,
            access: o.access,
            auditDir: auditDir(root),
            ...(dlv ? { dlvPath: dlv } : {}),
            onProgress: (m) => progress.report({ message: m }),
            confirm: async (summary, checks) => {
              const yes = 'Apply';
              const pick = await vscode.window.showWarningMessage(
                `Hot patch ${o.describe}?`,
                {
                  modal: true,
                  detail: `${summary}\n\nThe target is halted only for the write.\n\nEvery check passed:\n${checkLines(checks)}`,
                },
                yes,
              );
              return pick === yes;
            },
          }),
      );
      if (result.applied) lastPatch = { target, pid: o.pid, describe: o.describe };
      report(ctx.log, 'Hot patch', o.describe, result);
    } catch (e) {
      ctx.log.error(`hot patch: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Hot patch not applied: ${(e as Error).message}`);
    } finally {
      opened?.close();
    }
  };
}

/** "Roll Back Last Hot Patch": restores the New recorded before the last patch made from this window. */
export function rollbackHotPatchCommand(ctx: HotPatchCommandContext) {
  return async (): Promise<void> => {
    const root = workspaceRoot();
    const last = lastPatch;
    if (!root || !last) {
      void vscode.window.showErrorMessage('No hot patch was applied from this window.');
      return;
    }
    let opened: OpenedPatchTarget | undefined;
    try {
      opened =
        last.target.kind === 'local'
          ? { access: localAccess(), pid: last.pid, describe: last.describe, close: () => undefined }
          : await openSsh(last.target.config, ctx.prompts, last.pid);
      if (!opened) return;
      const access = opened.access;
      const dlv = ctx.dlvPath();
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Roll back hot patch' },
        () =>
          rollbackPool({
            pid: last.pid,
            access,
            auditDir: auditDir(root),
            ...(dlv ? { dlvPath: dlv } : {}),
            confirm: async (summary) =>
              (await vscode.window.showWarningMessage(
                `Roll back the hot patch of ${last.describe}?`,
                { modal: true, detail: summary },
                'Roll Back',
              )) === 'Roll Back',
          }),
      );
      if (result.applied) lastPatch = undefined;
      report(ctx.log, 'Rollback', last.describe, result);
    } catch (e) {
      ctx.log.error(`rollback: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Rollback not applied: ${(e as Error).message}`);
    } finally {
      opened?.close();
    }
  };
}
