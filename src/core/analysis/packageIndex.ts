import type { Node } from 'web-tree-sitter';
import { exprList, isSyncMapType, kids } from './goSyntax';

/** How many single-name lookups are answered from the text before indexing the whole package instead. */
const TEXT_LOOKUPS = 8;

/** A package-level variable: its name identifier, declared type (if written) and initial value (if 1:1). */
export interface PackageVar {
  name: string;
  ident: Node;
  type: Node | null;
  value: Node | null;
}

/** One field of a struct type; `name` is null for an embedded field. */
export interface StructField {
  name: string | null;
  ident: Node | null;
  type: Node;
}

/** The package-level names rules need across files: vars, funcs, methods and struct types. */
export class PackageIndex {
  private readonly v = new Map<string, PackageVar>();
  private readonly f = new Map<string, Node>();
  private readonly m = new Map<string, Node[]>();
  private readonly s = new Map<string, StructField[]>();
  private built = false;
  /** Text lookups so far; past TEXT_LOOKUPS the full index is cheaper than scanning the texts again. */
  private lookups = 0;
  private syncMapHolders: Set<string> | undefined;

  /**
   * Indexing is deferred to the first question: in the editor most relints never ask one. With the files' texts,
   * single lookups of a function or method by name are answered from the text without indexing everything.
   */
  constructor(
    private readonly roots: Node[],
    private readonly texts?: readonly string[],
  ) {}

  /** The package-level var or const named `name`, found from the text without a full index when possible. */
  varNamed(name: string): PackageVar | undefined {
    if (this.built || !this.texts || !/^\w+$/.test(name) || ++this.lookups > TEXT_LOOKUPS) return this.vars.get(name);
    const re = new RegExp(`^(?:var|const)?[ \\t]*(?:\\w+[ \\t]*,[ \\t]*)*${name}\\b`, 'gm');
    for (let i = 0; i < this.texts.length; i++) {
      const text = this.texts[i]!;
      const root = this.roots[i];
      if (!root) continue;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        const at = m.index + m[0].length - name.length;
        const ident = root.namedDescendantForIndex(at, at + name.length);
        const spec = ident?.parent;
        if (ident?.type !== 'identifier' || (spec?.type !== 'var_spec' && spec?.type !== 'const_spec')) continue;
        const decl = spec.parent?.type === 'var_spec_list' ? spec.parent.parent : spec.parent;
        if (decl?.parent?.id !== root.id) continue;
        const hit = varsOfSpec(spec).find((v) => v.name === name);
        if (hit) return hit;
      }
    }
    return undefined;
  }

  /** Top-level functions (`method` false) or methods named `name`, found without a full index when possible. */
  declarationsNamed(name: string, method: boolean): Node[] {
    if (this.built || !this.texts || !/^\w+$/.test(name) || ++this.lookups > TEXT_LOOKUPS) {
      if (method) return this.methods.get(name) ?? [];
      const f = this.funcs.get(name);
      return f ? [f] : [];
    }
    const re = method
      ? new RegExp(`^func[ \\t]*\\([^)]*\\)[ \\t]*${name}[ \\t]*[[(]`, 'gm')
      : new RegExp(`^func[ \\t]+${name}[ \\t]*[[(]`, 'gm');
    const out: Node[] = [];
    this.texts.forEach((text, i) => {
      const root = this.roots[i];
      if (!root) return;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        const decl = root.namedDescendantForIndex(m.index, m.index + 4);
        let d: Node | null = decl;
        while (d && d.type !== 'function_declaration' && d.type !== 'method_declaration') d = d.parent;
        if (d && d.parent?.id === root.id && d.childForFieldName('name')?.text === name) out.push(d);
      }
    });
    return out;
  }

  private build(): void {
    if (this.built) return;
    this.built = true;
    for (const root of this.roots) for (const decl of kids(root)) this.add(decl);
  }

  /** Package-level vars (and consts) by name. */
  get vars(): Map<string, PackageVar> {
    this.build();
    return this.v;
  }
  /** Top-level functions by name. */
  get funcs(): Map<string, Node> {
    this.build();
    return this.f;
  }
  /** Methods by method name (several receiver types may share one). */
  get methods(): Map<string, Node[]> {
    this.build();
    return this.m;
  }
  /** Struct types by type name. */
  get structs(): Map<string, StructField[]> {
    this.build();
    return this.s;
  }

  private add(decl: Node): void {
    switch (decl.type) {
      case 'var_declaration':
      case 'const_declaration':
        for (const spec of specsOf(decl)) for (const v of varsOfSpec(spec)) this.v.set(v.name, v);
        break;
      case 'function_declaration': {
        const name = decl.childForFieldName('name');
        if (name) this.f.set(name.text, decl);
        break;
      }
      case 'method_declaration': {
        const name = decl.childForFieldName('name');
        if (name) this.m.set(name.text, [...(this.m.get(name.text) ?? []), decl]);
        break;
      }
      case 'type_declaration':
        for (const spec of kids(decl).filter((c) => c.type === 'type_spec')) {
          const name = spec.childForFieldName('name');
          const type = spec.childForFieldName('type');
          if (!name || type?.type !== 'struct_type') continue;
          const fields: StructField[] = [];
          for (const fd of type.descendantsOfType('field_declaration')) {
            if (fd.parent?.parent?.id !== type.id) continue;
            const ft = fd.childForFieldName('type');
            if (!ft) continue;
            const names = fd.childrenForFieldName('name');
            if (names.length === 0) fields.push({ name: null, ident: null, type: ft });
            for (const n of names) fields.push({ name: n.text, ident: n, type: ft });
          }
          this.s.set(name.text, fields);
        }
        break;
    }
  }

  /** Names of struct types in this package that hold a `sync.Map` by value, directly or through value fields. */
  syncMapHolderTypes(): Set<string> {
    if (this.syncMapHolders) return this.syncMapHolders;
    const holders = new Set<string>();
    let changed = true;
    while (changed) {
      changed = false;
      for (const [name, fields] of this.structs) {
        if (holders.has(name)) continue;
        if (
          fields.some((f) => isSyncMapType(f.type) || (f.type.type === 'type_identifier' && holders.has(f.type.text)))
        ) {
          holders.add(name);
          changed = true;
        }
      }
    }
    this.syncMapHolders = holders;
    return holders;
  }

  /** Names of struct fields declared with type `sync.Map` (by value) in any struct of the package. */
  syncMapFieldNames(): Set<string> {
    const out = new Set<string>();
    for (const fields of this.structs.values())
      for (const f of fields) if (f.name && isSyncMapType(f.type)) out.add(f.name);
    return out;
  }
}

/** The var_spec/const_spec nodes of one var or const declaration, grouped or not. */
export function specsOf(decl: Node): Node[] {
  return kids(decl).flatMap((c) =>
    c.type === 'var_spec' || c.type === 'const_spec'
      ? [c]
      : c.type === 'var_spec_list'
        ? kids(c).filter((s) => s.type === 'var_spec')
        : [],
  );
}

/** The package vars (or consts) one spec declares, pairing names with values when they match one to one. */
function varsOfSpec(spec: Node): PackageVar[] {
  const names = spec.childrenForFieldName('name').filter((n) => n.type === 'identifier');
  const values = exprList(spec.childForFieldName('value'));
  const type = spec.childForFieldName('type');
  return names
    .filter((ident) => ident.text !== '_')
    .map((ident) => ({
      name: ident.text,
      ident,
      type,
      value: values.length === names.length ? (values[names.indexOf(ident)] ?? null) : null,
    }));
}
