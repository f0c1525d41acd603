import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Parser } from 'web-tree-sitter';
import { createGoParser } from '../../../src/core/analysis/goParser';
import { goFunctionsOf, ownersOfLine, type GoFunction } from '../../../src/core/editor/goFunctions';
import { functionRanges } from '../../../src/core/hotpatch/functionRanges';
import { plantedSites } from '../../fixtures/ecuDemo';

// Layouts gofmt would never write, which a column-0 heuristic gets wrong: two functions on one line, an indented
// method whose closing brace is indented too, a generic receiver, a go func literal, a package-level literal.
const ODD = `package svc

import ("sync"; "unsafe")

var m sync.Map

func one() int { return 1 }; func two() int { return 2 }

  func (s *Store) put(k int) {
	x := make([]byte, 10)
	m.Store(k, unsafe.Pointer(&x))
  }

func serve(ch chan int) {
	go func() {
		for { v := <-ch; _ = v }
	}()
	go (func(n int) { <-ch })(1)
	f := func() { <-ch }
	go f()
}

func (b Box[T]) Get() T { var z T; return z }

var pool = sync.Pool{New: func() any {
	b := make([]byte, 4)
	return &b
}}
`;

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `no line contains ${needle}`);
  return i + 1;
}

describe('editor/goFunctions (which function owns a line, from the tree-sitter parse)', () => {
  let parser: Parser;
  before(async () => {
    parser = await createGoParser();
  });
  after(() => parser.delete());

  function functionsOf(text: string): GoFunction[] {
    const tree = parser.parse(text);
    assert.ok(tree);
    try {
      return goFunctionsOf(tree.rootNode);
    } finally {
      tree.delete();
    }
  }

  it('lists declarations, methods (pprof-style names) and literals with their nesting, in any layout', () => {
    const fns = functionsOf(ODD);
    assert.deepEqual(
      fns.map((f) => [f.name, f.kind, f.startLine, f.endLine, f.goroutine, f.parent]),
      [
        ['one', 'function', 7, 7, false, undefined],
        ['two', 'function', 7, 7, false, undefined],
        ['(*Store).put', 'method', 9, 12, false, undefined],
        ['serve', 'function', 14, 21, false, undefined],
        ['go func literal in serve', 'literal', 15, 17, true, 3],
        ['go func literal in serve', 'literal', 18, 18, true, 3],
        ['func literal in serve', 'literal', 19, 19, false, 3],
        ['Box.Get', 'method', 23, 23, false, undefined],
        ['func literal in pool', 'literal', 25, 28, false, undefined],
      ],
    );
    // The column-0 heuristic this replaces misses the indented method and runs serve's neighbour into it.
    assert.ok(!functionRanges(ODD).some((r) => r.name === 'put'));
  });

  it('gives the owners of a line innermost first: the go func literal, then its declaration', () => {
    const fns = functionsOf(ODD);
    const names = (line: number): string[] => ownersOfLine(fns, line).map((f) => f.name);
    assert.deepEqual(names(lineOf(ODD, 'for { v := <-ch')), ['go func literal in serve', 'serve']);
    assert.deepEqual(names(lineOf(ODD, 'go f()')), ['serve']);
    assert.deepEqual(names(lineOf(ODD, 'x := make([]byte, 10)')), ['(*Store).put']);
    assert.deepEqual(names(lineOf(ODD, 'b := make([]byte, 4)')), ['func literal in pool']);
    assert.deepEqual(names(lineOf(ODD, 'var m sync.Map')), []);
  });

  it('names the owner of every planted leak line of the demo service as pprof names its function', () => {
    const sites = [...plantedSites().values()];
    assert.ok(sites.length >= 5, `only ${sites.length} planted sites`);
    for (const site of sites) {
      const owners = ownersOfLine(functionsOf(readFileSync(site.file, 'utf8')), site.line);
      const decl = owners[owners.length - 1];
      assert.ok(decl, `${site.id} has no owner`);
      assert.equal(
        decl.name,
        site.function
          .split('/')
          .pop()!
          .replace(/^[^.]+\./, ''),
        site.id,
      );
    }
  });
});
