import * as path from 'node:path';
import type { Node, Parser, Tree } from 'web-tree-sitter';
import type { Finding, SkippedFile } from './finding';
import { compareFindings } from './finding';
import { PackageIndex } from './packageIndex';
import type { FileContext, PackageContext, QuickFix, Rule } from './rule';
import { allRules } from './rules/index';
import { ScopeResolver } from './scope';
import { findSuppressions, INVALID_SUPPRESSION, suppresses, type Suppression } from './suppression';

/** One Go source file handed to the analyzer: its path (as it should appear in findings) and its text. */
export interface SourceFile {
  path: string;
  text: string;
  /** An already parsed tree for `text` (the editor keeps one for incremental reparsing); not deleted by the analyzer. */
  tree?: Tree;
}

/** Options for one analysis run. */
export interface AnalyzeOptions {
  /** The rules to run; all rules by default. */
  rules?: readonly Rule[];
  /** The `go` directive of the governing go.mod, e.g. `1.22`; some rules depend on it. */
  goVersion?: string | undefined;
  /** Report files with syntax errors as skipped instead of analysing them. Default true. */
  skipFilesWithErrors?: boolean;
  /** Only findings in this file are wanted (the editor's document); per-file checks skip the other files. */
  only?: string;
}

/** A finding plus the mechanical fixes the editor can offer for it. */
export interface FindingWithFixes extends Finding {
  fixes: QuickFix[];
}

/** What analysing one package produced: findings (sorted), files skipped with the reason, and files parsed. */
export interface PackageResult {
  findings: FindingWithFixes[];
  skipped: SkippedFile[];
  parsed: number;
}

/** Whether any of the rules (or a suppression comment) could fire on this text; files that fail are never parsed. */
export function worthParsing(text: string, rules: readonly Rule[]): boolean {
  return combinedTrigger(rules).test(text);
}

const combined = new WeakMap<readonly Rule[], RegExp>();

/** One regex for all the rules' triggers and the suppression marker, so a file is scanned once, not once per rule. */
function combinedTrigger(rules: readonly Rule[]): RegExp {
  let re = combined.get(rules);
  if (!re) {
    re = new RegExp(['leakhunt:ignore', ...rules.map((r) => r.trigger.source)].join('|'), 'm');
    combined.set(rules, re);
  }
  return re;
}

/**
 * Analyses the files of one Go package (one directory) together, so package-level facts (vars, struct types, Deletes
 * in other files) are seen. Files no enabled rule could fire on are not parsed at all.
 */
export function analyzePackage(parser: Parser, files: readonly SourceFile[], opts: AnalyzeOptions = {}): PackageResult {
  const rules = opts.rules ?? allRules;
  const skipped: SkippedFile[] = [];
  const owned: Tree[] = [];
  const parsedFiles: { src: SourceFile; tree: Tree }[] = [];
  const unparsedTexts: string[] = [];
  try {
    for (const src of files) {
      if (!worthParsing(src.text, rules)) {
        unparsedTexts.push(src.text);
        continue;
      }
      let tree = src.tree;
      if (!tree) {
        tree = parser.parse(src.text) ?? undefined;
        if (!tree) {
          skipped.push({ file: src.path, reason: 'the parser gave up' });
          continue;
        }
        owned.push(tree);
      }
      if (tree.rootNode.hasError && opts.skipFilesWithErrors !== false) {
        skipped.push({ file: src.path, reason: `syntax error near line ${firstErrorLine(tree.rootNode)}` });
        continue;
      }
      parsedFiles.push({ src, tree });
    }
    const index = new PackageIndex(
      parsedFiles.map((f) => f.tree.rootNode),
      parsedFiles.map((f) => f.src.text),
    );
    const contexts: FileContext[] = parsedFiles.map(({ src, tree }) => ({
      path: src.path,
      text: src.text,
      tree,
      root: tree.rootNode,
      scopes: new ScopeResolver(index),
    }));
    const pkg: PackageContext = { index, files: contexts, goVersion: opts.goVersion, unparsedTexts };
    const findings = runRules(pkg, rules, opts.only, skipped);
    return { findings, skipped, parsed: parsedFiles.length };
  } finally {
    for (const t of owned) t.delete();
  }
}

