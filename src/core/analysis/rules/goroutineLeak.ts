import type { Node } from 'web-tree-sitter';
import { enclosingLoop, loopHasWayOut, selectHasDefault } from '../controlFlow';
import {
  callArgs,
  calleeText,
  enclosingFunction,
  isInfiniteFor,
  isWithin,
  kids,
  ownDescendants,
  unparen,
} from '../goSyntax';
import { captureAll } from '../queryCache';
import type { FileContext, PackageContext, QuickFix, Rule } from '../rule';
import type { Decl } from '../scope';
import { contextInScope } from '../contextInScope';

const GO = `(go_statement) @go`;

/** `goroutine-leak`: goroutines that can never finish, from a receive loop with no exit or an abandoned send. */
export const goroutineLeak: Rule = {
  id: 'goroutine-leak',
  message: 'goroutine can block forever',
  severity: 'warning',
  docs:
    'Reports goroutines that can never finish. (1) A goroutine whose `for` loop blocks in a `select` or receive with ' +
    'no way out: no `return`, no `break` (plain or labelled) out of the loop, no `goto`, no panic or exit, so a ' +
    '`ctx.Done()` or done-channel case that returns is missing; or a `for range ch` over a channel made in the ' +
    'enclosing function that nothing closes and that is not handed to other code. Each such goroutine, and everything ' +
    'it references, lives until the process ends; started per connection or per request, it is a leak. Goroutines ' +
    'started from `main`, `init` or a `sync.Once`, and loops that only receive from package-level channels, serve ' +
    'the whole process and are not reported. (2) A send on an ' +
    'unbuffered channel made in the enclosing function, from a goroutine, when the receiving side is a `select` with ' +
    'a timeout, `ctx.Done()` or other case that returns (or moves on) without receiving: after the timeout nobody ' +
    'will ever receive, and the sender blocks forever (the "communication deadlock" shape from GoKer); or when the ' +
    'function can return between starting the goroutine and receiving; or when the ' +
    'goroutines are started in a loop and the channel is received only outside it, so all senders but the first ' +
    'block forever. Give the channel a buffer (of one, or of the number of senders), or make the sender select on ' +
    'the same cancellation.',
  trigger: /^[ \t]*go[ \t]+(?:func\b|[A-Za-z_][\w.]*[ \t]*[([])/m,
  checkFile(file, pkg, report) {
    for (const g of captureAll(file.root, GO, 'go', { re: /^[ \t]*go\b/gm, text: file.text })) {
      const call = g.namedChildren.find((c) => c?.type === 'call_expression');
      if (!call) continue;
      const target = goroutineBody(call, file, pkg);
      if (!target) continue;
      const { body, bodyFile } = target;
      const outer = enclosingFunction(g);
      if (outer && !isProcessLifetime(outer, g, file, pkg)) {
        for (const loop of ownDescendants(body, 'for_statement')) {
          const why = foreverLoop(loop, body, outer, bodyFile);
          if (why) {
            const goKw = g.child(0) ?? g;
            report(file, goKw, {
              message: `goroutine never exits: ${why} (line ${loop.startPosition.row + 1})`,
              fixes: bodyFile === file ? doneCaseFix(loop, file) : [],
            });
            break;
          }
        }
      }
      if (body.type === 'func_literal' && outer) abandonedSends(g, body, outer, file, report);
    }
  },
};

/** The function a go statement runs (its func literal, or a function/method of the package) and the file it is in. */
function goroutineBody(
  call: Node,
  file: FileContext,
  pkg: PackageContext,
): { body: Node; bodyFile: FileContext } | null {
  const fn = call.childForFieldName('function');
  if (!fn) return null;
  if (fn.type === 'func_literal') return { body: fn, bodyFile: file };
  let decl: Node | undefined;
  if (fn.type === 'identifier') {
    if (file.scopes.resolve(fn)?.owner) return null; // a local func variable, not the package function
    decl = pkg.index.declarationsNamed(fn.text, false)[0];
  } else if (fn.type === 'selector_expression') {
    const methods = pkg.index.declarationsNamed(fn.childForFieldName('field')?.text ?? '', true);
    if (methods.length === 1) decl = methods[0];
  }
  const bodyFile = decl ? pkg.files.find((f) => f.tree === decl.tree) : undefined;
  return decl && bodyFile ? { body: decl, bodyFile } : null;
}

/** Goroutines started from main/init or under sync.Once are meant to run for the whole process. */
function isProcessLifetime(outer: Node, g: Node, file: FileContext, pkg: PackageContext): boolean {
  for (let f: Node | null = outer; f; f = enclosingFunction(f)) {
    if (f.type === 'function_declaration') {
      const name = f.childForFieldName('name')?.text;
      if (name === 'init') return true;
      if (name === 'main' && packageName(f.tree.rootNode) === 'main') return true;
    }
    if (f.type === 'func_literal') {
      const call = f.parent?.parent;
      if (call?.type === 'call_expression' && isOnceDo(call, file, pkg) && isWithin(g, f)) return true;
    }
  }
  return false;
}

/** Why a loop inside a goroutine body can never end, or undefined when it can. */
function foreverLoop(loop: Node, body: Node, outer: Node, file: FileContext): string | undefined {
  if (isInfiniteFor(loop)) {
    const blocking = ownDescendants(body, ['select_statement', 'unary_expression'], loop).find((n) =>
      n.type === 'select_statement' ? !selectHasDefault(n) : isReceive(n) && !insideSelectCase(n),
    );
    if (!blocking || loopHasWayOut(loop)) return undefined;
    if (onlyPackageChannels(loop, body, file)) return undefined;
    return blocking.type === 'select_statement'
      ? 'its for-select loop has no ctx.Done()/done case that returns, and no break or return'
      : 'its receive loop has no return or break';
  }
  const range = kids(loop).find((c) => c.type === 'range_clause');
  const ch = range?.childForFieldName('right');
  if (!ch || unparen(ch).type !== 'identifier') return undefined;
  const decl = file.scopes.resolve(unparen(ch));
  if (!decl || !isUnclosedLocalChannel(decl, outer, body, file) || loopHasWayOut(loop)) return undefined;
  return `it ranges over channel '${decl.name}', which is never closed`;
}

/** A channel made in `outer` by make(chan ...), never closed and never handed to code we cannot see. */
function isUnclosedLocalChannel(decl: Decl, outer: Node, body: Node, file: FileContext): boolean {
  if (decl.owner?.id !== outer.id || decl.fromRange || !decl.value) return false;
  const v = unparen(decl.value);
  if (
    v.type !== 'call_expression' ||
    calleeText(v) !== 'make' ||
    !/^chan\b|^<-\s*chan\b/.test(callArgs(v)[0]?.text ?? '')
  )
    return false;
  for (const use of file.scopes.usesOf(decl)) {
    const p = use.parent;
    if (!p) return false;
    if (p.type === 'argument_list') {
      const callee = p.parent ? calleeText(p.parent) : '';
      if (callee === 'close') return false;
      if (callee === 'len' || callee === 'cap') continue;
      return false;
    }
    if (p.type === 'send_statement' && p.childForFieldName('channel')?.id === use.id) continue;
    if (p.type === 'unary_expression' && p.child(0)?.type === '<-') continue;
    if (p.type === 'range_clause' && isWithin(p, body)) continue;
    return false;
  }
  return true;
}

function isReceive(n: Node): boolean {
  return n.type === 'unary_expression' && n.child(0)?.type === '<-';
}

function insideSelectCase(n: Node): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'communication_case') return true;
    if (p.type === 'statement_list' || p.type === 'func_literal') return false;
  }
  return false;
}

