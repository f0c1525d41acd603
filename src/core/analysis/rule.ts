import type { Node, Tree } from 'web-tree-sitter';
import type { Severity } from './finding';
import type { PackageIndex } from './packageIndex';
import type { ScopeResolver } from './scope';

/** A text edit in 0-based line/character positions (UTF-16), the shape editors apply directly. */
export interface TextEdit {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
  newText: string;
}

/** A mechanical fix for one finding: a title for the editor's menu and the edits that make it. */
export interface QuickFix {
  title: string;
  edits: TextEdit[];
}

/** One parsed file of the package under analysis, with lazily resolved scopes. */
export interface FileContext {
  path: string;
  text: string;
  tree: Tree;
  root: Node;
  scopes: ScopeResolver;
}

/** All files of one package (one directory) analysed together, plus facts that hold across them. */
export interface PackageContext {
  index: PackageIndex;
  files: FileContext[];
  /** The `go` directive of the governing go.mod, e.g. `1.22`, when known. */
  goVersion: string | undefined;
  /** Texts of the package's files that no rule needed parsed; package-level rules treat any mention there as unknown use. */
  unparsedTexts: readonly string[];
}

/** How a rule reports: the node whose range is shown, an optional more specific message, and fixes. */
export type Reporter = (file: FileContext, node: Node, detail?: { message?: string; fixes?: QuickFix[] }) => void;

/** One static leak rule: stable id, one-line message, severity, the documentation shown on hover, and its checks. */
export interface Rule {
  id: string;
  message: string;
  severity: Severity;
  docs: string;
  /** Cheap text prefilter: the rule can only fire in a file (or package) whose text matches. */
  trigger: RegExp;
  /** Checks one file; the package context gives cross-file declarations. */
  checkFile?(file: FileContext, pkg: PackageContext, report: Reporter): void;
  /** Checks facts that only hold for the package as a whole, after every file is parsed. */
  checkPackage?(pkg: PackageContext, report: Reporter): void;
}

/** Compares a `go` directive such as `1.22` or `1.21.3` with a major.minor threshold. */
export function goVersionAtLeast(version: string | undefined, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > major || (maj === major && min >= minor);
}
