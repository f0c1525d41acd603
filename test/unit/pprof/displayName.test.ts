import * as assert from 'node:assert/strict';
import { pprofDisplayName } from '../../../src/core/pprof/displayName';

const fn = (name: string, systemName = name) => ({ id: 1, name, systemName, filename: '', startLine: 0 });

describe('pprofDisplayName', () => {
  it('simplifies Go generic instantiations the way pprof’s demangling heuristic does', () => {
    assert.equal(
      pprofDisplayName(fn('hmac.New[go.shape.interface { BlockSize() int; Sum([]uint8) []uint8 }]')),
      'hmac.New[go.shape.interface { BlockSize int; Sum []uint8 }]',
    );
    assert.equal(pprofDisplayName(fn('ns::Foo<int>::bar(int, char)')), 'ns::Foo::bar');
  });

  it('leaves plain Go names, Go methods on generic types and Java constructors alone', () => {
    assert.equal(pprofDisplayName(fn('main.(*pool).get')), 'main.(*pool).get');
    assert.equal(pprofDisplayName(fn('main.(*List[go.shape.int]).Push')), 'main.(*List[go.shape.int]).Push');
    assert.equal(pprofDisplayName(fn('java.lang.Object.<init>(int)')), 'java.lang.Object.<init>(int)');
  });

  it('keeps a name that differs from its system name, and falls back to the system name when empty', () => {
    assert.equal(pprofDisplayName(fn('pretty()[x]', 'raw')), 'pretty()[x]');
    assert.equal(pprofDisplayName(fn('', 'main.f')), 'main.f');
    assert.equal(pprofDisplayName(fn('', '')), '');
  });

  it('gives up on unbalanced brackets like pprof', () => {
    assert.equal(pprofDisplayName(fn('f[x) (y')), 'f[x) (y');
  });
});
