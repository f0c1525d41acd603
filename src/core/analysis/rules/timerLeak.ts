import type { Node } from 'web-tree-sitter';
import { enclosingLoop } from '../controlFlow';
import { callArgs, exprList, kids, nextIsDeferCall, unparen } from '../goSyntax';
import { captureAll } from '../queryCache';
import { goVersionAtLeast, type FileContext, type QuickFix, type Rule } from '../rule';

const TIME_CALLS = `
(call_expression
  function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)
  (#eq? @pkg "time") (#match? @fn "^(After|NewTimer|NewTicker)$")) @call
`;

/** `timer-leak`: timers and tickers that stay alive after they stop being useful. */
export const timerLeak: Rule = {
  id: 'timer-leak',
  message: 'timer or ticker is never stopped',
  severity: 'warning',
  docs:
    'Reports timers that outlive their use. (1) `time.After` in a `select` inside an open-ended loop (`for {}`, ' +
    '`for cond {}`, `for range ch`): every iteration allocates a new timer, and before Go 1.23 none is freed until ' +
    'it fires, so a loop that wakes often with a long timeout piles them up; create one `time.NewTimer` outside the ' +
    'loop and `Reset` it. Counted loops make a bounded number of timers and are not reported. (2) `time.NewTimer` ' +
    'or `time.NewTicker` whose result is never `Stop`ped in the function and is not returned, stored or passed on ' +
    '(a timer whose channel is received unconditionally, or one of under a millisecond, has fired and needs no ' +
    'Stop): before Go 1.23 the runtime ' +
    'keeps an unstopped ticker forever. Go 1.23 made unreferenced timers collectable, so when the governing ' +
    "go.mod says `go 1.23` or later the rule stays silent (the CLI's --go flag overrides the version).",
  trigger: /time\.(?:After|NewTimer|NewTicker)\(/,
  checkFile(file, pkg, report) {
    if (goVersionAtLeast(pkg.goVersion, 1, 23)) return;
    for (const call of captureAll(file.root, TIME_CALLS, 'call', {
      re: /time\.(?:After|NewTimer|NewTicker)\(/g,
      text: file.text,
    })) {
      const fn = call.childForFieldName('function')?.childForFieldName('field')?.text;
      if (fn === 'After') {
        if (inLoopSelectCase(call, file))
          report(file, call, { message: 'time.After in a select inside a loop allocates a timer per iteration' });
        continue;
      }
      const why = neverStopped(call, file);
      if (why) report(file, call, { message: `time.${fn} result ${why}`, fixes: stopFix(call, file) });
    }
  },
};

function inLoopSelectCase(call: Node, file: FileContext): boolean {
  let n: Node = call;
  for (let p = call.parent; p; n = p, p = p.parent) {
    if (p.type === 'communication_case') {
      if (p.childForFieldName('communication')?.id !== n.id) return false;
      const loop = p.parent ? enclosingLoop(p.parent) : null;
      return loop !== null && isUnboundedLoop(loop, file);
    }
    if (p.type === 'statement_list' || p.type === 'func_literal' || p.type === 'block') return false;
  }
  return false;
}

/**
 * A loop that runs an open-ended number of times: `for {}`, `for cond {}`, or `for range ch`. A counted loop
 * (`for i := 0; i < n; i++`, range over a slice) creates a bounded number of timers, which is not a leak.
 */
function isUnboundedLoop(loop: Node, file: FileContext): boolean {
  const header = kids(loop).filter((c) => c.type !== 'block' && c.type !== 'comment');
  if (header.length === 0) return true;
  const h = header[0]!;
  if (h.type === 'for_clause') return false;
  if (h.type === 'range_clause') {
    const right = h.childForFieldName('right');
    // Only a range over something declared as a channel (or a timer's .C) is open-ended; unknown means bounded.
    if (!right) return false;
    if (right.type === 'selector_expression') return right.childForFieldName('field')?.text === 'C';
    if (right.type !== 'identifier') return false;
    const d = file.scopes.resolve(right);
    const declared =
      d?.type?.text ??
      (d?.value && unparen(d.value).type === 'call_expression' ? callArgs(unparen(d.value))[0]?.text : '');
    return /^(<-\s*)?chan\b/.test(declared ?? '');
  }
  return true; // a bare condition
}

/** Why the timer from `call` is never stopped, or undefined when it is stopped or leaves our sight. */
function neverStopped(call: Node, file: FileContext): string | undefined {
  // A timer of a few raw nanoseconds (NewTimer(0), NewTimer(1)) fires at once; there is nothing to stop.
  const arg = callArgs(call)[0];
  if (
    call.childForFieldName('function')?.text.endsWith('NewTimer') &&
    arg?.type === 'int_literal' &&
    Number(arg.text.replace(/_/g, '')) < 1e6
  )
    return undefined;
  let v: Node = call;
  while (v.parent?.type === 'parenthesized_expression') v = v.parent;
  const p = v.parent;
  if (!p) return undefined;
  if (p.type === 'expression_statement') return 'is discarded without Stop';
  if (p.type === 'selector_expression' && p.childForFieldName('operand')?.id === v.id)
    return `is used only for .${p.childForFieldName('field')?.text ?? ''} and never stopped`;
  const stmt = p.type === 'expression_list' ? p.parent : null;
  if (!stmt || !['short_var_declaration', 'assignment_statement', 'var_spec'].includes(stmt.type)) return undefined;
  const rights = exprList(stmt.childForFieldName(stmt.type === 'var_spec' ? 'value' : 'right'));
  const lefts = stmt.type === 'var_spec' ? stmt.childrenForFieldName('name') : exprList(stmt.childForFieldName('left'));
  const idx = rights.findIndex((r) => r.id === v.id);
  const target = lefts[idx];
  if (!target || lefts.length !== rights.length) return undefined;
  if (target.type !== 'identifier') return undefined;
  if (target.text === '_') return 'is discarded without Stop';
  if (nextIsDeferCall(stmt, target.text, '.Stop')) return undefined;
  const d = file.scopes.resolve(target);
  if (!d || !d.owner || d.kind !== 'local') return undefined;
  for (const use of file.scopes.usesOf(d)) {
    const up = use.parent;
    if (up?.type === 'selector_expression' && up.childForFieldName('operand')?.id === use.id) {
      const field = up.childForFieldName('field')?.text;
      if (field === 'Stop') return undefined;
      if (field === 'Reset') continue;
      if (field === 'C') {
        // A timer whose channel is received unconditionally has fired, so there is nothing left to stop.
        if (call.childForFieldName('function')?.text.endsWith('NewTimer') && isPlainReceive(up)) return undefined;
        continue;
      }
      return undefined;
    }
    // Assigned anew (t = time.NewTimer(...)) is not a use of the old timer; anything else hands it on.
    if (up?.type === 'expression_list' && up.parent?.type === 'assignment_statement') {
      const l = exprList(up.parent.childForFieldName('left'));
      if (l.some((x) => x.id === use.id)) continue;
    }
    return undefined;
  }
  return `'${d.name}' is never stopped`;
}

function stopFix(call: Node, file: FileContext): QuickFix[] {
  const stmt = call.parent?.parent;
  if (stmt?.type !== 'short_var_declaration') return [];
  const name = exprList(stmt.childForFieldName('left'))[0]?.text;
  if (!name || name === '_' || unparen(exprList(stmt.childForFieldName('right'))[0] ?? call).id !== call.id) return [];
  const row = stmt.endPosition.row;
  const lineText = file.text.split('\n', stmt.startPosition.row + 1)[stmt.startPosition.row] ?? '';
  const indent = /^[ \t]*/.exec(lineText)?.[0] ?? '';
  return [
    {
      title: `Add 'defer ${name}.Stop()'`,
      edits: [
        {
          startLine: row + 1,
          startCharacter: 0,
          endLine: row + 1,
          endCharacter: 0,
          newText: `${indent}defer ${name}.Stop()\n`,
        },
      ],
    },
  ];
}

/** Whether `<-x` is received as a statement or assignment of its own, not as one case of a select. */
function isPlainReceive(chan: Node): boolean {
  const recv = chan.parent;
  if (recv?.type !== 'unary_expression' || recv.child(0)?.type !== '<-') return false;
  for (let p = recv.parent; p; p = p.parent) {
    if (p.type === 'communication_case') return false;
    if (p.type === 'expression_statement' || p.type === 'short_var_declaration' || p.type === 'assignment_statement')
      return p.parent?.type === 'statement_list' || p.parent?.childForFieldName('initializer')?.id === p.id;
    if (p.type === 'statement_list' || p.type === 'block') return false;
  }
  return false;
}
