import type { Node } from 'web-tree-sitter';
import { exprList, FUNCTION_TYPES, kids, topLevelOf } from './goSyntax';
import type { PackageIndex } from './packageIndex';

/** What kind of name a declaration introduces, as far as leak rules care. */
export type DeclKind = 'local' | 'param' | 'result' | 'receiver' | 'package' | 'func';

/** One declared name: where it is declared, in which function frame, and with which type and value when written. */
export interface Decl {
  name: string;
  kind: DeclKind;
  /** The declaring identifier. */
  ident: Node;
  /** The function, method or func literal whose frame owns the name; null for package-level names. */
  owner: Node | null;
  /** The declared type, when written. */
  type: Node | null;
  /** The initial value when the declaration pairs names and values one to one (`x := v`, `var x = v`). */
  value: Node | null;
  /** Whether the name came from a range clause (`for k, v := range x`). */
  fromRange: boolean;
}

type Frame = Map<string, Decl>;

/**
 * Resolves identifiers to declarations with Go's block scoping: parameters, named results, receivers, locals from
 * `:=`/`var`/range/type-switch/select cases, shadowing, and package-level names from the PackageIndex. It works one
 * top-level declaration at a time and caches the result, so rules pay only for functions they look at.
 */
export class ScopeResolver {
  private readonly resolved = new Map<number, Decl>();
  private readonly uses = new Map<Decl, Node[]>();
  private readonly done = new Set<number>();
  private readonly declAt = new Map<number, Decl>();
  /** Identifiers no local declaration covers, by name: package-level names, imports or builtins, told apart lazily. */
  private readonly unresolved = new Map<number, Node>();

  constructor(private readonly pkg: PackageIndex) {}

  /** The declaration an identifier refers to (or declares); undefined for imports, builtins and unknown names. */
  resolve(ident: Node): Decl | undefined {
    this.ensure(ident);
    const d = this.resolved.get(ident.startIndex) ?? this.declAt.get(ident.startIndex);
    if (d) return d;
    if (!this.unresolved.has(ident.startIndex)) return undefined;
    const pd = packageDecl(this.pkg, ident.text);
    if (pd) this.record(ident, pd);
    this.unresolved.delete(ident.startIndex);
    return pd;
  }

  /** Every identifier that refers to `decl` within the declarations walked so far (declaring identifiers excluded). */
  usesOf(decl: Decl): Node[] {
    if (decl.owner) this.ensure(decl.owner);
    else
      for (const [at, n] of this.unresolved)
        if (n.text === decl.name) {
          this.record(n, decl);
          this.unresolved.delete(at);
        }
    return this.uses.get(decl) ?? [];
  }

  private record(ident: Node, d: Decl): void {
    this.resolved.set(ident.startIndex, d);
    const list = this.uses.get(d);
    if (list) list.push(ident);
    else this.uses.set(d, [ident]);
  }

  /** Whether a reference sits in a different function frame than the one owning its declaration (a closure capture). */
  isCaptured(ident: Node, decl: Decl): boolean {
    if (!decl.owner) return false;
    for (let p = ident.parent; p; p = p.parent) if (FUNCTION_TYPES.has(p.type)) return p.id !== decl.owner.id;
    return false;
  }

  private ensure(node: Node): void {
    const top = topLevelOf(node);
    if (this.done.has(top.startIndex)) return;
    this.done.add(top.startIndex);
    const w = new Walker(this.resolved, this.uses, this.declAt, this.unresolved);
    w.walk(top, null);
  }
}

class Walker {
  private readonly frames: Frame[] = [];
  constructor(
    private readonly resolved: Map<number, Decl>,
    private readonly uses: Map<Decl, Node[]>,
    private readonly declAt: Map<number, Decl>,
    private readonly unresolved: Map<number, Node>,
  ) {}

  private push(): void {
    this.frames.push(new Map());
  }
  private pop(): void {
    this.frames.pop();
  }

  private declare(
    ident: Node,
    kind: DeclKind,
    owner: Node | null,
    type: Node | null,
    value: Node | null,
    fromRange = false,
  ): void {
    if (ident.type !== 'identifier' || ident.text === '_') return;
    const d: Decl = { name: ident.text, kind, ident, owner, type, value, fromRange };
    this.frames[this.frames.length - 1]?.set(d.name, d);
    this.declAt.set(ident.startIndex, d);
  }

