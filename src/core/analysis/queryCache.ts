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

/**
 * Runs a query and returns the nodes captured under `name`, in document order, without duplicates. With an anchor
 * (a global regex and the file text), the query runs only over the ranges where the anchor matches: the rules' queries
 * all contain a distinctive token, and matching a few small ranges is much cheaper than walking the whole tree.
 */
export function captureAll(root: Node, source: string, name: string, anchor?: { re: RegExp; text: string }): Node[] {
  const q = compiledQuery(root.tree.language, source);
  if (!anchor) return q.captures(root).flatMap((c) => (c.name === name ? [c.node] : []));
  const out: Node[] = [];
  const seen = new Set<number>();
  const re = new RegExp(anchor.re.source, anchor.re.flags.includes('g') ? anchor.re.flags : `${anchor.re.flags}g`);
  for (let m = re.exec(anchor.text); m; m = re.exec(anchor.text)) {
    if (m[0].length === 0) re.lastIndex++;
    // Query ranges are in bytes of the UTF-16 text the parser saw: two per code unit.
    const range = { startIndex: 2 * m.index, endIndex: 2 * (m.index + Math.max(1, m[0].length)) };
    for (const c of q.captures(root, range)) {
      if (c.name !== name || seen.has(c.node.id)) continue;
      seen.add(c.node.id);
      out.push(c.node);
    }
  }
  return out.sort((a, b) => a.startIndex - b.startIndex);
}
