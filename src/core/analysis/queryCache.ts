import { Query, type Language, type Node } from 'web-tree-sitter';

const cache = new WeakMap<Language, Map<string, Query>>();

/** Compiles a tree-sitter query once per language and source, since compilation costs far more than matching. */
export function compiledQuery(lang: Language, source: string): Query {
  let m = cache.get(lang);
  if (!m) cache.set(lang, (m = new Map()));
  let q = m.get(source);
  if (!q) m.set(source, (q = new Query(lang, source)));
  return q;
}

/** Runs a query over `root` and returns the nodes captured under `name`, in document order. */
export function captureAll(root: Node, source: string, name: string): Node[] {
  const q = compiledQuery(root.tree.language, source);
  return q
    .captures(root)
    .filter((c) => c.name === name)
    .map((c) => c.node);
}
