import type { Node } from 'web-tree-sitter';

/** Node types that open a new function frame: declared functions, methods and func literals. */
export const FUNCTION_TYPES = new Set(['function_declaration', 'method_declaration', 'func_literal']);

/** The innermost function, method or func literal containing `node` (not `node` itself), or null at package level. */
export function enclosingFunction(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (FUNCTION_TYPES.has(p.type)) return p;
  return null;
}

/** The top-level declaration (child of source_file) that contains `node`. */
export function topLevelOf(node: Node): Node {
  let n = node;
  for (let p = n.parent; p && p.type !== 'source_file'; p = p.parent) n = p;
  return n;
}

/** Whether `inner` lies within `outer` (same tree, by byte range); a node lies within itself. */
export function isWithin(inner: Node, outer: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/** Descendants of the given types whose innermost function is `fn` itself, skipping nested func literals. */
export function ownDescendants(fn: Node, types: string | string[], within: Node = fn): Node[] {
  return within.descendantsOfType(types).filter((n) => n.id !== fn.id && enclosingFunction(n)?.id === fn.id);
}

/** Strips redundant parentheses around an expression. */
export function unparen(node: Node): Node {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.namedChildCount === 1) n = n.namedChild(0)!;
  return n;
}

/** The callee as written, e.g. `time.After`, `m.Store`, `close`; empty for computed callees. */
export function calleeText(call: Node): string {
  const fn = call.childForFieldName('function');
  if (!fn) return '';
  if (fn.type === 'identifier') return fn.text;
  if (fn.type === 'selector_expression') return fn.text.replace(/\s+/g, '');
  return '';
}

/** For a call `x.M(...)`, the method name `M`; otherwise undefined. */
export function methodName(call: Node): string | undefined {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'selector_expression') return undefined;
  return fn.childForFieldName('field')?.text;
}

/** For a call `x.M(...)`, the receiver expression `x`; otherwise null. */
export function methodReceiver(call: Node): Node | null {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'selector_expression') return null;
  return fn.childForFieldName('operand');
}

/** The argument expressions of a call, in order. */
export function callArgs(call: Node): Node[] {
  return call.childForFieldName('arguments')?.namedChildren.filter((n): n is Node => n !== null) ?? [];
}

/** The named children of a node, without the nulls the typings allow. */
export function kids(node: Node): Node[] {
  return node.namedChildren.filter((n): n is Node => n !== null);
}

/** The expressions of an expression_list (or the node itself when it is a single expression). */
export function exprList(node: Node | null): Node[] {
  if (!node) return [];
  return node.type === 'expression_list' ? kids(node) : [node];
}

/** Whether a for_statement loops without a condition (`for { ... }`), so only a jump can leave it. */
export function isInfiniteFor(forStmt: Node): boolean {
  return kids(forStmt).every((c) => c.type === 'block' || c.type === 'comment');
}

/** The body block of a function, method or func literal. */
export function functionBody(fn: Node): Node | null {
  return fn.childForFieldName('body');
}

/** The root identifier of an expression such as `a.b.c`, `a[i].b`, `*a`, or null when there is none. */
export function rootIdentifier(expr: Node): Node | null {
  let n: Node | null = unparen(expr);
  while (n) {
    switch (n.type) {
      case 'identifier':
        return n;
      case 'selector_expression':
        n = n.childForFieldName('operand');
        break;
      case 'index_expression':
      case 'slice_expression':
        n = n.childForFieldName('operand');
        break;
      case 'unary_expression':
        n = n.childForFieldName('operand');
        break;
      case 'parenthesized_expression':
        n = unparen(n);
        if (n.type === 'parenthesized_expression') return null;
        break;
      default:
        return null;
    }
  }
  return null;
}

/** Whether a type expression is `sync.Map` itself (not a pointer to it). */
export function isSyncMapType(typeNode: Node | null): boolean {
  return typeNode?.type === 'qualified_type' && typeNode.text.replace(/\s+/g, '') === 'sync.Map';
}

/** Whether a type expression is `sync.Pool` or `*sync.Pool`. */
export function isSyncPoolType(typeNode: Node | null): boolean {
  const t = typeNode?.text.replace(/\s+/g, '');
  return t === 'sync.Pool' || t === '*sync.Pool';
}

/** Whether the statement after `stmt` is `defer NAME()` (or `defer NAME.Stop()` when `method` is given). */
export function nextIsDeferCall(stmt: Node, name: string, method = ''): boolean {
  const next = stmt.nextNamedSibling;
  return next?.type === 'defer_statement' && next.text.replace(/\s+/g, '') === `defer${name}${method}()`;
}
