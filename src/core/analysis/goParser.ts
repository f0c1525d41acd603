import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

/** Raised when the tree-sitter runtime or the Go grammar cannot be found or loaded. */
export class GoParserLoadError extends Error {
  override name = 'GoParserLoadError';
}

/** Where each wasm asset lives in node_modules, for runs from source (tsx) where nothing was copied next to the module. */
const nodeModulesPaths: Record<string, string> = {
  'web-tree-sitter.wasm': 'web-tree-sitter/web-tree-sitter.wasm',
  'tree-sitter-go.wasm': 'tree-sitter-go/tree-sitter-go.wasm',
};

/** Finds a wasm asset: next to the bundle in dist/ first, then in node_modules above this file (tsx, tests). */
export function locateAsset(name: string): string {
  const beside = path.join(__dirname, name);
  if (existsSync(beside)) return beside;
  const rel = nodeModulesPaths[name];
  if (rel !== undefined) {
    for (let dir = __dirname; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', rel);
      if (existsSync(candidate)) return candidate;
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new GoParserLoadError(`cannot find ${name} next to ${__dirname} or in node_modules`);
}

let loading: Promise<Language> | undefined;

/** Loads the tree-sitter runtime and the Go grammar once per thread; later calls share the same Language. */
export function loadGoLanguage(): Promise<Language> {
  loading ??= (async () => {
    try {
      const runtime = locateAsset('web-tree-sitter.wasm');
      await Parser.init({ locateFile: () => runtime });
      return await Language.load(locateAsset('tree-sitter-go.wasm'));
    } catch (err) {
      loading = undefined;
      if (err instanceof GoParserLoadError) throw err;
      throw new GoParserLoadError(`cannot load the Go grammar: ${err instanceof Error ? err.message : String(err)}`);
    }
  })();
  return loading;
}

/** Creates a parser for Go source; the caller owns it and must `delete()` it when done. */
export async function createGoParser(): Promise<Parser> {
  const lang = await loadGoLanguage();
  const parser = new Parser();
  parser.setLanguage(lang);
  return parser;
}
