import type { Node } from 'web-tree-sitter';
import { enclosingFunction, exprList, nextIsDeferCall } from '../goSyntax';
import { captureAll } from '../queryCache';
import type { FileContext, QuickFix, Rule } from '../rule';

const WITH_CALLS = `
(call_expression
  function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @fn)
  (#eq? @pkg "context") (#match? @fn "^With(Cancel|Timeout|Deadline)(Cause)?$")) @call
`;

/** `lost-cancel`: a context's cancel function that is thrown away or never used. */
export const lostCancel: Rule = {
  id: 'lost-cancel',
  message: 'the cancel function of a context is lost',
  severity: 'warning',
  docs:
    'Reports the cancel function from `context.WithCancel`, `WithTimeout`, `WithDeadline` or `WithCancelCause` (and ' +
    'the `...Cause` variants) when it is discarded with `_`, or when the variable holding it is never called, ' +
    'deferred, returned, stored or passed on (only assigned again, or to `_`). Until cancel runs, the child context ' +
    'and its timer stay registered with the parent; under a long-lived parent each call leaks them. This is a ' +
    "simpler, flow-insensitive cousin of go vet's `lostcancel`: it does not follow paths, so a cancel that is called " +
    'on some paths but not others is not reported (vet does that), and any use at all counts as handled.',
  trigger: /context\.With(?:Cancel|Timeout|Deadline)/,
  checkFile(file, _pkg, report) {
    for (const call of captureAll(file.root, WITH_CALLS, 'call', { re: /context\.With/g, text: file.text })) {
      const list = call.parent;
      const stmt = list?.type === 'expression_list' ? list.parent : null;
      if (!stmt || !['short_var_declaration', 'assignment_statement', 'var_spec'].includes(stmt.type)) continue;
      const lefts =
        stmt.type === 'var_spec' ? stmt.childrenForFieldName('name') : exprList(stmt.childForFieldName('left'));
      const rights = exprList(stmt.childForFieldName(stmt.type === 'var_spec' ? 'value' : 'right'));
      if (rights.length !== 1 || lefts.length !== 2) continue;
      const cancel = lefts[1]!;
      const fn = call.childForFieldName('function')?.text ?? 'context.WithCancel';
      if (cancel.type !== 'identifier') continue;
      if (cancel.text === '_') {
        report(file, call, {
          message: `the cancel function returned by ${fn} is discarded`,
          fixes: discardFix(stmt, cancel, file),
        });
        continue;
      }
      // The idiom `defer cancel()` on the next line settles it without resolving the whole function.
      if (nextIsDeferCall(stmt, cancel.text) || calledLaterInBlock(stmt, cancel.text, file.text)) continue;
      const d = file.scopes.resolve(cancel);
      if (!d || d.kind !== 'local' || !d.owner) continue;
      const real = file.scopes.usesOf(d).filter((u) => u.id !== cancel.id && !isMereAssignment(u));
      if (real.length === 0)
        report(file, call, {
          message: `the cancel function '${d.name}' from ${fn} is never called, deferred, returned or passed on`,
          fixes: deferFix(stmt, d.name, file),
        });
    }
  },
};

/** `cancel = ...` / `ctx, cancel = ...` on the left side, or `_ = cancel`: neither calls nor keeps it. */
function isMereAssignment(use: Node): boolean {
  const list = use.parent;
  const stmt = list?.type === 'expression_list' ? list.parent : null;
  if (stmt?.type !== 'assignment_statement' && stmt?.type !== 'short_var_declaration') return false;
  const lefts = exprList(stmt.childForFieldName('left'));
  if (lefts.some((l) => l.id === use.id)) return true;
  const rights = exprList(stmt.childForFieldName('right'));
  const i = rights.findIndex((r) => r.id === use.id);
  return i >= 0 && lefts[i]?.text === '_';
}

function indentOf(text: string, row: number): string {
  return /^[ \t]*/.exec(text.split('\n', row + 1)[row] ?? '')?.[0] ?? '';
}

function deferFix(stmt: Node, name: string, file: FileContext): QuickFix[] {
  const row = stmt.endPosition.row + 1;
  return [
    {
      title: `Add 'defer ${name}()'`,
      edits: [
        {
          startLine: row,
          startCharacter: 0,
          endLine: row,
          endCharacter: 0,
          newText: `${indentOf(file.text, stmt.startPosition.row)}defer ${name}()\n`,
        },
      ],
    },
  ];
}

function discardFix(stmt: Node, blank: Node, file: FileContext): QuickFix[] {
  if (stmt.type !== 'short_var_declaration') return [];
  const fn = enclosingFunction(stmt);
  if (!fn || fn.descendantsOfType('identifier').some((i) => i.text === 'cancel')) return [];
  return [
    {
      title: "Keep the cancel function and add 'defer cancel()'",
      edits: [
        {
          startLine: blank.startPosition.row,
          startCharacter: blank.startPosition.column,
          endLine: blank.endPosition.row,
          endCharacter: blank.endPosition.column,
          newText: 'cancel',
        },
        ...deferFix(stmt, 'cancel', file)[0]!.edits,
      ],
    },
  ];
}

/**
 * Whether a later statement of the same block calls `name()`. A shadowing declaration could make this a different
 * variable; then the finding is missed, never invented, which is the side to err on.
 */
function calledLaterInBlock(stmt: Node, name: string, text: string): boolean {
  const block = stmt.parent;
  if (!block) return false;
  return new RegExp(`\\b${name}\\s*\\(\\s*\\)`).test(text.slice(stmt.endIndex, block.endIndex));
}
