import type { Node } from 'web-tree-sitter';
import {
  callArgs,
  calleeText,
  enclosingFunction,
  exprList,
  isWithin,
  kids,
  ownDescendants,
  rootIdentifier,
  unparen,
} from '../goSyntax';
import { captureAll } from '../queryCache';
import type { FileContext, PackageContext, Reporter, Rule } from '../rule';
import { isSyncPool } from '../typeHints';

const POOL_LITERALS = `
(composite_literal
  type: (qualified_type package: (package_identifier) @pkg name: (type_identifier) @ty)
  body: (literal_value (keyed_element
    key: (literal_element (identifier) @key)
    value: (literal_element [(func_literal) (identifier)] @new)))
  (#eq? @pkg "sync") (#eq? @ty "Pool") (#eq? @key "New")) @pool
`;
const NEW_ASSIGN = `
(assignment_statement
  left: (expression_list . (selector_expression field: (field_identifier) @f) @target .)
  right: (expression_list . (func_literal) @new .)
  (#eq? @f "New"))
`;
const PUTS = `(call_expression function: (selector_expression field: (field_identifier) @m) (#eq? @m "Put")) @call`;

/** `pool-misuse`: sync.Pool New funcs that share state, and Puts of values that allocate. */
export const poolMisuse: Rule = {
  id: 'pool-misuse',
  message: 'sync.Pool misuse',
  severity: 'warning',
  docs:
    'Reports two misuses of `sync.Pool`. (1) A `New` func literal (or a package function named as `New`) that ' +
    'writes package-level state, or a `New` literal that captures a variable of an enclosing function and modifies ' +
    'it or hands it out in its return value: what `New` returns ' +
    'must be fresh and owned by the caller of `Get`, or pooled objects alias each other and keep the captured value ' +
    'alive. Reading a captured size or configuration value is fine. (2) `Put` of a value that is not a pointer, ' +
    'such as a slice, string or struct by value: converting it to `any` allocates on every `Put`, which defeats the ' +
    'pool (staticcheck SA6002). Put a pointer, for example `*[]byte`.',
  trigger: /sync\.Pool|\.Put\(/,
  checkFile(file, pkg, report) {
    if (/sync\.Pool/.test(file.text)) {
      for (const pool of captureAll(file.root, POOL_LITERALS, 'pool', { re: /sync\.Pool\s*\{/g, text: file.text })) {
        // Ranged query runs capture only nodes inside the anchor, so take the New func literal from the pool literal.
        const value = kids(pool.childForFieldName('body') ?? pool)
          .filter((k) => k.type === 'keyed_element' && k.childForFieldName('key')?.text === 'New')
          .map((k) => k.childForFieldName('value')?.namedChild(0))
          .find((v) => v?.type === 'func_literal' || v?.type === 'identifier');
        if (value?.type === 'func_literal') checkNew(value, file, report);
        else if (value) checkNamedNew(value, file, pkg, report);
      }
      const targets = captureAll(file.root, NEW_ASSIGN, 'target', { re: /\.New\s*=\s*func\b/g, text: file.text });
      for (const lit of captureAll(file.root, NEW_ASSIGN, 'new', { re: /\.New\s*=\s*func\b/g, text: file.text })) {
        const target = targets.find((t) => t.parent?.parent?.id === lit.parent?.parent?.id);
        const operand = target?.childForFieldName('operand');
        if (operand && isSyncPool(operand, file, pkg)) checkNew(lit, file, report);
      }
    }
    checkPuts(file, pkg, report);
  },
};

/** `New: makeBuf` naming a function of this package: the function must not write package-level state either. */
function checkNamedNew(name: Node, file: FileContext, pkg: PackageContext, report: Reporter): void {
  const decl = pkg.index.funcs.get(name.text);
  if (!decl || file.scopes.resolve(name)?.kind !== 'func') return;
  const target = pkg.files.find((f) => f.tree === decl.tree);
  if (target) checkNew(decl, target, report, `New (${name.text})`);
}

function checkNew(lit: Node, file: FileContext, report: Reporter, what = 'New'): void {
  const writes = ownDescendants(lit, [
    'assignment_statement',
    'inc_statement',
    'dec_statement',
    'short_var_declaration',
  ])
    .flatMap((s) =>
      s.type === 'assignment_statement'
        ? exprList(s.childForFieldName('left'))
        : s.type === 'short_var_declaration'
          ? []
          : kids(s),
    )
    .map((e) => rootIdentifier(e))
    .filter((n): n is Node => n !== null);
  for (const w of writes) {
    const d = file.scopes.resolve(w);
    if (!d) continue;
    if (d.kind === 'package') {
      report(file, w, {
        message: `sync.Pool ${what} writes package-level '${d.name}'; New must only build a fresh value`,
      });
      return;
    }
    if (d.owner && !isWithin(d.owner, lit) && file.scopes.isCaptured(w, d)) {
      report(file, w, { message: `sync.Pool New modifies captured '${d.name}' of the enclosing function` });
      return;
    }
  }
  for (const ret of ownDescendants(lit, 'return_statement')) {
    for (const e of exprList(kids(ret)[0] ?? null)) {
      const shared = handedOut(e);
      if (!shared) continue;
      const d = file.scopes.resolve(shared);
      if (d?.owner && !isWithin(d.owner, lit) && d.kind !== 'package') {
        report(file, shared, {
          message: `sync.Pool New returns captured '${d.name}', so every Get shares it instead of getting a fresh value`,
        });
        return;
      }
    }
  }
}

/** The identifier whose storage a returned expression hands out: `x`, `&x`, `x[:n]`, `T{f: x}` … but not `f(x)`. */
function handedOut(expr: Node): Node | null {
  const e = unparen(expr);
  switch (e.type) {
    case 'identifier':
      return e;
    case 'unary_expression':
      return e.child(0)?.type === '&' ? handedOut(e.childForFieldName('operand')!) : null;
    case 'slice_expression':
      return handedOut(e.childForFieldName('operand')!);
    case 'composite_literal': {
      for (const el of e.descendantsOfType('literal_element')) {
        const v = el.namedChild(0);
        if (v && el.parent?.type === 'keyed_element' && el.parent.childForFieldName('key')?.id === el.id) continue;
        const h = v ? handedOut(v) : null;
        if (h && enclosingFunction(h)?.id === enclosingFunction(e)?.id) return h;
      }
      return null;
    }
    default:
      return null;
  }
}

function checkPuts(file: FileContext, pkg: PackageContext, report: Reporter): void {
  for (const call of captureAll(file.root, PUTS, 'call', { re: /\.Put\(/g, text: file.text })) {
    const args = callArgs(call);
    const recv = call.childForFieldName('function')?.childForFieldName('operand');
    if (args.length !== 1 || !recv || !isSyncPool(recv, file, pkg)) continue;
    const kind = nonPointerKind(args[0]!, file, pkg);
    if (kind) report(file, call, { message: `Put of a ${kind} value allocates on every call (SA6002); put a pointer` });
  }
}

/** A description of a value that is certainly not pointer-shaped, from syntax and declarations; undefined if unsure. */
function nonPointerKind(arg: Node, file: FileContext, pkg: PackageContext): string | undefined {
  const e = unparen(arg);
  if (e.type === 'slice_expression') return 'slice';
  if (e.type === 'composite_literal') return typeKind(e.childForFieldName('type'), pkg);
  if (e.type === 'call_expression') {
    const callee = calleeText(e);
    if (callee === 'append') return 'slice';
    if (callee === 'make') return typeKind(callArgs(e)[0] ?? null, pkg);
    const fn = e.childForFieldName('function');
    if (fn?.type === 'slice_type' || fn?.type === 'array_type') return typeKind(fn, pkg);
    return undefined;
  }
  if (e.type === 'type_assertion_expression') return typeKind(e.childForFieldName('type'), pkg);
  if (e.type === 'identifier') {
    const d = file.scopes.resolve(e);
    if (!d || d.fromRange) return undefined;
    if (d.type) return typeKind(d.type, pkg);
    if (d.value && unparen(d.value).id !== e.id) return nonPointerKind(d.value, file, pkg);
  }
  return undefined;
}

function typeKind(t: Node | null, pkg: PackageContext): string | undefined {
  if (!t) return undefined;
  switch (t.type) {
    case 'slice_type':
      return 'slice';
    case 'array_type':
      return 'array';
    case 'type_identifier':
      if (t.text === 'string') return 'string';
      return pkg.index.structs.has(t.text) ? `struct (${t.text})` : undefined;
    case 'struct_type':
      return 'struct';
    default:
      return undefined;
  }
}
