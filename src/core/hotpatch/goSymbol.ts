import { HotpatchError } from './hotpatchErrors';

/** A package-level Go name as the user wrote it (`pool.BufPool` or `example.com/app/pool.BufPool`). */
export interface GoSymbol {
  /** Import path when known (`example.com/app/pool`), else the package name as written (`pool`). */
  pkg: string;
  /** The identifier (`BufPool`). */
  name: string;
}

const pkgRe = /^[A-Za-z0-9_.~-]+(?:\/[A-Za-z0-9_.~-]+)*$/;
const identRe = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses `PKG.NAME`, where PKG is a package name or an import path. Only plain names pass, so nothing the user types
 * can smuggle an expression into what we send Delve.
 */
export function parseGoSymbol(text: string): GoSymbol {
  const slash = text.lastIndexOf('/');
  const dot = text.indexOf('.', slash + 1);
  const pkg = dot > 0 ? text.slice(0, dot) : '';
  const name = dot > 0 ? text.slice(dot + 1) : '';
  if (!pkg || !pkgRe.test(pkg) || !identRe.test(name))
    throw new HotpatchError(
      'bad-symbol',
      `'${text}' is not a package-level name of the form pkg.Name or import/path.Name`,
    );
  return { pkg, name };
}

/** The symbol's full linker name (`example.com/app/pool.BufPool`; `main.x` for package main). */
export function linkerName(s: GoSymbol): string {
  return `${s.pkg}.${s.name}`;
}

/** The package name (last import path element). */
export function packageName(s: GoSymbol): string {
  return s.pkg.slice(s.pkg.lastIndexOf('/') + 1);
}

/** The expression Delve understands for the symbol: `pool.BufPool`, or `"example.com/app/pool".BufPool`. */
export function delveExpr(s: GoSymbol): string {
  return s.pkg.includes('/') || s.pkg.includes('.') ? `"${s.pkg}".${s.name}` : `${s.pkg}.${s.name}`;
}

/**
 * Resolves a symbol the user wrote to its full linker name using the binary's symbol names: an exact match wins,
 * else the one symbol whose import path ends in `/PKG`. Throws when none or several match.
 */
export function resolveAgainst(s: GoSymbol, symbolNames: Iterable<string>): GoSymbol {
  const full = linkerName(s);
  const suffix = `/${full}`;
  const hits = new Set<string>();
  for (const n of symbolNames) {
    if (n === full) return s;
    if (n.endsWith(suffix)) hits.add(n);
  }
  if (hits.size === 1) return parseGoSymbol([...hits][0]!);
  if (hits.size > 1)
    throw new HotpatchError(
      'bad-symbol',
      `'${full}' is ambiguous: ${[...hits].sort().join(', ')}; use the import path`,
    );
  throw new HotpatchError(
    'bad-symbol',
    `'${full}' is not in the binary's symbol table (misspelt, or dropped by the linker because nothing references it)`,
  );
}