  private lookup(name: string): Decl | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const d = this.frames[i]!.get(name);
      if (d) return d;
    }
    return undefined;
  }

  private ref(ident: Node): void {
    const d = this.lookup(ident.text);
    if (!d) {
      this.unresolved.set(ident.startIndex, ident);
      return;
    }
    this.resolved.set(ident.startIndex, d);
    const list = this.uses.get(d);
    if (list) list.push(ident);
    else this.uses.set(d, [ident]);
  }

  private params(list: Node | null, kind: DeclKind, owner: Node): void {
    if (!list) return;
    for (const pd of kids(list)) {
      if (pd.type !== 'parameter_declaration' && pd.type !== 'variadic_parameter_declaration') continue;
      const type = pd.childForFieldName('type');
      for (const n of pd.childrenForFieldName('name')) this.declare(n, kind, owner, type, null);
    }
  }

  walk(node: Node, fn: Node | null): void {
    switch (node.type) {
      case 'identifier':
        this.ref(node);
        return;
      case 'function_declaration':
      case 'method_declaration':
      case 'func_literal': {
        this.push();
        if (node.type === 'method_declaration') this.params(node.childForFieldName('receiver'), 'receiver', node);
        this.params(node.childForFieldName('parameters'), 'param', node);
        const result = node.childForFieldName('result');
        if (result?.type === 'parameter_list') this.params(result, 'result', node);
        const body = node.childForFieldName('body');
        if (body) this.children(body, node);
        this.pop();
        return;
      }
      case 'block':
      case 'if_statement':
      case 'for_statement':
      case 'expression_switch_statement':
      case 'select_statement':
      case 'expression_case':
      case 'default_case':
      case 'type_case':
        this.push();
        this.children(node, fn);
        this.pop();
        return;
      case 'type_switch_statement': {
        this.push();
        const init = node.childForFieldName('initializer');
        if (init) this.walk(init, fn);
        const value = node.childForFieldName('value');
        if (value) this.walk(value, fn);
        const alias = exprList(node.childForFieldName('alias'));
        for (const c of kids(node)) {
          if (c.type !== 'type_case' && c.type !== 'default_case') continue;
          this.push();
          for (const a of alias) this.declare(a, 'local', fn, null, null);
          this.children(c, fn);
          this.pop();
        }
        this.pop();
        return;
      }
      case 'communication_case': {
        this.push();
        this.children(node, fn);
        this.pop();
        return;
      }
      case 'receive_statement': {
        const right = node.childForFieldName('right');
        if (right) this.walk(right, fn);
        const left = exprList(node.childForFieldName('left'));
        if (hasDefineToken(node)) for (const l of left) this.declare(l, 'local', fn, null, null);
        else for (const l of left) this.walk(l, fn);
        return;
      }
      case 'short_var_declaration': {
        const right = exprList(node.childForFieldName('right'));
        for (const r of right) this.walk(r, fn);
        const left = exprList(node.childForFieldName('left'));
        const frame = this.frames[this.frames.length - 1];
        left.forEach((l, i) => {
          if (l.type === 'identifier' && frame?.has(l.text)) this.ref(l);
          else this.declare(l, 'local', fn, null, right.length === left.length ? (right[i] ?? null) : null);
        });
        return;
      }
      case 'range_clause': {
        const right = node.childForFieldName('right');
        if (right) this.walk(right, fn);
        const left = exprList(node.childForFieldName('left'));
        if (hasDefineToken(node)) for (const l of left) this.declare(l, 'local', fn, null, right, true);
        else for (const l of left) this.walk(l, fn);
        return;
      }
      case 'var_declaration':
      case 'const_declaration': {
        if (!fn) {
          // Package level: names are in the PackageIndex; still walk values (func literals) for references.
          for (const c of kids(node)) this.walkSpecValues(c, fn);
          return;
        }
        for (const spec of specList(node)) {
          const values = exprList(spec.childForFieldName('value'));
          for (const v of values) this.walk(v, fn);
          const type = spec.childForFieldName('type');
          const names = spec.childrenForFieldName('name');
          names.forEach((n, i) =>
            this.declare(n, 'local', fn, type, values.length === names.length ? (values[i] ?? null) : null),
          );
        }
        return;
      }
      case 'selector_expression': {
        const operand = node.childForFieldName('operand');
        if (operand) this.walk(operand, fn);
        return;
      }
      case 'keyed_element': {
        // A struct literal key names a field, not a variable; map keys that are variables are rare enough to ignore.
        const key = node.childForFieldName('key');
        if (key && !(key.namedChildCount === 1 && key.namedChild(0)?.type === 'identifier')) this.walk(key, fn);
        const value = node.childForFieldName('value');
        if (value) this.walk(value, fn);
        return;
      }
      case 'labeled_statement':
      case 'break_statement':
      case 'continue_statement':
      case 'goto_statement':
        for (const c of kids(node)) if (c.type !== 'label_name') this.walk(c, fn);
        return;
      case 'type_declaration':
      case 'import_declaration':
      case 'package_clause':
      case 'comment':
        return;
      default:
        this.children(node, fn);
    }
  }

  private walkSpecValues(node: Node, fn: Node | null): void {
    if (node.type === 'var_spec' || node.type === 'const_spec') {
      for (const v of exprList(node.childForFieldName('value'))) this.walk(v, fn);
    } else if (node.type === 'var_spec_list') for (const c of kids(node)) this.walkSpecValues(c, fn);
  }

  private children(node: Node, fn: Node | null): void {
    for (const c of kids(node)) this.walk(c, fn);
  }
}

function specList(decl: Node): Node[] {
  return kids(decl).flatMap((c) =>
    c.type === 'var_spec' || c.type === 'const_spec'
      ? [c]
      : c.type === 'var_spec_list'
        ? kids(c).filter((s) => s.type === 'var_spec')
        : [],
  );
}

function hasDefineToken(node: Node): boolean {
  for (let i = 0; i < node.childCount; i++) if (node.child(i)?.type === ':=') return true;
  return false;
}

const packageDecls = new WeakMap<PackageIndex, Map<string, Decl | null>>();

/** The single Decl object for a package-level name, shared by every file of the package so uses compare by identity. */
export function packageDecl(pkg: PackageIndex, name: string): Decl | undefined {
  let m = packageDecls.get(pkg);
  if (!m) packageDecls.set(pkg, (m = new Map()));
  const hit = m.get(name);
  if (hit !== undefined) return hit ?? undefined;
  const v = pkg.varNamed(name);
  const f = v ? undefined : pkg.declarationsNamed(name, false)[0];
  const ident = v?.ident ?? f?.childForFieldName('name');
  if (!ident) {
    m.set(name, null); // imports and builtins are asked about again and again
    return undefined;
  }
  const d: Decl = {
    name,
    kind: v ? 'package' : 'func',
    ident,
    owner: null,
    type: v?.type ?? null,
    value: v?.value ?? null,
    fromRange: false,
  };
  m.set(name, d);
  return d;
}
