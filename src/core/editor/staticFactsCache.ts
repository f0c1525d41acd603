import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { Parser, Tree } from 'web-tree-sitter';
import { analyzePackage, type FindingWithFixes, type SourceFile } from '../analysis/analyzePackage';
import { createGoParser } from '../analysis/goParser';
import type { Rule } from '../analysis/rule';
import type { StaticFacts } from './correlateFindings';
import { goFunctionsOf, type GoFunction } from './goFunctions';

/** One Go file of a package as the editor sees it: open documents' current text, other files from disk. */
export interface PackageFile {
  path: string;
  text: string;
}

/** The rule selection and Go version the editor lints with (the `leakhunt.analysis.*` settings). */
export interface StaticFactsOptions {
  rules: readonly Rule[];
  goVersion: string | undefined;
}

/** Counters for the log and benchmarks: cache hits, analyses run, and the time the last analysis took. */
export interface StaticFactsStats {
  hits: number;
  misses: number;
  lastAnalysisMs: number;
}

interface PackageEntry {
  key: string;
  findings: Map<string, FindingWithFixes[]>;
}

/** Shared by every file without findings, so callers may compare results by identity. */
const NO_FINDINGS: readonly FindingWithFixes[] = Object.freeze([]);

/** At most this many packages and files are remembered; a leak report rarely names more. */
const MAX_ENTRIES = 64;

/**
 * Runs the static rules over the package of a runtime leak site, from the text given (so unsaved edits count and no
 * file has to be open or scanned), and keeps the result keyed by a hash of every file's text, the rules and the Go
 * version: a new snapshot of an unchanged workspace costs a hash, not a parse. Analysis is the editor's: all files of
 * the directory together (package-level rules), `//leakhunt:ignore` honoured, syntax errors tolerated. The functions
 * of each site file come from the same tree-sitter parse.
 */
export class StaticFactsCache {
  private parser: Promise<Parser> | undefined;
  private readonly packages = new Map<string, PackageEntry>();
  private readonly functions = new Map<string, { hash: string; functions: GoFunction[] }>();
  private disposed = false;
  /** Hit and miss counters, readable at any time. */
  readonly stats: StaticFactsStats = { hits: 0, misses: 0, lastAnalysisMs: 0 };

  /**
   * The findings and functions of `file`, analysed with the other `files` of its package (which must include it).
   * Findings carry `file` as given here.
   */
  async factsFor(files: readonly PackageFile[], file: string, opts: StaticFactsOptions): Promise<StaticFacts> {
    const self = files.find((f) => f.path === file);
    if (!self) throw new Error(`${file} is not among the package files given`);
    const parser = await this.parserOnce();
    if (this.disposed) throw new Error('StaticFactsCache used after dispose()');
    const dir = path.dirname(file);
    const key = packageKey(files, opts);
    const selfHash = hashText(self.text);
    let entry = this.packages.get(dir);
    let fns = this.functions.get(file);
    const needFindings = entry?.key !== key;
    const needFunctions = fns?.hash !== selfHash;
    if (!needFindings && !needFunctions) {
      this.stats.hits++;
      touch(this.packages, dir);
      touch(this.functions, file);
      return { findings: entry!.findings.get(file) ?? NO_FINDINGS, functions: fns!.functions };
    }
    this.stats.misses++;
    const t0 = performance.now();
    let tree: Tree | undefined;
    try {
      tree = parser.parse(self.text) ?? undefined;
      if (needFunctions) {
        fns = { hash: selfHash, functions: tree ? goFunctionsOf(tree.rootNode) : [] };
        remember(this.functions, file, fns);
      }
      if (needFindings) {
        const sources: SourceFile[] = files.map((f) => (f.path === file && tree ? { ...f, tree } : f));
        // As in the editor: a file being typed rarely parses cleanly, and its findings still count.
        const res = analyzePackage(parser, sources, {
          rules: opts.rules,
          goVersion: opts.goVersion,
          skipFilesWithErrors: false,
        });
        const byFile = new Map<string, FindingWithFixes[]>();
        for (const f of res.findings) {
          const list = byFile.get(f.file);
          if (list) list.push(f);
          else byFile.set(f.file, [f]);
        }
        entry = { key, findings: byFile };
        remember(this.packages, dir, entry);
      }
    } finally {
      tree?.delete();
      this.stats.lastAnalysisMs = performance.now() - t0;
    }
    return { findings: entry!.findings.get(file) ?? NO_FINDINGS, functions: fns!.functions };
  }

  /** The functions of one file from its text (cached by content), for callers that take findings from elsewhere. */
  async functionsOf(file: string, text: string): Promise<GoFunction[]> {
    const hash = hashText(text);
    const had = this.functions.get(file);
    if (had?.hash === hash) {
      this.stats.hits++;
      return had.functions;
    }
    this.stats.misses++;
    const parser = await this.parserOnce();
    const tree = parser.parse(text);
    try {
      const functions = tree ? goFunctionsOf(tree.rootNode) : [];
      remember(this.functions, file, { hash, functions });
      return functions;
    } finally {
      tree?.delete();
    }
  }

  /** Forgets every cached result (settings changed, or the caller wants a cold start). */
  clear(): void {
    this.packages.clear();
    this.functions.clear();
  }

  /** Frees the parser; the cache cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clear();
    void this.parser?.then((p) => p.delete()).catch(() => undefined);
  }

  private parserOnce(): Promise<Parser> {
    if (this.disposed) return Promise.reject(new Error('StaticFactsCache used after dispose()'));
    this.parser ??= createGoParser().catch((err: unknown) => {
      this.parser = undefined; // a failed load may be retried
      throw err;
    });
    return this.parser;
  }
}

function hashText(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/** Everything a package's findings depend on: each file's path and text, the rule ids and the Go version. */
function packageKey(files: readonly PackageFile[], opts: StaticFactsOptions): string {
  const h = createHash('sha1');
  h.update(opts.rules.map((r) => r.id).join(','));
  h.update(`\0${opts.goVersion ?? ''}`);
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    h.update(`\0${f.path}\0${f.text.length}\0`);
    h.update(f.text);
  }
  return h.digest('base64');
}

/** Moves a key to the most recently used end. */
function touch<V>(m: Map<string, V>, key: string): void {
  const v = m.get(key);
  if (v === undefined) return;
  m.delete(key);
  m.set(key, v);
}

function remember<V>(m: Map<string, V>, key: string, value: V): void {
  m.delete(key);
  m.set(key, value);
  while (m.size > MAX_ENTRIES) {
    const oldest = m.keys().next().value;
    if (oldest === undefined) break;
    m.delete(oldest);
  }
}
