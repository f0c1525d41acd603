/**
 * The function name `go tool pprof` shows: its symbolizer's default demangling pass ("simplified": no
 * parameters, no template arguments) runs on every profile, and rewrites names that look like demangled
 * C++ — which includes Go generic instantiations such as `F[go.shape.interface { M() int }]`.
 */
import type { ProfileFunction } from './profileModel';

/** Returns the name pprof displays and groups by for `fn` (its symbolizer's default demangling heuristics). */
export function pprofDisplayName(fn: ProfileFunction): string {
  // pprof keeps a name that differs from the system name: it was demangled already.
  if (fn.name !== '' && fn.systemName !== fn.name) return fn.name;
  // Mangled C++/Rust (_Z…/_R…) system names would be demangled here by pprof; Go writes none, so they pass through.
  let name = fn.systemName;
  if (looksLikeDemangledCPlusPlus(name)) {
    name = removeMatching(name, '(', ')');
    name = removeMatching(name, '<', '>');
  }
  return name;
}

function looksLikeDemangledCPlusPlus(s: string): boolean {
  if (s.includes('.<')) return false; // Java "class.<init>"
  if (s.includes(']).')) return false; // Go "pkg.(*T[...]).Method"
  return /[<>[\]]/.test(s) || s.includes('::');
}

/** Removes every outermost `open…close` group (nested ones with it); leaves the name alone on a stray `close`. */
function removeMatching(name: string, open: string, close: string): string {
  let nesting = 0;
  let first = 0;
  let i = 0;
  while (i < name.length) {
    const c = name[i];
    if (c === open) {
      nesting++;
      if (nesting === 1) first = i;
    } else if (c === close) {
      nesting--;
      if (nesting < 0) return name;
      if (nesting === 0) {
        name = name.slice(0, first) + name.slice(i + 1);
        i = first;
        continue;
      }
    }
    i++;
  }
  return name;
}
