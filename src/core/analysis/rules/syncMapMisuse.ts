import type { Node } from 'web-tree-sitter';
import { callArgs, exprList, kids, methodName, methodReceiver, unparen } from '../goSyntax';
import { captureAll } from '../queryCache';
import type { FileContext, PackageContext, Reporter, Rule } from '../rule';
import { packageDecl } from '../scope';
import { isUnsafePointerConversion, syncMapShape, syncMapShapeOfType } from '../typeHints';

const CALLS = `(call_expression function: (selector_expression field: (field_identifier) @m)) @call`;

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
    "pointee's lifetime from the reader. (3) A package-level `sync.Map` (or a sync.Map field of a package-level " +
    'variable) that ' +
    'the package stores into (`Store`, `LoadOrStore`, `Swap`) but never deletes from (no `Delete`, `LoadAndDelete`, ' +
    '`CompareAndDelete`, `Clear` or `Swap` to nil anywhere in the package) and never hands to other code: that is ' +
    'growth without eviction, and the finding points at each `Store`. Deliberate or bounded growth is not ' +
    'reported: `LoadOrStore`, and a `Store` after a `Load` of the same key in the same function, are the memo-table ' +
    'idiom (a cache filled once per key by design), and keys that are constants, package-level names or ' +
    '`reflect.Type` values come from a fixed set.',
  trigger: /sync\.Map|\.(?:Store|LoadOrStore|Swap)\(/,
  checkFile(file, pkg, report) {
    if (!mentionsSyncMap(pkg)) return;
    if (!/sync\.Map/.test(file.text) && pkg.index.syncMapHolderTypes().size === 0 && !hasPackageMaps(pkg)) return;
    checkCopies(file, pkg, report);
    checkUnsafeValues(file, pkg, report);
  },
  checkPackage(pkg, report) {
    if (mentionsSyncMap(pkg)) checkGrowth(pkg, report);
  },
};

/** No sync.Map can exist in a package whose parsed files never name the type (unparsed files declare nothing). */
function mentionsSyncMap(pkg: PackageContext): boolean {
  return pkg.files.some((f) => f.text.includes('sync.Map'));
}

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

/** Every start offset of `word` in `text` as a whole identifier. */
function occurrences(text: string, word: string, afterDot = false): number[] {
  const out: number[] = [];
  const re = new RegExp(`(?<![\\w${afterDot ? '' : '.'}])${word.replace(/\./g, '\\.')}(?!\\w)`, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m.index);
  return out;
}

/**
 * Copies are found from the text outward: each mention of a holder type marks a declaration (parameter, result,
 * var, field, pointer); each mention of a declared name is then judged in its context. Walking every expression
 * of every file instead costs more than parsing.
 */
