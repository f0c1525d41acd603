import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Node, Tree } from 'web-tree-sitter';
import { createGoParser } from '../analysis/goParser';
import { exprList, functionBody, isWithin, kids, rootIdentifier, unparen } from '../analysis/goSyntax';
import { PackageIndex } from '../analysis/packageIndex';
import { ScopeResolver } from '../analysis/scope';
import type { GoSymbol } from './goSymbol';
import type { PatchCheck } from './patchCheck';

/** A parsed Go package: its directory, files' trees, index and scope resolver (from the static analysis engine). */
interface ParsedPackage {
  dir: string;
  trees: Tree[];
  index: PackageIndex;
  scopes: ScopeResolver;
  /** Local import names per file root (e.g. `reflect` → `reflect`). */
  imports: Map<number, Map<string, string>>;
}

/** Finds the directory of a package inside a module: by import path under the module path, or `main`. */
export function packageDir(moduleRoot: string, pkg: string): string | undefined {
  const gomod = readFileSync(path.join(moduleRoot, 'go.mod'), 'utf8');
  const modulePath = /^module\s+(\S+)/m.exec(gomod)?.[1] ?? '';
  if (pkg === modulePath) return moduleRoot;
  if (modulePath && pkg.startsWith(`${modulePath}/`)) return path.join(moduleRoot, pkg.slice(modulePath.length + 1));
  if (pkg === 'main') {
    const mains = goDirs(moduleRoot).filter((d) =>
      goFiles(d).some((f) => /^package\s+main\b/m.test(readFileSync(f, 'utf8'))),
    );
    return mains.length === 1 ? mains[0] : undefined;
  }
  // A bare package name: the one directory of the module whose files declare it.
  const named = goDirs(moduleRoot).filter((d) =>
    goFiles(d).some((f) => new RegExp(`^package\\s+${pkg}\\b`, 'm').test(readFileSync(f, 'utf8'))),
  );
  return named.length === 1 ? named[0] : undefined;
}

function goFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.go') && !n.endsWith('_test.go'))
    .map((n) => path.join(dir, n));
}

function goDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name.endsWith('.go'))) out.push(d);
    for (const e of entries)
      if (e.isDirectory() && !/^[._]/.test(e.name) && e.name !== 'vendor' && e.name !== 'testdata')
        walk(path.join(d, e.name));
  };
  walk(root);
  return out;
}

