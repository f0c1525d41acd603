import type { Node } from 'web-tree-sitter';
import { calleeText, enclosingFunction, kids } from './goSyntax';

const BREAK_TARGETS = new Set([
  'for_statement',
  'expression_switch_statement',
  'type_switch_statement',
  'select_statement',
]);
const NO_RETURN_CALLS =
  /^(panic|os\.Exit|log\.(Fatal|Fatalf|Fatalln|Panic|Panicf|Panicln)|runtime\.Goexit|[A-Za-z_]\w*\.(Fatal|Fatalf|FailNow|SkipNow|Skip|Skipf))$/;

/** The label attached to a statement (`L: for {}`), if any. */
export function labelOf(stmt: Node): string | undefined {
  const p = stmt.parent;
  return p?.type === 'labeled_statement' ? p.childForFieldName('label')?.text : undefined;
}

/**
 * Whether control can leave `loop` other than by running forever: a `return`, a `break` that targets it (plain or
 * labelled), any `goto`, a labelled `continue`/`break` to an outer statement, or a call that never returns (panic,
 * os.Exit, log.Fatal, runtime.Goexit, t.Fatal). Jumps inside nested func literals do not count.
 */
export function loopHasWayOut(loop: Node): boolean {
  const fn = enclosingFunction(loop);
  const label = labelOf(loop);
  const own = (n: Node): boolean => enclosingFunction(n)?.id === fn?.id;
  for (const n of loop.descendantsOfType([
    'return_statement',
    'break_statement',
    'goto_statement',
    'continue_statement',
    'call_expression',
  ])) {
    if (!own(n)) continue;
    switch (n.type) {
      case 'return_statement':
      case 'goto_statement':
        return true;
      case 'break_statement':
      case 'continue_statement': {
        const target = kids(n).find((c) => c.type === 'label_name')?.text;
        if (target !== undefined) {
          if (target === label) {
            if (n.type === 'break_statement') return true;
            continue;
          }
          // A labelled jump to a statement outside this loop leaves it.
          if (!labelInside(loop, target)) return true;
          continue;
        }
        if (n.type === 'break_statement' && nearestBreakTarget(n)?.id === loop.id) return true;
        continue;
      }
      case 'call_expression':
        if (NO_RETURN_CALLS.test(calleeText(n))) return true;
        continue;
    }
  }
  return false;
}

function nearestBreakTarget(n: Node): Node | null {
  for (let p = n.parent; p; p = p.parent) {
    if (BREAK_TARGETS.has(p.type)) return p;
    if (p.type === 'func_literal') return null;
  }
  return null;
}

function labelInside(loop: Node, label: string): boolean {
  return loop.descendantsOfType('labeled_statement').some((l) => l.childForFieldName('label')?.text === label);
}

/** Whether a select statement has a `default` case, so it never blocks. */
export function selectHasDefault(sel: Node): boolean {
  return kids(sel).some((c) => c.type === 'default_case');
}

/** The innermost for_statement around `n` within its own function, or null. */
export function enclosingLoop(n: Node): Node | null {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'for_statement') return p;
    if (p.type === 'func_literal' || p.type === 'function_declaration' || p.type === 'method_declaration') return null;
  }
  return null;
}