function checkCopies(file: FileContext, pkg: PackageContext, report: Reporter): void {
  const typeNames = ['sync.Map', ...pkg.index.syncMapHolderTypes()];
  const names = new Set<string>();
  for (const tn of typeNames) {
    for (const at of occurrences(file.text, tn)) {
      let type = file.root.namedDescendantForIndex(at, at + tn.length);
      while (type && type.type !== 'qualified_type' && type.type !== 'type_identifier' && type.parent)
        type = type.parent;
      if (!type) continue;
      let holder: Node = type;
      const pointer = type.parent?.type === 'pointer_type';
      if (pointer) holder = type.parent!;
      const decl = holder.parent;
      if (!decl) continue;
      if (!pointer && (decl.type === 'parameter_declaration' || decl.type === 'variadic_parameter_declaration')) {
        if (decl.childForFieldName('type')?.id !== holder.id) continue;
        const owner = decl.parent?.parent;
        const role =
          owner?.type === 'method_declaration' && owner.childForFieldName('receiver')?.id === decl.parent?.id
            ? 'value receiver'
            : owner?.childForFieldName('result')?.id === decl.parent?.id
              ? 'result'
              : 'parameter';
        report(file, decl, { message: `${role} of type ${type.text} copies a sync.Map; use a pointer` });
        continue;
      }
      if (
        !pointer &&
        ['function_declaration', 'method_declaration', 'func_literal'].includes(decl.type) &&
        decl.childForFieldName('result')?.id === holder.id
      ) {
        report(file, holder, { message: `returning ${holder.text} by value copies a sync.Map; return a pointer` });
        continue;
      }
      const declared =
        decl.type === 'parameter_declaration' || decl.type === 'var_spec' || decl.type === 'field_declaration'
          ? decl.childrenForFieldName('name')
          : [];
      for (const n of declared) names.add(n.text);
      if (decl.type === 'composite_literal' || decl.type === 'call_expression') {
        // `x := T{...}` / `x := new(T)`: the name on the left holds a holder value (or pointer).
        const stmt = decl.parent?.parent;
        if (stmt?.type === 'short_var_declaration' || stmt?.type === 'var_spec')
          for (const n of exprList(stmt.childForFieldName(stmt.type === 'var_spec' ? 'name' : 'left')))
            names.add(n.text);
      }
    }
  }
  for (const v of pkg.index.vars.values()) if (isHolderType(v.type, pkg)) names.add(v.name);
  const seen = new Set<number>();
  const done = new Set<string>();
  const work = [...names];
  for (let name = work.pop(); name !== undefined; name = work.pop()) {
    if (done.has(name)) continue;
    done.add(name);
    for (const at of occurrences(file.text, name, true)) {
      const id = file.root.namedDescendantForIndex(at, at + name.length);
      if (!id || (id.type !== 'identifier' && id.type !== 'field_identifier')) continue;
      let e: Node = id;
      if (id.type === 'field_identifier') {
        if (id.parent?.type !== 'selector_expression') continue;
        e = id.parent;
      }
      while (e.parent?.type === 'parenthesized_expression') e = e.parent;
      if (e.parent?.type === 'unary_expression' && e.parent.child(0)?.type === '*') e = e.parent;
      if (seen.has(e.id) || !inCopyPosition(e)) continue;
      seen.add(e.id);
      if (!copiesHolder(e, file, pkg)) continue;
      report(file, e, { message: `'${e.text}' copies a sync.Map by value; use a pointer` });
      // The copy's new name holds a sync.Map too; follow it.
      const stmt = e.parent?.parent;
      if (stmt?.type === 'short_var_declaration' || stmt?.type === 'var_spec')
        for (const n of exprList(stmt.childForFieldName(stmt.type === 'var_spec' ? 'name' : 'left'))) work.push(n.text);
    }
  }
}

/** Whether an expression's value is copied where it stands: right-hand side, return value, argument or sent value. */
function inCopyPosition(e: Node): boolean {
  const p = e.parent;
  if (!p) return false;
  if (p.type === 'argument_list') return true;
  if (p.type === 'send_statement') return p.childForFieldName('value')?.id === e.id;
  if (p.type !== 'expression_list') return false;
  const stmt = p.parent;
  if (!stmt) return false;
  if (stmt.type === 'return_statement') return true;
  if (stmt.type === 'var_spec') return stmt.childForFieldName('value')?.id === p.id;
  if (stmt.type === 'assignment_statement' || stmt.type === 'short_var_declaration')
    return stmt.childForFieldName('right')?.id === p.id;
  return false;
}

