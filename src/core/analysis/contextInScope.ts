import type { Node } from 'web-tree-sitter';
import { FUNCTION_TYPES, exprList, isWithin, kids } from './goSyntax';
import type { FileContext } from './rule';

/**
 * The name of a `context.Context` visible at `at`: a parameter typed context.Context of an enclosing function, or a
 * local assigned from a `context.*` call earlier in an enclosing function. Used to offer `case <-ctx.Done()` fixes.
 */
export function contextInScope(at: Node, file: FileContext): string | undefined {
  for (let f: Node | null = at.parent; f; f = f.parent) {
    if (!FUNCTION_TYPES.has(f.type)) continue;
    for (const pd of kids(f.childForFieldName('parameters') ?? f)) {
      if (pd.type !== 'parameter_declaration') continue;
      if (pd.childForFieldName('type')?.text.replace(/\s+/g, '') !== 'context.Context') continue;
      const name = pd.childrenForFieldName('name').find((n) => n.text !== '_');
      if (name) return name.text;
    }
    for (const sv of f.descendantsOfType('short_var_declaration')) {
      if (sv.startIndex >= at.startIndex) break;
      const right = exprList(sv.childForFieldName('right'))[0];
      const left = exprList(sv.childForFieldName('left'))[0];
      if (!right || !left || left.text === '_' || !sv.parent || !isWithin(at, sv.parent)) continue;
      if (/^context\.(Background|TODO|With\w+)\(/.test(right.text)) {
        const d = file.scopes.resolve(left);
        if (d && d.owner && at.startIndex >= d.ident.startIndex) return left.text;
      }
    }
  }
  return undefined;
}