/** Offers `case <-ctx.Done(): return` in the loop's select when a context is in scope. */
function doneCaseFix(loop: Node, file: FileContext): QuickFix[] {
  const sel = ownDescendants(enclosingFunction(loop) ?? loop, 'select_statement', loop)[0];
  if (!sel) return [];
  const ctx = contextInScope(sel, file);
  const firstCase = kids(sel).find((c) => c.type === 'communication_case' || c.type === 'default_case');
  if (!ctx || !firstCase) return [];
  const lineText = file.text.split('\n', firstCase.startPosition.row + 1)[firstCase.startPosition.row] ?? '';
  const indent = /^[ \t]*/.exec(lineText)?.[0] ?? '';
  const bodyIndent = indent + (indent.includes(' ') && !indent.includes('\t') ? '    ' : '\t');
  return [
    {
      title: `Add 'case <-${ctx}.Done(): return'`,
      edits: [
        {
          startLine: firstCase.startPosition.row,
          startCharacter: 0,
          endLine: firstCase.startPosition.row,
          endCharacter: 0,
          newText: `${indent}case <-${ctx}.Done():\n${bodyIndent}return\n`,
        },
      ],
    },
  ];
}

type ReportFn = Parameters<NonNullable<Rule['checkFile']>>[2];

/** Part 2: a goroutine sends on an unbuffered local channel whose receiver may give up without receiving. */
function abandonedSends(g: Node, lit: Node, outer: Node, file: FileContext, report: ReportFn): void {
  for (const send of ownDescendants(lit, 'send_statement')) {
    if (send.parent?.type === 'communication_case') continue;
    const chNode = send.childForFieldName('channel');
    if (!chNode || unparen(chNode).type !== 'identifier') continue;
    // Cheap text check first: the channel must be made in the enclosing function.
    if (!new RegExp(`\\b${unparen(chNode).text}\\s*:?=\\s*make\\(\\s*chan\\b`).test(outer.text)) continue;
    const decl = file.scopes.resolve(unparen(chNode));
    if (!decl || decl.owner?.id !== outer.id || decl.fromRange || !decl.value) continue;
    const make = unparen(decl.value);
    if (make.type !== 'call_expression' || calleeText(make) !== 'make') continue;
    const margs = callArgs(make);
    if (!/^chan\b/.test(margs[0]?.text ?? '') || (margs.length > 1 && margs[1]?.text !== '0')) continue;
    const giveUp = receiverCanGiveUp(decl, outer, file, g);
    if (!giveUp) continue;
    const fixes: QuickFix[] =
      enclosingLoop(g) === null && margs.length === 1
        ? [
            {
              title: `Make '${decl.name}' buffered (make(${margs[0]!.text}, 1))`,
              edits: [
                {
                  startLine: margs[0]!.endPosition.row,
                  startCharacter: margs[0]!.endPosition.column,
                  endLine: margs[0]!.endPosition.row,
                  endCharacter: margs[0]!.endPosition.column,
                  newText: ', 1',
                },
              ],
            },
          ]
        : [];
    report(file, send, {
      message: `send on unbuffered channel '${decl.name}' can block forever: ${giveUp.why} (line ${giveUp.at.startPosition.row + 1})`,
      fixes,
    });
  }
}