function checkUnsafeValues(file: FileContext, pkg: PackageContext, report: Reporter): void {
  if (!file.text.includes('unsafe.Pointer')) return;
  for (const call of captureAll(file.root, CALLS, 'call', {
    re: /\.(?:Store|LoadOrStore|Swap|CompareAndSwap)\(/g,
    text: file.text,
  })) {
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
  /** Stores whose key is not from a bounded set and that are not part of the memo-table idiom. */
  stores: { file: FileContext; call: Node }[];
  deletes: number;
  escapes: boolean;
}

function checkGrowth(pkg: PackageContext, report: Reporter): void {
  // Long-lived maps: package-level sync.Maps, and sync.Map fields of package-level struct variables (`v.f`).
  const containers = new Map<string, Container>();
  const fieldNames = ambiguousFree(pkg);
  const holders = pkg.index.syncMapHolderTypes();
  const holderVars = new Set<string>();
  for (const v of pkg.index.vars.values()) {
    if (
      syncMapShapeOfType(v.type) ||
      /^(&?sync\.Map\{\}|new\(sync\.Map\))$/.test(v.value?.text.replace(/\s+/g, '') ?? '')
    )
      containers.set(v.name, { stores: [], deletes: 0, escapes: false });
    else if (v.type?.type === 'type_identifier' && holders.has(v.type.text)) holderVars.add(v.name);
  }
  if (containers.size === 0 && holderVars.size === 0) return;

  for (const file of pkg.files) {
    for (const id of file.root.descendantsOfType('identifier')) {
      const direct = containers.has(id.text);
      if (!direct && !holderVars.has(id.text)) continue;
      const d = file.scopes.resolve(id);
      if (!d || d !== packageDecl(pkg.index, id.text)) continue;
      if (direct) {
        classifyUse(id, containers.get(id.text)!, file);
        continue;
      }
      // A holder variable: `v.f.Method(...)` uses container v.f; a bare `v` (copied, &v) hands every field on.
      const sel = id.parent;
      const field = sel?.type === 'selector_expression' ? sel.childForFieldName('field')?.text : undefined;
      if (!sel || !field || sel.childForFieldName('operand')?.id !== id.id) {
        for (const [k, c] of containers) if (k.startsWith(`${id.text}.`)) c.escapes = true;
        if (!id.parent || id.parent.type !== 'var_spec')
          containers.set(`${id.text}.*`, { stores: [], deletes: 0, escapes: true });
        continue;
      }
      if (!fieldNames.has(field)) continue;
      const key = `${id.text}.${field}`;
      let c = containers.get(key);
      if (!c)
        containers.set(
          key,
          (c = { stores: [], deletes: 0, escapes: containers.get(`${id.text}.*`)?.escapes ?? false }),
        );
      classifyUse(sel, c, file);
    }
  }
  // A file no rule needed parsed may still hand a map on; any mention there other than a read counts as unknown use.
  for (const [name, c] of containers) {
    const root = name.split('.')[0]!;
    // Unparsed files hold no Store/Delete/Swap/Clear calls (those are triggers); `.Load(`/`.Range(` there is harmless.
    const mention = new RegExp(`(?<![\\w.])${root}\\b(?!\\s*\\.\\s*(?:\\w+\\s*\\.\\s*)?(?:Load|Range)\\s*\\()`);
    if (unparsedCode(pkg).some((t) => mention.test(t))) c.escapes = true;
  }
  for (const c of containers.values()) {
    if (c.escapes || c.deletes > 0) continue;
    for (const s of c.stores)
      report(s.file, s.call, {
        message: `${methodName(s.call)} into a long-lived sync.Map that the package never deletes from: it only grows`,
      });
  }
}

const codeOnly = new WeakMap<PackageContext, string[]>();

/** The unparsed files' text without comments, so a map named in prose is not taken for a use. */
function unparsedCode(pkg: PackageContext): string[] {
  let out = codeOnly.get(pkg);
  if (!out) {
    out = pkg.unparsedTexts.map((t) => t.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[ \t])\/\/.*$/gm, '$1'));
    codeOnly.set(pkg, out);
  }
  return out;
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
  else if (m === 'Store' || m === 'Swap') {
    const key = args[0] ? unparen(args[0]) : null;
    if (!key || isTypeKey(key, file) || isConstantKey(key, file) || loadedBefore(sel, key)) return;
    c.stores.push({ file, call });
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

/** Literal keys and package-level names (consts, registries' fixed ids) come from a fixed set. */
function isConstantKey(key: Node, file: FileContext): boolean {
  if (/_literal$/.test(key.type) || key.type === 'true' || key.type === 'false') return true;
  if (key.type === 'identifier') {
    // Unresolved names are package-level names declared in files the prefilter did not need to parse.
    const d = file.scopes.resolve(key);
    return d === undefined || d.kind === 'package' || d.kind === 'func';
  }
  return false;
}

/** Whether the same function calls `<map>.Load(<same key>)` before this store: a cache filled on a miss. */
function loadedBefore(storeSel: Node, key: Node): boolean {
  const recv = storeSel.childForFieldName('operand')?.text;
  let fn: Node | null = storeSel.parent;
  while (fn && fn.type !== 'function_declaration' && fn.type !== 'method_declaration' && fn.type !== 'func_literal')
    fn = fn.parent;
  if (!fn || recv === undefined) return false;
  return fn.descendantsOfType('call_expression').some((c) => {
    if (c.startIndex >= storeSel.startIndex) return false;
    const f = c.childForFieldName('function');
    if (f?.type !== 'selector_expression' || f.childForFieldName('field')?.text !== 'Load') return false;
    return f.childForFieldName('operand')?.text === recv && callArgs(c)[0]?.text === key.text;
  });
}
