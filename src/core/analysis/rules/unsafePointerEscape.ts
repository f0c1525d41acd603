import type { Node } from 'web-tree-sitter';
import {
  callArgs,
  calleeText,
  enclosingFunction,
  exprList,
  isWithin,
  methodName,
  methodReceiver,
  rootIdentifier,
} from '../goSyntax';
import { captureAll } from '../queryCache';
import type { FileContext, PackageContext, Rule } from '../rule';
import type { Decl } from '../scope';
import { syncMapShape } from '../typeHints';

/** Finds `unsafe.Pointer(&x)` where `x` is a plain identifier. */
const QUERY = `
(call_expression
  function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)
  arguments: (argument_list . (unary_expression operand: (identifier) @var) @addr .)
  (#eq? @pkg "unsafe") (#eq? @fn "Pointer")) @conv
`;

const FRAME_KINDS = new Set<Decl['kind']>(['local', 'param', 'result', 'receiver']);
const STORE_VALUE_ARG: Record<string, number[]> = { Store: [1], LoadOrStore: [1], Swap: [1], CompareAndSwap: [1, 2] };

/** `unsafe-pointer-escape`: the address of a frame variable, as unsafe.Pointer, kept somewhere that outlives the frame. */
export const unsafePointerEscape: Rule = {
  id: 'unsafe-pointer-escape',
  message: 'unsafe.Pointer to a local variable outlives its function',
  severity: 'error',
  docs:
    'Reports `unsafe.Pointer(&x)` where `x` is a local variable or parameter and the pointer, directly or through a ' +
    'local variable, is kept somewhere that outlives the function: stored in a sync.Map (`Store`, `LoadOrStore`, ' +
    '`Swap`, `CompareAndSwap`), assigned to a package-level variable or to a field of something not local, sent on a ' +
    'channel, captured by a `go` statement the function does not wait for, or returned after a conversion to ' +
    '`uintptr`. The frame variable then lives as long as the map entry, global or goroutine (a leak the code never ' +
    'meant), and once the address travels as a uintptr the compiler no longer sees it escape, so it can dangle into ' +
    'a dead stack. Taking the address of a package-level variable, using the pointer only inside the frame ' +
    '(including `*(*T)(unsafe.Pointer(&x))`), passing it to a call, and returning it as an unsafe.Pointer or typed ' +
    'pointer (the compiler then moves `x` to the heap, as the standard library does in reflect and net) are fine. ' +
    'Fix: allocate explicitly (`p := new(T)`) and store that, or store the value itself.',
  trigger: /unsafe\.Pointer\(\s*&/,
  checkFile(file, pkg, report) {
    for (const conv of captureAll(file.root, QUERY, 'conv', { re: /unsafe\.Pointer\(\s*&/g, text: file.text })) {
      const v = conv.descendantsOfType('identifier').find((n) => n.parent?.type === 'unary_expression');
      if (!v) continue;
      const decl = file.scopes.resolve(v);
      if (!decl || !FRAME_KINDS.has(decl.kind) || !decl.owner) continue;
      const how = escapes(conv, decl.owner, file, pkg, 0, false);
      if (how)
        report(file, conv, {
          message: `unsafe.Pointer(&${v.text}) to local '${v.text}' outlives its function: ${how}`,
        });
    }
  },
};

/** Follows a pointer-valued expression to where it ends up; returns how it escapes the frame `owner`, or undefined. */
function escapes(
  value: Node,
  owner: Node,
  file: FileContext,
  pkg: PackageContext,
  depth: number,
  viaUintptr: boolean,
): string | undefined {
  if (depth > 3) return undefined;
  const g = enclosingGoStatement(value, owner);
  if (g && !joined(g, owner)) return 'captured by a go statement that the function does not wait for';
  let v = value;
  let hidden = viaUintptr;
  for (;;) {
    const p = v.parent;
    if (!p) return undefined;
    if (p.type === 'parenthesized_expression') {
      v = p;
      continue;
    }
    // A conversion such as (*T)(p) or uintptr(p) keeps the address; follow the converted value.
    if (p.type === 'argument_list' && p.parent?.type === 'call_expression') {
      const call = p.parent;
      const fn = call.childForFieldName('function');
      if (fn?.type === 'parenthesized_expression' || (fn?.type === 'identifier' && fn.text === 'uintptr')) {
        if (fn.text === 'uintptr') hidden = true;
        v = call;
        continue;
      }
      const m = methodName(call);
      const recv = methodReceiver(call);
      const args = callArgs(call);
      const idx = args.findIndex((a) => a.id === v.id);
      if (m && recv && STORE_VALUE_ARG[m]?.includes(idx) && syncMapShape(recv, file, pkg))
        return `stored in a sync.Map by ${m}`;
      return undefined;
    }
    if (p.type === 'literal_element' || p.type === 'keyed_element' || p.type === 'literal_value') {
      v = p;
      continue;
    }
    if (p.type === 'composite_literal') {
      v = p;
      continue;
    }
    if (p.type === 'unary_expression' && p.child(0)?.type === '&') {
      v = p;
      continue;
    }
    break;
  }
  const p = v.parent;
  if (!p) return undefined;
  if (p.type === 'send_statement' && p.childForFieldName('value')?.id === v.id) return 'sent on a channel';
  if (p.type === 'expression_list' && p.parent?.type === 'return_statement') {
    // Returning unsafe.Pointer(&x) makes the compiler move x to the heap; only a uintptr hides the escape from it.
    return enclosingFunction(p.parent)?.id === owner.id && hidden ? 'returned as a uintptr' : undefined;
  }
  const stmt = p.type === 'expression_list' ? p.parent : null;
  if (
    stmt &&
    (stmt.type === 'assignment_statement' || stmt.type === 'short_var_declaration' || stmt.type === 'var_spec')
  ) {
    const rights = exprList(stmt.childForFieldName(stmt.type === 'var_spec' ? 'value' : 'right'));
    const idx = rights.findIndex((r) => r.id === v.id);
    const lefts =
      stmt.type === 'var_spec' ? stmt.childrenForFieldName('name') : exprList(stmt.childForFieldName('left'));
    const target = lefts[idx];
    if (!target || rights.length !== lefts.length) return undefined;
    if (target.type === 'identifier') {
      if (target.text === '_') return undefined;
      const d = file.scopes.resolve(target);
      if (!d) return undefined;
      if (d.kind === 'package') return `assigned to package-level '${d.name}'`;
      if (d.kind === 'result') return hidden ? 'returned as a uintptr (named result)' : undefined;
      if (!d.owner || file.scopes.isCaptured(target, d)) return undefined;
      for (const use of file.scopes.usesOf(d)) {
        if (use.id === target.id) continue;
        const how = escapes(use, owner, file, pkg, depth + 1, hidden);
        if (how) return `${how} (through '${d.name}')`;
      }
      return undefined;
    }
    if (target.type === 'selector_expression' || target.type === 'index_expression') {
      const root = rootIdentifier(target);
      if (!root) return undefined;
      const d = file.scopes.resolve(root);
      if (!d) return undefined;
      if (d.kind === 'package') return `stored in package-level '${d.name}'`;
      if (d.kind === 'param' || d.kind === 'receiver') return `stored in '${target.text}', reachable from the caller`;
      if (d.owner && d.owner.id !== owner.id) return `stored in '${target.text}' of an enclosing function`;
    }
  }
  return undefined;
}

function enclosingGoStatement(n: Node, owner: Node): Node | null {
  for (let p = n.parent; p && p.id !== owner.id; p = p.parent)
    if (p.type === 'go_statement' && isWithin(p, owner)) return p;
  return null;
}

/**
 * Whether `owner` waits for the goroutine started by `g` before returning: a `.Wait()` after it, or a receive (or
 * range) after it on a channel the goroutine sends on or closes. Then the frame outlives the goroutine.
 */
function joined(g: Node, owner: Node): boolean {
  const after = (n: Node): boolean => n.startIndex >= g.endIndex && enclosingFunction(n)?.id === owner.id;
  if (owner.descendantsOfType('call_expression').some((c) => after(c) && /\.Wait$/.test(calleeText(c)))) return true;
  const signalled = new Set<string>();
  for (const s of g.descendantsOfType('send_statement')) {
    const ch = s.childForFieldName('channel');
    if (ch) signalled.add(ch.text);
  }
  for (const c of g.descendantsOfType('call_expression'))
    if (calleeText(c) === 'close') for (const a of callArgs(c)) signalled.add(a.text);
  if (signalled.size === 0) return false;
  for (const u of owner.descendantsOfType(['unary_expression', 'range_clause'])) {
    if (!after(u)) continue;
    const ch =
      u.type === 'range_clause'
        ? u.childForFieldName('right')
        : u.child(0)?.type === '<-'
          ? u.childForFieldName('operand')
          : null;
    if (ch && signalled.has(ch.text)) return true;
  }
  return false;
}