/** Runs the rules; a rule that throws (a bug of ours) is reported against the file and the other rules go on. */
function runRules(
  pkg: PackageContext,
  rules: readonly Rule[],
  only: string | undefined,
  failures: SkippedFile[],
): FindingWithFixes[] {
  const raw: { file: FileContext; rule: Rule; node: Node; message: string; fixes: QuickFix[] }[] = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    const report = (file: FileContext, node: Node, detail?: { message?: string; fixes?: QuickFix[] }): void => {
      const key = `${rule.id}:${file.path}:${node.startIndex}:${node.endIndex}`;
      if (seen.has(key)) return;
      seen.add(key);
      raw.push({ file, rule, node, message: detail?.message ?? rule.message, fixes: detail?.fixes ?? [] });
    };
    const guarded = (where: string, run: () => void): void => {
      try {
        run();
      } catch (err) {
        failures.push({
          file: where,
          reason: `rule ${rule.id} failed: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    };
    for (const file of pkg.files)
      if (rule.checkFile && (only === undefined || file.path === only) && rule.trigger.test(file.text))
        guarded(file.path, () => rule.checkFile!(file, pkg, report));
    if (rule.checkPackage && pkg.files.some((f) => rule.trigger.test(f.text)))
      guarded(pkg.files[0]?.path ?? '', () => rule.checkPackage!(pkg, report));
  }
  const suppressions = new Map<FileContext, Suppression[]>();
  for (const f of pkg.files) suppressions.set(f, findSuppressions(f.root, f.text));
  const known = new Set(allRules.map((r) => r.id));
  const out: FindingWithFixes[] = [];
  for (const r of raw) {
    if (only !== undefined && r.file.path !== only) continue;
    const line = r.node.startPosition.row;
    if (suppressions.get(r.file)?.some((s) => suppresses(s, r.rule.id, line))) continue;
    out.push({
      ...toFinding(r.file.path, r.node, r.rule.id, r.rule.severity, r.message),
      fixes: [...r.fixes, suppressionFix(r.file.text, line, r.rule.id)],
    });
  }
  for (const [file, list] of suppressions) {
    if (only !== undefined && file.path !== only) continue;
    for (const s of list) {
      const problem = !known.has(s.rule)
        ? s.rule === ''
          ? 'names no rule'
          : `names unknown rule '${s.rule}'`
        : s.reason === ''
          ? 'gives no reason'
          : undefined;
      if (problem)
        out.push({
          ...toFinding(
            file.path,
            s.node,
            INVALID_SUPPRESSION,
            'warning',
            `this suppression ${problem}; write //leakhunt:ignore RULE reason`,
          ),
          fixes: [],
        });
    }
  }
  return out.sort(compareFindings);
}

/** Converts a node's 0-based tree-sitter range to a 1-based finding. */
export function toFinding(
  file: string,
  node: Node,
  rule: string,
  severity: Finding['severity'],
  message: string,
): Finding {
  return {
    rule,
    file,
    line: node.startPosition.row + 1,
    column: node.startPosition.column + 1,
    endLine: node.endPosition.row + 1,
    endColumn: node.endPosition.column + 1,
    severity,
    message,
  };
}

/** The fix that inserts `//leakhunt:ignore RULE reason` above the finding's line, with the line's indentation. */
export function suppressionFix(text: string, line: number, rule: string): QuickFix {
  const lineText = text.split('\n', line + 1)[line] ?? '';
  const indent = /^[ \t]*/.exec(lineText)?.[0] ?? '';
  return {
    title: `Suppress ${rule} here (leakhunt:ignore)`,
    edits: [
      {
        startLine: line,
        startCharacter: 0,
        endLine: line,
        endCharacter: 0,
        newText: `${indent}//leakhunt:ignore ${rule} TODO: say why this is not a leak\n`,
      },
    ],
  };
}

function firstErrorLine(root: Node): number {
  const err = root.descendantsOfType('ERROR')[0];
  if (err) return err.startPosition.row + 1;
  let n: Node | null = root;
  while (n) {
    if (n.isMissing) return n.startPosition.row + 1;
    n = n.namedChildren.find((c) => c?.hasError || c?.isMissing) ?? null;
  }
  return 1;
}

/** A display path relative to `base` when it lies inside it, else absolute; used for findings' `file`. */
export function displayPath(file: string, base: string): string {
  const rel = path.relative(base, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
