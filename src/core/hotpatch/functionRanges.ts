/** A 1-based, inclusive line range of a top-level function declaration in a gofmt-formatted Go file. */
export interface FunctionRange {
  name: string;
  startLine: number;
  endLine: number;
}

/**
 * Finds the top-level function declarations of gofmt-formatted Go source: a `func` at column 0 up to the next `}` at
 * column 0. A layout heuristic kept for the synchronous hot-patch lens check (a pool's New is a gofmt'd top-level
 * function there); leak-site correlation uses the syntax tree instead (`core/editor/goFunctions`).
 */
export function functionRanges(source: string): FunctionRange[] {
  const lines = source.split(/\r?\n/);
  const out: FunctionRange[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^func\s+(?:\([^)]*\)\s*)?([A-Za-z_]\w*)/.exec(lines[i] ?? '');
    if (!m) continue;
    let end = i;
    // A one-line function ends on its own line.
    if (!/\}\s*$/.test(lines[i] ?? '')) {
      for (end = i + 1; end < lines.length && !/^\}/.test(lines[end] ?? ''); end++);
    }
    out.push({ name: m[1] ?? '', startLine: i + 1, endLine: Math.min(end, lines.length - 1) + 1 });
    i = end;
  }
  return out;
}
