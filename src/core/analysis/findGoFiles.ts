import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** Which directories a workspace walk leaves out. */
export interface WalkOptions {
  /** Skip `vendor/` directories (default true). */
  skipVendor?: boolean;
  /** Skip `testdata/` directories, which the go tool ignores too (default true). */
  skipTestdata?: boolean;
}

/** The .go files of one directory (one Go package, possibly with its _test package), plus its go.mod version. */
export interface GoPackageFiles {
  dir: string;
  files: string[];
  goVersion: string | undefined;
}

/**
 * Lists Go packages under the given paths (directories are walked; .go files are taken as given). Like the go tool it
 * ignores directories starting with `.` or `_`, and optionally `vendor` and `testdata`.
 */
export function findGoPackages(paths: readonly string[], opts: WalkOptions = {}): GoPackageFiles[] {
  const skipVendor = opts.skipVendor ?? true;
  const skipTestdata = opts.skipTestdata ?? true;
  const byDir = new Map<string, string[]>();
  const add = (file: string): void => {
    const dir = path.dirname(file);
    const list = byDir.get(dir);
    if (list) list.push(file);
    else byDir.set(dir, [file]);
  };
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name.startsWith('.') || e.name.startsWith('_')) continue;
        if (skipVendor && e.name === 'vendor') continue;
        if (skipTestdata && e.name === 'testdata') continue;
        walk(p);
      } else if (e.isFile() && e.name.endsWith('.go')) add(p);
    }
  };
  for (const raw of paths) {
    const p = path.resolve(raw);
    const st = statSync(p); // a missing path is the caller's error, reported as such
    if (st.isDirectory()) walk(p);
    else add(p);
  }
  const modCache = new Map<string, string | undefined>();
  return [...byDir].map(([dir, files]) => ({ dir, files, goVersion: goModVersion(dir, modCache) }));
}

/** The `go` directive of the nearest go.mod at or above `dir`, cached per directory. */
export function goModVersion(dir: string, cache = new Map<string, string | undefined>()): string | undefined {
  if (cache.has(dir)) return cache.get(dir);
  let version: string | undefined;
  try {
    const text = readFileSync(path.join(dir, 'go.mod'), 'utf8');
    version = /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(text)?.[1] ?? '';
  } catch {
    const parent = path.dirname(dir);
    version = parent === dir ? undefined : goModVersion(parent, cache);
  }
  cache.set(dir, version === '' ? undefined : version);
  return cache.get(dir);
}
