import assert from 'node:assert/strict';
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { createGoParser } from '../../../src/core/analysis/goParser';
import { PackageIndex } from '../../../src/core/analysis/packageIndex';
import { ScopeResolver } from '../../../src/core/analysis/scope';

const SRC = `package p

var g = 1
var shadowed int

func f(a int, b string) (r int, err error) {
	x := a
	shadowed := 2
	if y := x; y > 0 {
		x := y // shadows the outer x
		_ = x
	}
	for i, v := range b {
		_, _ = i, v
	}
	go func(a int) {
		_ = a + x + g
	}(1)
	switch t := any(x).(type) {
	case int:
		_ = t
	}
	select {
	case m, ok := <-make(chan int):
		_, _ = m, ok
	}
	r = shadowed
	return
}

func (s *T) M() { _ = s }
`;

describe('analysis: scope resolution', function () {
  let parser: Parser;
  let tree: Tree;
  let scopes: ScopeResolver;
  const ids: Node[] = [];

  before(async () => {
    parser = await createGoParser();
    tree = parser.parse(SRC)!;
    scopes = new ScopeResolver(new PackageIndex([tree.rootNode]));
    ids.push(...tree.rootNode.descendantsOfType('identifier'));
  });
  after(() => {
    tree.delete();
    parser.delete();
  });

  /** The identifier `name` on the (1-based) line containing `marker`, nth occurrence on that line. */
  function at(marker: string, name: string, nth = 0): Node {
    const line = SRC.split('\n').findIndex((l) => l.includes(marker));
    const hits = ids.filter((n) => n.startPosition.row === line && n.text === name);
    assert.ok(hits[nth], `no ${name} on line with ${marker}`);
    return hits[nth]!;
  }

  it('resolves parameters, named results and receivers to their kinds', () => {
    assert.equal(scopes.resolve(at('x := a', 'a'))?.kind, 'param');
    assert.equal(scopes.resolve(at('r = shadowed', 'r'))?.kind, 'result');
    assert.equal(scopes.resolve(at('_ = s }', 's'))?.kind, 'receiver');
  });

  it('tells package-level names from locals that shadow them', () => {
    assert.equal(scopes.resolve(at('_ = a + x + g', 'g'))?.kind, 'package');
    const local = scopes.resolve(at('r = shadowed', 'shadowed'));
    assert.equal(local?.kind, 'local');
    assert.equal(
      local?.ident.startPosition.row,
      SRC.split('\n').findIndex((l) => l.includes('shadowed := 2')),
    );
  });

  it('handles block shadowing: the inner x and the outer x are different declarations', () => {
    const inner = scopes.resolve(at('_ = x', 'x'));
    const outer = scopes.resolve(at('if y := x', 'x'));
    assert.ok(inner && outer && inner !== outer);
    assert.equal(inner.value?.text, 'y');
    assert.equal(outer.value?.text, 'a');
  });

  it('marks captures by func literals and keeps literal parameters separate', () => {
    const xRef = at('_ = a + x + g', 'x');
    const x = scopes.resolve(xRef)!;
    assert.equal(scopes.isCaptured(xRef, x), true);
    const aRef = at('_ = a + x + g', 'a');
    const a = scopes.resolve(aRef)!;
    assert.equal(a.owner?.type, 'func_literal');
    assert.equal(scopes.isCaptured(aRef, a), false);
    assert.ok(scopes.usesOf(x).some((u) => u.id === xRef.id));
  });

  it('declares range, type-switch and select-case variables', () => {
    const v = scopes.resolve(at('_, _ = i, v', 'v'));
    assert.equal(v?.fromRange, true);
    assert.equal(scopes.resolve(at('_ = t', 't'))?.kind, 'local');
    assert.equal(scopes.resolve(at('_, _ = m, ok', 'ok'))?.kind, 'local');
  });

  it('leaves imports and builtins unresolved', () => {
    assert.equal(scopes.resolve(at('switch t := any(x)', 'any')), undefined);
  });
});