async function parsePackage(dir: string): Promise<ParsedPackage> {
  const parser = await createGoParser();
  try {
    const trees = goFiles(dir).map((f) => {
      const t = parser.parse(readFileSync(f, 'utf8'));
      if (!t) throw new Error(`cannot parse ${f}`);
      return t;
    });
    const index = new PackageIndex(trees.map((t) => t.rootNode));
    const imports = new Map<number, Map<string, string>>();
    for (const t of trees) {
      const m = new Map<string, string>();
      for (const spec of t.rootNode.descendantsOfType('import_spec')) {
        if (!spec) continue;
        const p = spec.childForFieldName('path')?.text.replace(/^["`]|["`]$/g, '') ?? '';
        const alias = spec.childForFieldName('name')?.text;
        m.set(alias ?? p.slice(p.lastIndexOf('/') + 1), p);
      }
      imports.set(t.rootNode.id, m);
    }
    return { dir, trees, index, scopes: new ScopeResolver(index), imports };
  } finally {
    parser.delete();
  }
}

/** The function a candidate name stands for: a func literal or top-level function, and where it came from. */
interface CandidateFunc {
  fn: Node;
  /** How we found it, for messages: `var FixedNew = fixedNew`, `func fixedNew`, ... */
  via: string;
}

/** Resolves a package-level var or func name to the function it holds (following `var X = f` and `X = func...`). */
function resolveCandidate(pkg: ParsedPackage, name: string): CandidateFunc | string {
  const f = pkg.index.funcs.get(name);
  if (f) return { fn: f, via: `func ${name}` };
  const v = pkg.index.vars.get(name);
  if (!v) return `no package-level var or func '${name}' in ${pkg.dir}`;
  let value = v.value ? unparen(v.value) : null;
  let via = `var ${name}`;
  if (!value) {
    // Assigned later, e.g. in init(): take the single assignment `name = expr` in the package.
    const assigns: Node[] = [];
    for (const t of pkg.trees)
      for (const a of t.rootNode.descendantsOfType('assignment_statement')) {
        if (!a) continue;
        const left = exprList(a.childForFieldName('left'));
        const right = exprList(a.childForFieldName('right'));
        left.forEach((l, i) => {
          const r = right[i];
          if (l.type === 'identifier' && l.text === name && pkg.scopes.resolve(l)?.kind === 'package' && r)
            assigns.push(r);
        });
      }
    if (assigns.length !== 1)
      return `var ${name} has no initializer and ${assigns.length} assignments; cannot tell which function it holds`;
    value = unparen(assigns[0]!);
    via = `${name} = ... (assigned in a function)`;
  }
  if (value.type === 'func_literal') return { fn: value, via };
  if (value.type === 'identifier') {
    const target = pkg.index.funcs.get(value.text);
    if (target) return { fn: target, via: `${via} = ${value.text}` };
  }
  return `${via} holds '${value.text.slice(0, 60)}', not a function literal or a top-level function of the package`;
}

function signatureOk(fn: Node): string | undefined {
  const params = fn.childForFieldName('parameters');
  if (params && kids(params).some((p) => p.type !== 'comment')) return 'takes parameters';
  const result = fn.childForFieldName('result')?.text.replace(/\s+/g, '');
  if (result !== 'any' && result !== 'interface{}') return `returns ${result ?? 'nothing'}, not any`;
  return undefined;
}

/** Same-package top-level functions reachable from `fn` through direct calls (fn first). */
function reachable(pkg: ParsedPackage, fn: Node): Node[] {
  const seen = new Map<number, Node>([[fn.id, fn]]);
  const queue = [fn];
  while (queue.length) {
    const cur = queue.shift()!;
    for (const call of cur.descendantsOfType('call_expression')) {
      const callee = call?.childForFieldName('function');
      if (callee?.type !== 'identifier') continue;
      const decl = pkg.scopes.resolve(callee);
      if (decl?.kind !== 'func') continue;
      const target = pkg.index.funcs.get(decl.name);
      if (target && !seen.has(target.id)) {
        seen.set(target.id, target);
        queue.push(target);
      }
    }
  }
  return [...seen.values()];
}

function importsOf(pkg: ParsedPackage, node: Node): Map<string, string> {
  let root = node;
  while (root.parent) root = root.parent;
  return pkg.imports.get(root.id) ?? new Map();
}

/** Identifiers in `fn` that refer to variables of an enclosing function (closure captures). */
function captures(pkg: ParsedPackage, fn: Node): string[] {
  const out = new Set<string>();
  for (const id of fn.descendantsOfType('identifier')) {
    if (!id) continue;
    const d = pkg.scopes.resolve(id);
    if (d?.owner && !isWithin(d.owner, fn)) out.add(d.name);
  }
  return [...out];
}

/** Writes to package-level state in `fn`: assignments, ++/--, address-taking and method calls on package vars. */
function packageWrites(pkg: ParsedPackage, fn: Node): string[] {
  const out = new Set<string>();
  const isPkgVar = (n: Node | null): n is Node => !!n && pkg.scopes.resolve(n)?.kind === 'package';
  for (const a of fn.descendantsOfType(['assignment_statement', 'inc_statement', 'dec_statement'])) {
    if (!a) continue;
    const lefts = a.type === 'assignment_statement' ? exprList(a.childForFieldName('left')) : kids(a).slice(0, 1);
    for (const l of lefts) {
      const root = rootIdentifier(l);
      if (isPkgVar(root)) out.add(`assigns ${l.text}`);
    }
  }
  for (const u of fn.descendantsOfType('unary_expression')) {
    if (u?.childForFieldName('operator')?.text !== '&') continue;
    const root = rootIdentifier(u.childForFieldName('operand') ?? u);
    if (isPkgVar(root)) out.add(`takes the address of ${root.text}`);
  }
  for (const call of fn.descendantsOfType('call_expression')) {
    const callee = call?.childForFieldName('function');
    if (callee?.type !== 'selector_expression') continue;
    const root = rootIdentifier(callee.childForFieldName('operand') ?? callee);
    if (isPkgVar(root)) out.add(`calls ${callee.text}() on package-level ${root.text}`);
  }
  return [...out];
}

/** Uses of reflect/unsafe and go statements in `fn`. */
function forbidden(pkg: ParsedPackage, fn: Node): string[] {
  const out = new Set<string>();
  const imports = importsOf(pkg, fn);
  for (const sel of fn.descendantsOfType(['selector_expression', 'qualified_type'])) {
    if (!sel) continue;
    const operand = sel.type === 'qualified_type' ? sel.childForFieldName('package') : sel.childForFieldName('operand');
    if (operand?.type !== 'identifier' && operand?.type !== 'package_identifier') continue;
    const p = imports.get(operand.text);
    if ((p === 'reflect' || p === 'unsafe') && !pkg.scopes.resolve(operand)) out.add(`uses ${p} (${sel.text})`);
  }
  for (const g of fn.descendantsOfType('go_statement')) if (g) out.add(`starts a goroutine (${g.text.slice(0, 40)})`);
  return [...out];
}

/** Why a returned expression is a freshly made value, or undefined when it may not be. */
function freshness(pkg: ParsedPackage, fn: Node, expr: Node): string | undefined {
  const e = unparen(expr);
  const made = (n: Node | null): boolean => {
    if (!n) return false;
    const x = unparen(n);
    if (x.type === 'composite_literal') return true;
    if (x.type === 'call_expression') {
      const c = x.childForFieldName('function')?.text;
      return c === 'make' || c === 'new';
    }
    return false;
  };
  if (made(e)) return e.text;
  if (e.type === 'unary_expression' && e.childForFieldName('operator')?.text === '&') {
    const operand = unparen(e.childForFieldName('operand') ?? e);
    if (operand.type === 'composite_literal') return e.text;
    if (operand.type === 'identifier') {
      const d = pkg.scopes.resolve(operand);
      if (d?.kind === 'local' && d.owner?.id === fn.id && made(d.value))
        return `${e.text} (${operand.text} := ${d.value?.text})`;
    }
  }
  if (e.type === 'identifier') {
    const d = pkg.scopes.resolve(e);
    if (d?.kind === 'local' && d.owner?.id === fn.id && made(d.value)) return `${e.text} (${d.value?.text})`;
  }
  return undefined;
}

/** The static Go type a returned expression has, when it is obvious from the syntax (`&x` of `make([]T)` → `*[]T`). */
function staticReturnType(pkg: ParsedPackage, fn: Node): string | undefined {
  const types = new Set<string>();
  for (const r of returnExprs(fn)) {
    const t = exprType(pkg, fn, r);
    if (!t) return undefined;
    types.add(t);
  }
  return types.size === 1 ? [...types][0] : undefined;
}

function exprType(pkg: ParsedPackage, fn: Node, expr: Node): string | undefined {
  const e = unparen(expr);
  const norm = (s: string | undefined): string | undefined => s?.replace(/\s+/g, '');
  if (e.type === 'composite_literal') return norm(e.childForFieldName('type')?.text);
  if (e.type === 'call_expression') {
    const c = e.childForFieldName('function')?.text;
    const first = e.childForFieldName('arguments')?.namedChild(0);
    if (c === 'make') return norm(first?.text);
    if (c === 'new') return first ? `*${norm(first.text)}` : undefined;
    return undefined;
  }
  if (e.type === 'unary_expression' && e.childForFieldName('operator')?.text === '&') {
    const inner = exprType(pkg, fn, e.childForFieldName('operand') ?? e);
    return inner ? `*${inner}` : undefined;
  }
  if (e.type === 'identifier') {
    const d = pkg.scopes.resolve(e);
    if (d?.kind === 'local' && d.owner?.id === fn.id) {
      if (d.type) return norm(d.type.text);
      if (d.value) return exprType(pkg, fn, d.value);
    }
  }
  return undefined;
}

function returnExprs(fn: Node): Node[] {
  const body = functionBody(fn);
  if (!body) return [];
  return body
    .descendantsOfType('return_statement')
    .filter((r): r is Node => !!r && nearestFunction(r)?.id === fn.id)
    .flatMap((r) => exprList(r.namedChild(0)));
}

function nearestFunction(n: Node): Node | null {
  for (let p = n.parent; p; p = p.parent)
    if (p.type === 'func_literal' || p.type === 'function_declaration' || p.type === 'method_declaration') return p;
  return null;
}

/** Where to find the pool's current New in the source: `var Pool = sync.Pool{New: f}`. */
function poolNewFunc(pkg: ParsedPackage, poolName: string): CandidateFunc | string {
  const v = pkg.index.vars.get(poolName);
  if (!v?.value) return `no package-level var ${poolName} with an initializer in ${pkg.dir}`;
  for (const kv of v.value.descendantsOfType('keyed_element')) {
    const key = kv?.childForFieldName('key')?.text.trim();
    const val = kv?.childForFieldName('value');
    if (key !== 'New' || !val) continue;
    const inner = unparen(val.namedChild(0) ?? val);
    if (inner.type === 'func_literal') return { fn: inner, via: `${poolName}{New: func...}` };
    if (inner.type === 'identifier') {
      const f = pkg.index.funcs.get(inner.text);
      if (f) return { fn: f, via: `${poolName}{New: ${inner.text}}` };
    }
    return `${poolName}.New is '${inner.text.slice(0, 40)}'`;
  }
  return `${poolName} has no New field in its literal`;
}

/** Inputs of the static checks: the module root and the two symbols, already resolved to import paths. */
export interface StaticCheckInput {
  moduleRoot: string;
  pool: GoSymbol;
  candidate: GoSymbol;
}

/**
 * The static sandbox checks on the candidate's source (seed 4.3), using the static engine's parser, package index
 * and scope resolution: signature `func() any`, no captured variables, no package-level writes, no reflect/unsafe/go
 * (also in same-package functions it calls), returns a freshly made value, and the same static return type as the
 * pool's current New when both are evident from the syntax.
 */
export async function staticCandidateChecks(input: StaticCheckInput): Promise<PatchCheck[]> {
  const checks: PatchCheck[] = [];
  if (!existsSync(path.join(input.moduleRoot, 'go.mod'))) {
    return [
      {
        name: 'candidate-source',
        passed: false,
        detail: `no go.mod in ${input.moduleRoot}: pass --source with the module root of the target's sources`,
      },
    ];
  }
  const dir = packageDir(input.moduleRoot, input.candidate.pkg);
  if (!dir) {
    return [
      {
        name: 'candidate-source',
        passed: false,
        detail: `package ${input.candidate.pkg} not found under ${input.moduleRoot} (pass --source MODULE_ROOT)`,
      },
    ];
  }
  const pkg = await parsePackage(dir);
  try {
    const cand = resolveCandidate(pkg, input.candidate.name);
    if (typeof cand === 'string') return [{ name: 'candidate-source', passed: false, detail: cand }];
    checks.push({
      name: 'candidate-source',
      passed: true,
      detail: `${cand.via} in ${path.relative(input.moduleRoot, dir) || '.'}`,
    });
    const sig = signatureOk(cand.fn);
    checks.push({ name: 'signature', passed: !sig, detail: sig ?? 'func() any' });
    const caps = captures(pkg, cand.fn);
    checks.push({
      name: 'no-captures',
      passed: caps.length === 0,
      detail: caps.length ? `captures ${caps.join(', ')} from an enclosing function` : 'no closure state',
    });
    const fns = reachable(pkg, cand.fn);
    const writes = fns.flatMap((f) => packageWrites(pkg, f));
    checks.push({
      name: 'no-package-writes',
      passed: writes.length === 0,
      detail: writes.length ? writes.join('; ') : 'writes no package-level state',
    });
    const bad = fns.flatMap((f) => forbidden(pkg, f));
    checks.push({
      name: 'no-reflect-unsafe-go',
      passed: bad.length === 0,
      detail: bad.length ? bad.join('; ') : 'no reflect, unsafe or go statements',
    });
    const rets = returnExprs(cand.fn);
    const stale = rets.filter((r) => !freshness(pkg, cand.fn, r));
    checks.push({
      name: 'returns-fresh-value',
      passed: rets.length > 0 && stale.length === 0,
      detail:
        rets.length === 0
          ? 'no return statement found'
          : stale.length
            ? `may return a shared value: ${stale.map((s) => s.text).join(', ')}`
            : rets.map((r) => freshness(pkg, cand.fn, r)).join(', '),
    });
    // Static type check against the pool's current New, when both sources say it plainly.
    const poolDir = packageDir(input.moduleRoot, input.pool.pkg);
    const poolPkg = poolDir === dir ? pkg : poolDir ? await parsePackage(poolDir) : undefined;
    const orig = poolPkg ? poolNewFunc(poolPkg, input.pool.name) : `package ${input.pool.pkg} not found`;
    const candType = staticReturnType(pkg, cand.fn);
    const origType = typeof orig === 'string' || !poolPkg ? undefined : staticReturnType(poolPkg, orig.fn);
    if (candType && origType) {
      checks.push({
        name: 'static-type',
        passed: candType === origType,
        detail:
          candType === origType
            ? `both return ${candType}`
            : `candidate returns ${candType}, the current New returns ${origType}`,
      });
    } else {
      checks.push({
        name: 'static-type',
        passed: true,
        detail: `not evident from the syntax (candidate: ${candType ?? '?'}, current New: ${origType ?? (typeof orig === 'string' ? orig : '?')}); the sandbox run compares dynamic types`,
      });
    }
    if (poolPkg && poolPkg !== pkg) for (const t of poolPkg.trees) t.delete();
  } finally {
    for (const t of pkg.trees) t.delete();
  }
  return checks;
}
