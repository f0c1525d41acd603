import path from 'node:path';

/** A user-given rewrite of a profile path prefix to a local folder (`leakhunt.pathMappings`). */
export interface PathMapping {
  /** A path prefix as it appears in profiles, e.g. `/build/ecu` or `example.com/ecu`. */
  from: string;
  /** An absolute local folder that replaces `from`. */
  to: string;
}

/** A Go module in the workspace: `-trimpath` builds record its files as `<module path>/<dir inside module>/file.go`. */
export interface GoModule {
  /** The `module` line of go.mod, e.g. `example.com/ecu`. */
  path: string;
  /** The absolute folder holding that go.mod. */
  dir: string;
}

/**
 * Maps source paths found in profiles (the build machine's, or `-trimpath` module paths) to files in the workspace.
 *
 * Order: explicit mappings (longest `from` first), then Go module paths of `-trimpath` builds (longest module first),
 * then the exact path, then the workspace file sharing the longest
 * path suffix with it. The result is always one of `files` inside one of `roots`, so a hostile profile can never make
 * us open a path outside the workspace; a tie between equally good suffix matches yields nothing rather than a guess.
 * This class is vscode-free so it can be unit-tested; the extension feeds it the workspace's file list.
 */
export class SuffixPathMapper {
  private readonly roots: string[];
  private readonly files = new Set<string>();
  private readonly byBase = new Map<string, string[]>();
  private readonly mappings: PathMapping[];
  private readonly modules: GoModule[];
  private readonly cache = new Map<string, string | undefined>();

  /** `roots` are the workspace folders, `files` the absolute paths of the workspace's source files. */
  constructor(roots: string[], files: Iterable<string>, mappings: PathMapping[] = [], modules: GoModule[] = []) {
    this.roots = roots.map((r) => path.resolve(r));
    for (const f of files) {
      const abs = path.resolve(f);
      if (!this.roots.some((r) => isInside(r, abs))) continue;
      this.files.add(abs);
      const base = path.basename(abs);
      const list = this.byBase.get(base);
      if (list) list.push(abs);
      else this.byBase.set(base, [abs]);
    }
    this.mappings = mappings
      .filter((m) => m.from !== '' && path.isAbsolute(m.to))
      .map((m) => ({ from: normalize(m.from).replace(/\/+$/, ''), to: path.resolve(m.to) }))
      .sort((a, b) => b.from.length - a.from.length);
    this.modules = modules
      .filter((m) => m.path !== '')
      .map((m) => ({ path: m.path, dir: path.resolve(m.dir) }))
      .sort((a, b) => b.path.length - a.path.length);
  }

  /** Returns the workspace file for a profile path, or `undefined` when none maps unambiguously. */
  map(profilePath: string): string | undefined {
    if (this.cache.has(profilePath)) return this.cache.get(profilePath);
    const result = this.compute(profilePath);
    this.cache.set(profilePath, result);
    return result;
  }

  private compute(profilePath: string): string | undefined {
    const p = normalize(profilePath);
    if (p === '' || p.includes('\0')) return undefined;
    for (const m of this.mappings) {
      if (p === m.from || p.startsWith(m.from + '/')) {
        const local = path.resolve(m.to, '.' + p.slice(m.from.length));
        if (this.files.has(local)) return local;
      }
    }
    for (const m of this.modules) {
      if (p.startsWith(m.path + '/')) {
        const local = path.resolve(m.dir, '.' + p.slice(m.path.length));
        if (this.files.has(local)) return local;
      }
    }
    if (path.isAbsolute(p) && this.files.has(path.resolve(p))) return path.resolve(p);

    const parts = p.split('/').filter((s) => s !== '' && s !== '.');
    const base = parts[parts.length - 1];
    if (base === undefined || base === '..') return undefined;
    const candidates = this.byBase.get(base);
    if (!candidates) return undefined;
    let best: string | undefined;
    let bestScore = 0;
    let tie = false;
    for (const c of candidates) {
      const score = commonSuffix(parts, c.split(path.sep));
      if (score > bestScore) {
        best = c;
        bestScore = score;
        tie = false;
      } else if (score === bestScore) {
        tie = true;
      }
    }
    return tie ? undefined : best;
  }
}

/** Tells whether `p` is `root` or below it (both absolute and resolved). */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function normalize(p: string): string {
  return p.trim().replace(/\\/g, '/');
}

function commonSuffix(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}
