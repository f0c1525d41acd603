import * as vscode from 'vscode';

/** The `leakhunt.analysis.*` settings, read fresh on each use so changes apply without a reload. */
export interface AnalysisSettings {
  enabled: boolean;
  rules: string[];
  debounceMs: number;
  skipVendor: boolean;
  skipTestdata: boolean;
  goVersion: string | undefined;
}

/** Reads the analysis settings, with defaults that match the CLI. */
export function readAnalysisSettings(): AnalysisSettings {
  const c = vscode.workspace.getConfiguration('leakhunt.analysis');
  const goVersion = c.get<string>('goVersion', '').trim();
  return {
    enabled: c.get<boolean>('enabled', true),
    rules: c.get<string[]>('rules', []),
    debounceMs: Math.max(0, c.get<number>('debounceMs', 250)),
    skipVendor: c.get<boolean>('skipVendor', true),
    skipTestdata: c.get<boolean>('skipTestdata', true),
    goVersion: /^\d+\.\d+(\.\d+)?$/.test(goVersion) ? goVersion : undefined,
  };
}