/**
 * Looks at every use of the channel outside goroutines; returns the select case through which the receiving function
 * can give up, or null when every receive is unconditional, or the channel goes where we cannot follow it.
 */
function receiverCanGiveUp(decl: Decl, outer: Node, file: FileContext, g: Node): { at: Node; why: string } | null {
  let giveUp: Node | null = null;
  const plain: Node[] = [];
  for (const use of file.scopes.usesOf(decl)) {
    const inGoroutine = file.scopes.isCaptured(use, decl);
    const p = use.parent;
    if (!p) return null;
    if (p.type === 'send_statement' && p.childForFieldName('channel')?.id === use.id) continue;
    if (p.type === 'argument_list' && p.parent && ['close', 'len', 'cap'].includes(calleeText(p.parent))) continue;
    if (p.type === 'unary_expression' && p.child(0)?.type === '<-') {
      if (inGoroutine) return null; // another goroutine receives: we cannot tell who is left
      const cc = communicationCaseOf(p);
      if (!cc) {
        plain.push(p);
        continue;
      }
      const sel = cc.parent!;
      const others = kids(sel).filter(
        (c) => c.id !== cc.id && (c.type === 'communication_case' || c.type === 'default_case'),
      );
      const loop = enclosingLoop(sel);
      for (const o of others) {
        if (mentions(o, decl, file)) continue;
        const returns = ownDescendants(outer, 'return_statement', o).length > 0;
        if (returns || (loop === null && !receivedAfter(sel, decl, outer, file))) giveUp ??= o;
      }
      continue;
    }
    return null;
  }
  if (giveUp) return { at: giveUp, why: 'the receiver can return without receiving' };
  // An early return between starting the sender and the first receive: on that path nobody receives.
  if (plain.length > 0 && enclosingLoop(g) === null) {
    const first = Math.min(...plain.map((r) => r.startIndex));
    const early = ownDescendants(outer, 'return_statement').find(
      (r) => r.startIndex > g.endIndex && r.endIndex < first,
    );
    if (early) return { at: early, why: 'the function can return before receiving' };
  }
  // N senders, fewer receives: goroutines started in a loop, every receive outside that loop (the "N-cast" leak).
  const loop = enclosingLoop(g);
  // Exactly one receive: several receives may match a fixed loop count (for i := 0; i < 2; i++ ... <-c; <-c).
  if (loop && plain.length === 1 && plain.every((r) => !isWithin(r, loop) && enclosingLoop(r) === null))
    return { at: plain[0]!, why: 'goroutines are started in a loop but the channel is received only once, outside it' };
  return null;
}

