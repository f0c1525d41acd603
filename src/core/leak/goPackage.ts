/**
 * Go symbol classification: which package a function belongs to, and whether that package is the runtime, the
 * standard library or user code. Sites are reported at the innermost user frame, so this decides where a leak
 * is pinned.
 */

/** Where a frame's code comes from, ordered so that larger means "closer to the user's own code". */
export const enum FrameKind {
  /** No symbol information (an address only). */
  Unknown = 0,
  /** The Go runtime (`runtime`, `runtime/...`, `internal/runtime/...`). */
  Runtime = 1,
  /** The rest of the standard library (first path element has no dot: `net/http`, `encoding/json`). */
  Stdlib = 2,
  /** Third-party or user code (first path element has a dot, such as `github.com/...` or `example.com/...`). */
  User = 3,
  /** The main package, or a package under one of the configured user modules. */
  Main = 4,
}

/**
 * Returns the package path of a Go function symbol: `net/http.(*conn).serve` → `net/http`,
 * `example.com/ecu/can.readLoop.func1` → `example.com/ecu/can`, `main.main` → `main`.
 *
 * The package ends at the first dot after the last slash; generic instantiations (`pkg.F[...]`) may contain
 * slashes inside the brackets, so those are cut off first.
 */
export function goPackagePath(funcName: string): string {
  let name = funcName;
  const bracket = name.indexOf('[');
  if (bracket >= 0) name = name.slice(0, bracket);
  const slash = name.lastIndexOf('/');
  const dot = name.indexOf('.', slash + 1);
  return dot < 0 ? name : name.slice(0, dot);
}

/**
 * Classifies a function symbol. `userModules` are package path prefixes that count as the user's own code
 * even without a dot in the first element (modules named like `ecu/...`).
 */
export function classifyFunction(funcName: string, userModules: readonly string[] = []): FrameKind {
  if (funcName === '') return FrameKind.Unknown;
  const pkg = goPackagePath(funcName);
  if (pkg === 'main') return FrameKind.Main;
  for (const m of userModules) if (pkg === m || pkg.startsWith(m + '/')) return FrameKind.Main;
  if (pkg === 'runtime' || pkg.startsWith('runtime/') || pkg.startsWith('internal/runtime/')) return FrameKind.Runtime;
  const slash = pkg.indexOf('/');
  const first = slash < 0 ? pkg : pkg.slice(0, slash);
  // The Go convention the issue asks for: standard-library import paths never have a dot in the first element.
  if (!first.includes('.')) return FrameKind.Stdlib;
  return FrameKind.User;
}
