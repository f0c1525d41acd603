import { readFileSync } from 'node:fs';
import type { Parser } from 'web-tree-sitter';
import { analyzePackage, type FindingWithFixes } from './analyzePackage';
import type { SkippedFile } from './finding';
import type { GoPackageFiles } from './findGoFiles';
import { selectRules } from './rules/index';

/** What scanning one package produced; plain data so it can cross a worker boundary. */
export interface PackageScanResult {
  dir: string;
  files: number;
  findings: FindingWithFixes[];
  skipped: SkippedFile[];
}

/** Reads and analyses one package from disk; unreadable files are reported as skipped, never thrown. */
export function scanPackage(
  parser: Parser,
  pkg: GoPackageFiles,
  ruleIds: readonly string[] | undefined,
  goVersionOverride?: string,
): PackageScanResult {
  const skipped: SkippedFile[] = [];
  const sources: { path: string; text: string }[] = [];
  for (const f of pkg.files) {
    try {
      sources.push({ path: f, text: readFileSync(f, 'utf8') });
    } catch (err) {
      skipped.push({ file: f, reason: `cannot read: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  const res = analyzePackage(parser, sources, {
    rules: selectRules(ruleIds),
    goVersion: goVersionOverride ?? pkg.goVersion,
  });
  return { dir: pkg.dir, files: pkg.files.length, findings: res.findings, skipped: [...skipped, ...res.skipped] };
}