function communicationCaseOf(recv: Node): Node | null {
  let n: Node = recv;
  for (let p = recv.parent; p; n = p, p = p.parent) {
    if (p.type === 'communication_case') return p.childForFieldName('communication')?.id === n.id ? p : null;
    if (p.type === 'statement_list' || p.type === 'block') return null;
  }
  return null;
}

function mentions(n: Node, decl: Decl, file: FileContext): boolean {
  return n.descendantsOfType('identifier').some((i) => i.text === decl.name && file.scopes.resolve(i) === decl);
}

function receivedAfter(sel: Node, decl: Decl, outer: Node, file: FileContext): boolean {
  return file.scopes
    .usesOf(decl)
    .some(
      (u) =>
        u.startIndex >= sel.endIndex && enclosingFunction(u)?.id === outer.id && u.parent?.type === 'unary_expression',
    );
}

/** `once.Do(f)` on a sync.Once (a var, parameter or struct field declared so), not any method named Do (pprof.Do). */
function isOnceDo(call: Node, file: FileContext, pkg: PackageContext): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'selector_expression' || fn.childForFieldName('field')?.text !== 'Do') return false;
  const recv = fn.childForFieldName('operand');
  const isOnce = (t: Node | null | undefined): boolean => /^\*?sync\.Once$/.test(t?.text.replace(/\s+/g, '') ?? '');
  if (recv?.type === 'identifier') {
    const d = file.scopes.resolve(recv);
    return (
      !!d && (isOnce(d.type) || /^(&?sync\.Once\{\}|new\(sync\.Once\))$/.test(d.value?.text.replace(/\s+/g, '') ?? ''))
    );
  }
  if (recv?.type === 'selector_expression') {
    const field = recv.childForFieldName('field')?.text;
    for (const fields of pkg.index.structs.values())
      for (const f of fields) if (f.name === field && isOnce(f.type)) return true;
  }
  return false;
}

function packageName(root: Node): string | undefined {
  return kids(root)
    .find((c) => c.type === 'package_clause')
    ?.namedChildren.find((c) => c?.type === 'package_identifier')?.text;
}

/**
 * Whether every blocking receive in the loop is on a package-level channel: such a goroutine serves the whole process
 * (one per process, like the runtime's signal-mask thread), not one request or connection.
 */
function onlyPackageChannels(loop: Node, body: Node, file: FileContext): boolean {
  const chans = ownDescendants(body, 'unary_expression', loop)
    .filter(isReceive)
    .map((r) => r.childForFieldName('operand'));
  if (chans.length === 0) return false;
  return chans.every((c) => {
    if (!c || unparen(c).type !== 'identifier') return false;
    return file.scopes.resolve(unparen(c))?.kind === 'package';
  });
}
