import assert from 'node:assert/strict';
import { delveExpr, linkerName, parseGoSymbol, resolveAgainst } from '../../../src/core/hotpatch/goSymbol';
import { HotpatchError } from '../../../src/core/hotpatch/hotpatchErrors';

describe('goSymbol', () => {
  it('parses package names and import paths', () => {
    assert.deepEqual(parseGoSymbol('pool.BufPool'), { pkg: 'pool', name: 'BufPool' });
    assert.deepEqual(parseGoSymbol('example.com/ecu-demo/pool.BufPool'), {
      pkg: 'example.com/ecu-demo/pool',
      name: 'BufPool',
    });
    assert.deepEqual(parseGoSymbol('main.fixedNewVar'), { pkg: 'main', name: 'fixedNewVar' });
  });

  it('rejects anything that is not a plain pkg.Name, so no expression reaches Delve', () => {
    for (const bad of [
      'BufPool',
      'pool.',
      '.x',
      'pool.BufPool.New',
      'pool.X; call os.Exit(1)',
      'pool.(X)',
      '"a".b',
      'pool.X)',
      'a b.c',
      'pool.1x',
    ]) {
      assert.throws(
        () => parseGoSymbol(bad),
        (e: unknown) => e instanceof HotpatchError && e.code === 'bad-symbol',
        bad,
      );
    }
  });

  it('quotes import paths for Delve and leaves plain package names alone', () => {
    assert.equal(delveExpr(parseGoSymbol('pool.BufPool')), 'pool.BufPool');
    assert.equal(delveExpr(parseGoSymbol('example.com/ecu-demo/pool.BufPool')), '"example.com/ecu-demo/pool".BufPool');
    assert.equal(linkerName(parseGoSymbol('example.com/x.Y')), 'example.com/x.Y');
  });

  it('resolves a short name against the binary symbol names', () => {
    const names = ['example.com/ecu-demo/pool.BufPool', 'sync.Pool', 'example.com/other/pool.Other', 'main.main'];
    assert.deepEqual(resolveAgainst(parseGoSymbol('pool.BufPool'), names), {
      pkg: 'example.com/ecu-demo/pool',
      name: 'BufPool',
    });
    assert.deepEqual(resolveAgainst(parseGoSymbol('main.main'), names), { pkg: 'main', name: 'main' });
    assert.throws(() => resolveAgainst(parseGoSymbol('pool.Missing'), names), /not in the binary's symbol table/);
    assert.throws(
      () => resolveAgainst(parseGoSymbol('pool.X'), ['a.com/pool.X', 'b.com/pool.X']),
      /ambiguous: a\.com\/pool\.X, b\.com\/pool\.X/,
    );
  });
});
