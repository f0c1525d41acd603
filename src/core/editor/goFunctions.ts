import type { Node } from 'web-tree-sitter';

/** A function of a Go file that can own a line: a declared function, a method or a function literal. */
export interface GoFunction {
  /** `storeSession`, `(*Store).put`, `func literal in startReader`, `go func literal in serve`. */
  name: string;
  kind: 'function' | 'method' | 'literal';
  /** 1-based, inclusive. */
  startLine: number;
  /** 1-based, inclusive. */
  endLine: number;
  /** For a literal called by a `go` statement (`go func() {...}()`): it is the body of the goroutines it starts. */
  goroutine: boolean;
  /** Index in the same list of the function this one is nested in; undefined for declarations and package-level literals. */
  parent: number | undefined;
}

const TYPES = ['function_declaration', 'method_declaration', 'func_literal'];

/**
 * Lists the functions of a parsed Go file in source order (an enclosing function before those nested in it), from
 * the syntax tree rather than from layout, so any formatting, methods and function literals are found.
 */
export function goFunctionsOf(root: Node): GoFunction[] {
  const out: GoFunction[] = [];
  // Nodes arrive in document order, so the still-open enclosing functions form a stack.
  const open: { end: number; index: number }[] = [];
  for (const node of root.descendantsOfType(TYPES)) {
    while (open.length > 0 && open[open.length - 1]!.end <= node.startIndex) open.pop();
    const parentIndex = open[open.length - 1]?.index;
    const parent = parentIndex === undefined ? undefined : out[parentIndex];
    const index = out.length;
    out.push(describe(node, parent, parentIndex));
    open.push({ end: node.endIndex, index });
  }
  return out;
}

function describe(node: Node, parent: GoFunction | undefined, parentIndex: number | undefined): GoFunction {
  const lines = { startLine: node.startPosition.row + 1, endLine: node.endPosition.row + 1 };
  const name = node.childForFieldName('name')?.text ?? '?';
  if (node.type === 'function_declaration')
    return { name, kind: 'function', ...lines, goroutine: false, parent: parentIndex };
  if (node.type === 'method_declaration')
    return { name: methodName(node, name), kind: 'method', ...lines, goroutine: false, parent: parentIndex };
  const goroutine = isGoCallee(node);
  const base = goroutine ? 'go func literal' : 'func literal';
  const outer = parent?.name.replace(/^(go )?func literal in /, '') ?? declaredName(node);
  return {
    name: outer ? `${base} in ${outer}` : base,
    kind: 'literal',
    ...lines,
    goroutine,
    parent: parentIndex,
  };
}

/** The variable a package-level func literal initialises (`var pool = sync.Pool{New: func() any {...}}` → `pool`). */
function declaredName(literal: Node): string | undefined {
  for (let p = literal.parent; p; p = p.parent) {
    if (p.type === 'var_spec' || p.type === 'const_spec') return p.childForFieldName('name')?.text;
    if (p.type === 'source_file') break;
  }
  return undefined;
}

/** `(*T).m` or `T.m`, the way pprof names methods (type parameters dropped). */
function methodName(node: Node, name: string): string {
  const param = node.childForFieldName('receiver')?.namedChildren.find((c) => c?.type === 'parameter_declaration');
  let type = param?.childForFieldName('type') ?? null;
  let pointer = false;
  while (type && (type.type === 'pointer_type' || type.type === 'parenthesized_type')) {
    if (type.type === 'pointer_type') pointer = true;
    type = type.namedChild(0);
  }
  if (type?.type === 'generic_type') type = type.childForFieldName('type');
  const recv = type?.text ?? '?';
  return pointer ? `(*${recv}).${name}` : `${recv}.${name}`;
}

/** Whether a func literal is the called function of a `go` statement. */
function isGoCallee(literal: Node): boolean {
  let call = literal.parent;
  let inner: Node = literal;
  while (call?.type === 'parenthesized_expression') {
    inner = call;
    call = call.parent;
  }
  return (
    call?.type === 'call_expression' &&
    call.childForFieldName('function')?.startIndex === inner.startIndex &&
    call.parent?.type === 'go_statement'
  );
}

/**
 * The functions that own a 1-based line, innermost first: the function literal it sits in (e.g. the body of a
 * `go func() {...}()`), the literals around that, then the enclosing declaration. Empty at package level.
 */
export function ownersOfLine(functions: readonly GoFunction[], line: number): GoFunction[] {
  let inner: number | undefined;
  functions.forEach((f, i) => {
    // Later entries nest inside earlier ones that contain them, so the last match is the innermost.
    if (f.startLine <= line && line <= f.endLine) inner = i;
  });
  const out: GoFunction[] = [];
  for (let i = inner; i !== undefined; i = functions[i]?.parent) {
    const f = functions[i];
    if (!f) break;
    out.push(f);
  }
  return out;
}
