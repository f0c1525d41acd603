import type { Node } from 'web-tree-sitter';
import { callArgs, kids, methodName, methodReceiver, unparen } from '../goSyntax';
import { captureAll } from '../queryCache';
import type { FileContext, PackageContext, Reporter, Rule } from '../rule';
import { packageDecl } from '../scope';
import { isUnsafePointerConversion, syncMapShape, syncMapShapeOfType } from '../typeHints';

const CALLS = `(call_expression function: (selector_expression field: (field_identifier) @m)) @call`;
const PARAMS = `[(parameter_declaration) (variadic_parameter_declaration)] @p`;
const COPIES = `[
  (assignment_statement right: (expression_list) @rhs)
  (short_var_declaration right: (expression_list) @rhs)
  (var_spec value: (expression_list) @rhs)
  (return_statement (expression_list) @rhs)
  (argument_list) @rhs
  (send_statement value: (_) @one)
]`;

const STORES = new Set(['Store', 'LoadOrStore', 'Swap']);
const DELETES = new Set(['Delete', 'LoadAndDelete', 'CompareAndDelete', 'Clear']);
const MAP_METHODS = new Set([
  'Load',
  'Store',
  'LoadOrStore',
  'LoadAndDelete',
  'Delete',
  'Swap',
  'CompareAndSwap',
  'CompareAndDelete',
  'Range',
  'Clear',
]);

