import { Edit, type Parser, type Point, type Tree } from 'web-tree-sitter';
import { analyzePackage, type FindingWithFixes, type SourceFile } from './analyzePackage';
import { createGoParser } from './goParser';
import type { Rule } from './rule';
import { allRules } from './rules/index';
import { lineStarts, offsetAt } from './textEdits';

/** One change to a document, as VS Code reports it: a 0-based range in the text before the change, and new text. */
export interface DocumentChange {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
  text: string;
}

/** Options for a DocumentAnalyzer. */
export interface DocumentAnalyzerOptions {
  rules?: readonly Rule[];
  goVersion?: string | undefined;
}

/**
 * Keeps one Go document parsed across edits and lints it on demand. Edits are applied to the old tree
 * (`tree.edit`) and the text is reparsed incrementally (`parser.parse(text, oldTree)`), which costs a small fraction
 * of a full parse; old trees are deleted as soon as they are replaced. Other files of the same package can be given
 * as siblings so package-level rules (sync.Map growth, declarations in other files) see the whole package.
 */
export class DocumentAnalyzer {
  private tree: Tree;
  private current: string;
  private starts: number[];
  private siblings: { src: SourceFile; tree: Tree }[] = [];
  private disposed = false;

  private constructor(
    private readonly parser: Parser,
    readonly path: string,
    text: string,
    private readonly opts: DocumentAnalyzerOptions,
  ) {
    this.current = text;
    this.starts = lineStarts(text);
    this.tree = this.parseFull(text);
  }

  /** Creates an analyzer for a document with its own parser. */
  static async create(path: string, text: string, opts: DocumentAnalyzerOptions = {}): Promise<DocumentAnalyzer> {
    return new DocumentAnalyzer(await createGoParser(), path, text, opts);
  }

  /** The document text after every change so far. */
  get text(): string {
    return this.current;
  }

  /** Applies editor changes in order, each against the text left by the previous one, then reparses incrementally. */
  applyChanges(changes: readonly DocumentChange[]): void {
    this.assertLive();
    if (changes.length === 0) return;
    for (const c of changes) {
      const start = offsetAt(this.starts, this.current.length, c.startLine, c.startCharacter);
      const oldEnd = Math.max(start, offsetAt(this.starts, this.current.length, c.endLine, c.endCharacter));
      const startPosition = this.pointAt(start);
      const oldEndPosition = this.pointAt(oldEnd);
      this.current = this.current.slice(0, start) + c.text + this.current.slice(oldEnd);
      this.starts = lineStarts(this.current);
      const newEnd = start + c.text.length;
      // Edit takes UTF-16 code units (the binding converts to bytes), unlike query byte ranges.
      this.tree.edit(
        new Edit({
          startIndex: start,
          oldEndIndex: oldEnd,
          newEndIndex: newEnd,
          startPosition,
          oldEndPosition,
          newEndPosition: this.pointAt(newEnd),
        }),
      );
    }
    const next = this.parser.parse(this.current, this.tree);
    if (!next) throw new Error(`the parser gave up on ${this.path}`);
    this.tree.delete();
    this.tree = next;
  }

  /** Replaces the whole text (a reload from disk); parses from scratch. */
  setText(text: string): void {
    this.assertLive();
    this.current = text;
    this.starts = lineStarts(text);
    const next = this.parseFull(text);
    this.tree.delete();
    this.tree = next;
  }

  /** Sets the other files of this document's package; they are parsed once and kept until replaced. */
  setSiblings(files: readonly { path: string; text: string }[]): void {
    this.assertLive();
    for (const s of this.siblings) s.tree.delete();
    this.siblings = files.filter((f) => f.path !== this.path).map((src) => ({ src, tree: this.parseFull(src.text) }));
  }

  /** Lints the current text; syntax errors do not stop it, since a document being typed is rarely valid. */
  findings(): FindingWithFixes[] {
    this.assertLive();
    const files: SourceFile[] = [
      { path: this.path, text: this.current, tree: this.tree },
      ...this.siblings.map((s) => ({ ...s.src, tree: s.tree })),
    ];
    const res = analyzePackage(this.parser, files, {
      rules: this.opts.rules ?? allRules,
      goVersion: this.opts.goVersion,
      skipFilesWithErrors: false,
      only: this.path,
    });
    return res.findings.filter((f) => f.file === this.path);
  }

  /** The current tree as an S-expression; for tests comparing incremental and full parses. */
  syntaxTree(): string {
    return this.tree.rootNode.toString();
  }

  /** Frees the trees and the parser; the analyzer cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tree.delete();
    for (const s of this.siblings) s.tree.delete();
    this.siblings = [];
    this.parser.delete();
  }

  private parseFull(text: string): Tree {
    const t = this.parser.parse(text);
    if (!t) throw new Error(`the parser gave up on ${this.path}`);
    return t;
  }

  private pointAt(offset: number): Point {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: offset - this.starts[lo]! };
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('DocumentAnalyzer used after dispose()');
  }
}
