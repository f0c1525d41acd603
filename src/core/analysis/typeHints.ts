import type { Node } from 'web-tree-sitter';
import { calleeText, unparen } from './goSyntax';
import type { FileContext, PackageContext } from './rule';

/** What syntax alone tells about an expression's relation to sync.Map: the value itself, a pointer to one, or unknown. */
export type SyncMapShape = 'value' | 'pointer' | undefined;

/** Classifies a written type: `sync.Map` → value, `*sync.Map` → pointer. */
export function syncMapShapeOfType(type: Node | null): SyncMapShape {
  const t = type?.text.replace(/\s+/g, '');
  return t === 'sync.Map' ? 'value' : t === '*sync.Map' ? 'pointer' : undefined;
}

/** Classifies an initialiser: `sync.Map{}` → value, `&sync.Map{}`/`new(sync.Map)` → pointer. */
export function syncMapShapeOfValue(value: Node | null): SyncMapShape {
  if (!value) return undefined;
  const v = unparen(value);
  const t = v.text.replace(/\s+/g, '');
  if (t === 'sync.Map{}') return 'value';
  if (t === '&sync.Map{}' || t === 'new(sync.Map)') return 'pointer';
  return undefined;
}

/** Whether an expression denotes a sync.Map (by value or pointer) as far as declarations in the package show. */
export function syncMapShape(expr: Node, file: FileContext, pkg: PackageContext): SyncMapShape {
  const e = unparen(expr);
  if (e.type === 'identifier') {
    const d = file.scopes.resolve(e);
    if (!d) return undefined;
    return syncMapShapeOfType(d.type) ?? (d.fromRange ? undefined : syncMapShapeOfValue(d.value));
  }
  if (e.type === 'selector_expression') {
    const field = e.childForFieldName('field')?.text;
    if (!field) return undefined;
    let shape: SyncMapShape;
    for (const fields of pkg.index.structs.values())
      for (const f of fields) {
        if (f.name !== field) continue;
        const s = syncMapShapeOfType(f.type);
        if (!s) return undefined; // a same-named field of another type: ambiguous, so claim nothing
        shape = s;
      }
    return shape;
  }
  if (e.type === 'unary_expression' && e.child(0)?.type === '&') {
    const inner = e.childForFieldName('operand');
    return inner && syncMapShape(inner, file, pkg) === 'value' ? 'pointer' : undefined;
  }
  return undefined;
}

/** Whether an expression is an `unsafe.Pointer(...)` conversion. */
export function isUnsafePointerConversion(expr: Node): boolean {
  const e = unparen(expr);
  return e.type === 'call_expression' && calleeText(e) === 'unsafe.Pointer';
}

/** Whether an expression denotes a sync.Pool, from declarations of vars and fields in the package. */
export function isSyncPool(expr: Node, file: FileContext, pkg: PackageContext): boolean {
  const e = unparen(expr);
  const poolType = (t: Node | null): boolean => /^\*?sync\.Pool$/.test(t?.text.replace(/\s+/g, '') ?? '');
  const poolValue = (v: Node | null): boolean =>
    /^(&?sync\.Pool\{|new\(sync\.Pool\)$)/.test(v ? unparen(v).text.replace(/\s+/g, '') : '');
  if (e.type === 'identifier') {
    const d = file.scopes.resolve(e);
    return !!d && (poolType(d.type) || (!d.fromRange && poolValue(d.value)));
  }
  if (e.type === 'selector_expression') {
    const field = e.childForFieldName('field')?.text;
    let found = false;
    for (const fields of pkg.index.structs.values())
      for (const f of fields) {
        if (f.name !== field) continue;
        if (!poolType(f.type)) return false;
        found = true;
      }
    return found;
  }
  return false;
}