/** `sync-map-misuse`: sync.Map copied by value, holding unsafe.Pointer values, or growing without eviction. */
export const syncMapMisuse: Rule = {
  id: 'sync-map-misuse',
  message: 'sync.Map misuse',
  severity: 'warning',
  docs:
    'Reports three misuses of `sync.Map`. (1) Copying one by value (assignment, value receiver, passing, returning or ' +
    'sending a `sync.Map` or a struct that holds one): the copy shares internal state with the original, so entries ' +
    'stored through one may be lost or kept alive through the other; use a pointer. (2) Storing `unsafe.Pointer` ' +
    'values: the map keeps the pointee reachable for as long as the entry exists, and the conversion hides the ' +
    "pointee's lifetime from the reader. (3) A package-level `sync.Map`, or a struct field of type `sync.Map`, that " +
    'the package stores into (`Store`, `LoadOrStore`, `Swap`) but never deletes from (no `Delete`, `LoadAndDelete`, ' +
    '`CompareAndDelete`, `Clear` or `Swap` to nil anywhere in the package) and never hands to other code: that is ' +
    'growth without eviction, and the finding points at each `Store`. Maps keyed by `reflect.Type` are exempt, since ' +
    'the set of types in a program is finite.',
  trigger: /sync\.Map|\.(?:Store|LoadOrStore|Swap)\(/,
  checkFile(file, pkg, report) {
    if (!/sync\.Map/.test(file.text) && pkg.index.syncMapHolderTypes().size === 0 && !hasPackageMaps(pkg)) return;
    checkCopies(file, pkg, report);
    checkUnsafeValues(file, pkg, report);
  },
  checkPackage(pkg, report) {
    checkGrowth(pkg, report);
  },
};

function hasPackageMaps(pkg: PackageContext): boolean {
  for (const v of pkg.index.vars.values()) if (syncMapShapeOfType(v.type)) return true;
  return pkg.index.syncMapFieldNames().size > 0;
}

/** Whether a written type is a sync.Map or a package struct holding one, by value. */
function isHolderType(type: Node | null, pkg: PackageContext): boolean {
  if (!type) return false;
  if (syncMapShapeOfType(type) === 'value') return true;
  return type.type === 'type_identifier' && pkg.index.syncMapHolderTypes().has(type.text);
}

/** Whether an existing value (not a fresh literal) of sync.Map or holder type is denoted by `expr`. */
function copiesHolder(expr: Node, file: FileContext, pkg: PackageContext, depth = 0): boolean {
  const e = unparen(expr);
  if (depth > 3) return false;
  if (e.type === 'identifier' || e.type === 'selector_expression') {
    if (syncMapShape(e, file, pkg) === 'value') return true;
    if (e.type === 'identifier') {
      const d = file.scopes.resolve(e);
      if (!d || d.fromRange) return false;
      if (isHolderType(d.type, pkg)) return true;
      const v = d.value ? unparen(d.value) : null;
      if (!v || d.type) return false;
      return (
        (v.type === 'composite_literal' && isHolderType(v.childForFieldName('type'), pkg)) ||
        copiesHolder(v, file, pkg, depth + 1)
      );
    }
    return false;
  }
  if (e.type === 'unary_expression' && e.child(0)?.type === '*') {
    const inner = e.childForFieldName('operand');
    if (!inner) return false;
    if (syncMapShape(inner, file, pkg) === 'pointer') return true;
    if (inner.type === 'identifier') {
      const d = file.scopes.resolve(inner);
      const t = d?.type;
      return t?.type === 'pointer_type' && isHolderType(kids(t)[0] ?? null, pkg);
    }
  }
  return false;
}

function checkCopies(file: FileContext, pkg: PackageContext, report: Reporter): void {
  for (const p of captureAll(file.root, PARAMS, 'p')) {
    const type = p.childForFieldName('type');
    if (!isHolderType(type, pkg)) continue;
    const owner = p.parent?.parent;
    const role =
      owner?.type === 'method_declaration' && owner.childForFieldName('receiver')?.id === p.parent?.id
        ? 'value receiver'
        : owner?.childForFieldName('result')?.id === p.parent?.id
          ? 'result'
          : 'parameter';
    report(file, p, { message: `${role} of type ${type!.text} copies a sync.Map; use a pointer` });
  }
  // Unnamed results: `func f() sync.Map`.
  for (const fn of file.root.descendantsOfType(['function_declaration', 'method_declaration', 'func_literal'])) {
    const result = fn.childForFieldName('result');
    if (result && result.type !== 'parameter_list' && isHolderType(result, pkg))
      report(file, result, { message: `returning ${result.text} by value copies a sync.Map; return a pointer` });
  }
  const q = captureAll(file.root, COPIES, 'rhs').concat(captureAll(file.root, COPIES, 'one'));
  for (const list of q) {
    const exprs = list.type === 'expression_list' || list.type === 'argument_list' ? kids(list) : [list];
    for (const e of exprs) {
      if (copiesHolder(e, file, pkg))
        report(file, e, { message: `'${e.text}' copies a sync.Map by value; use a pointer` });
    }
  }
}

function checkUnsafeValues(file: FileContext, pkg: PackageContext, report: Reporter): void {
  if (!file.text.includes('unsafe.Pointer')) return;
  for (const call of captureAll(file.root, CALLS, 'call')) {
    const m = methodName(call);
    const valueIdx = m === 'CompareAndSwap' ? [1, 2] : m && STORES.has(m) ? [1] : [];
    if (valueIdx.length === 0) continue;
    const recv = methodReceiver(call);
    if (!recv || !syncMapShape(recv, file, pkg)) continue;
    const args = callArgs(call);
    for (const i of valueIdx) {
      const a = args[i];
      if (!a) continue;
      let unsafeValue = isUnsafePointerConversion(a);
      if (!unsafeValue && unparen(a).type === 'identifier') {
        const d = file.scopes.resolve(unparen(a));
        unsafeValue =
          !!d &&
          ((d.value !== null && !d.fromRange && isUnsafePointerConversion(d.value)) ||
            d.type?.text === 'unsafe.Pointer');
      }
      if (unsafeValue) report(file, a, { message: `unsafe.Pointer value stored in a sync.Map by ${m}` });
    }
  }
}

interface Container {
  stores: { file: FileContext; call: Node }[];
  deletes: number;
  escapes: boolean;
  typeKeyed: boolean;
}

function checkGrowth(pkg: PackageContext, report: Reporter): void {
  const containers = new Map<string, Container>();
  for (const v of pkg.index.vars.values())
    if (syncMapShapeOfType(v.type) || v.value?.text.replace(/\s+/g, '').match(/^(&?sync\.Map\{\}|new\(sync\.Map\))$/))
      containers.set(`var:${v.name}`, { stores: [], deletes: 0, escapes: false, typeKeyed: false });
  const fieldNames = ambiguousFree(pkg);
  for (const f of fieldNames)
    containers.set(`field:${f}`, { stores: [], deletes: 0, escapes: false, typeKeyed: false });
  if (containers.size === 0) return;

  for (const file of pkg.files) {
    // Every mention of a container must be a method call on it; anything else hands it to code we cannot see.
    for (const id of file.root.descendantsOfType('identifier')) {
      const c = containers.get(`var:${id.text}`);
      if (!c) continue;
      const d = file.scopes.resolve(id);
      if (!d || d !== packageDecl(pkg.index, id.text)) continue;
      classifyUse(id, c, file);
    }
    if (fieldNames.size > 0)
      for (const fid of file.root.descendantsOfType('field_identifier')) {
        const c = containers.get(`field:${fid.text}`);
        const sel = fid.parent;
        if (!c || sel?.type !== 'selector_expression' || sel.childForFieldName('field')?.id !== fid.id) continue;
        classifyUse(sel, c, file);
      }
  }
  for (const c of containers.values()) {
    if (c.escapes || c.deletes > 0 || c.typeKeyed) continue;
    for (const s of c.stores)
      report(s.file, s.call, {
        message: `${methodName(s.call)} into a long-lived sync.Map that the package never deletes from: it only grows`,
      });
  }
}

/** Struct field names of type sync.Map (or *sync.Map) that no other struct in the package uses with another type. */
function ambiguousFree(pkg: PackageContext): Set<string> {
  const good = new Set<string>();
  const bad = new Set<string>();
  for (const fields of pkg.index.structs.values())
    for (const f of fields) {
      if (!f.name) continue;
      if (syncMapShapeOfType(f.type)) good.add(f.name);
      else bad.add(f.name);
    }
  for (const b of bad) good.delete(b);
  return good;
}

function classifyUse(ref: Node, c: Container, file: FileContext): void {
  const sel = ref.parent;
  if (ref.parent?.type === 'var_spec' || ref.parent?.type === 'field_declaration') return;
  if (sel?.type !== 'selector_expression' || sel.childForFieldName('operand')?.id !== ref.id) {
    // The declaration itself, or a use such as `&m`, `f(m)`, `x = m`.
    if (ref.parent?.type === 'var_spec' && ref.parent.childForFieldName('name')?.id === ref.id) return;
    c.escapes = true;
    return;
  }
  const m = sel.childForFieldName('field')?.text ?? '';
  const call = sel.parent;
  if (!MAP_METHODS.has(m) || call?.type !== 'call_expression' || call.childForFieldName('function')?.id !== sel.id) {
    c.escapes = true;
    return;
  }
  const args = callArgs(call);
  if (DELETES.has(m) || (m === 'Swap' && args[1]?.text === 'nil')) c.deletes++;
  else if (STORES.has(m)) {
    c.stores.push({ file, call });
    const key = args[0] ? unparen(args[0]) : null;
    if (key && isTypeKey(key, file)) c.typeKeyed = true;
  }
}

/** Whether a key expression is a reflect.Type, from `reflect.TypeOf(...)`/`.Type()`-style calls or a declared type. */
function isTypeKey(key: Node, file: FileContext): boolean {
  if (key.type === 'call_expression') {
    const t = key.childForFieldName('function')?.text ?? '';
    return /^reflect\.TypeOf$|^reflect\.TypeFor/.test(t);
  }
  if (key.type === 'identifier') {
    const d = file.scopes.resolve(key);
    if (d?.type?.text.replace(/\s+/g, '') === 'reflect.Type') return true;
    const v = d?.value;
    return !!v && !d.fromRange && v.type === 'call_expression' && isTypeKey(v, file);
  }
  return false;
}
