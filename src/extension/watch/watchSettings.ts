import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parseTargetConfigs, type TargetConfig, type TargetConfigProblem } from '../../core/editor/targetConfig';
import { thresholdConfig, type ThresholdConfig } from '../../core/editor/thresholdSettings';
import { DEFAULT_WINDOW } from '../../core/series/snapshotSeries';

/** Default of `leakhunt.keepSeries`. */
export const DEFAULT_KEEP_SERIES = 10;

/** The watch-related settings, read fresh on every use so edits apply to the next start. */
export interface WatchSettings {
  targets: TargetConfig[];
  problems: TargetConfigProblem[];
  intervalMs: number;
  window: number;
  /** Series folders kept per target (older ones are pruned when a watch starts). */
  keepSeries: number;
  autoWatch: boolean;
  knownHostsFile?: string;
  sshConfigFile?: string;
}

/** Expands a leading `~` and `${workspaceFolder}` in a path setting; empty means unset. */
function settingPath(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const s = v.replace(/^~(?=$|\/)/, os.homedir()).replace(/\$\{workspaceFolder\}/g, ws);
  return path.resolve(ws || os.homedir(), s);
}

/**
 * Reads `leakhunt.targets`, `leakhunt.interval`, `leakhunt.window`, `leakhunt.keepSeries`, `leakhunt.autoWatch` and
 * the SSH file settings.
 */
export function readWatchSettings(): WatchSettings {
  const c = vscode.workspace.getConfiguration('leakhunt');
  const { targets, problems } = parseTargetConfigs(c.get<unknown>('targets'));
  const interval = Number(c.get<number>('interval') ?? 10);
  const window = Math.round(Number(c.get<number>('window') ?? DEFAULT_WINDOW));
  const keep = Math.round(Number(c.get<number>('keepSeries') ?? DEFAULT_KEEP_SERIES));
  const knownHostsFile = settingPath(c.get<string>('ssh.knownHostsFile'));
  const sshConfigFile = settingPath(c.get<string>('ssh.configFile'));
  return {
    targets: targets.map((t) =>
      t.identityFile !== undefined ? { ...t, identityFile: settingPath(t.identityFile) ?? t.identityFile } : t,
    ),
    problems,
    intervalMs: Math.max(0.5, Number.isFinite(interval) ? interval : 10) * 1000,
    window: Math.max(2, Number.isFinite(window) ? window : DEFAULT_WINDOW),
    keepSeries: Math.max(1, Number.isFinite(keep) ? keep : DEFAULT_KEEP_SERIES),
    autoWatch: c.get<boolean>('autoWatch') ?? false,
    ...(knownHostsFile ? { knownHostsFile } : {}),
    ...(sshConfigFile ? { sshConfigFile } : {}),
  };
}

/** Reads the `leakhunt.thresholds.*` settings into a leak config; refused values fall back to defaults, with a problem each. */
export function readThresholdSettings(): ThresholdConfig {
  const c = vscode.workspace.getConfiguration();
  return thresholdConfig((key) => c.get<unknown>(key));
}
