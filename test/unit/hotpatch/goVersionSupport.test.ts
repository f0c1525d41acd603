import assert from 'node:assert/strict';
import { goVersionUnsupported, parseGoVersion } from '../../../src/core/hotpatch/goVersionSupport';

// The range strings are what Delve 1.27.2's GetVersion answered for a Go 1.26.8 target on this machine.
const min = '1.25.0';
const max = '1.27.0';

describe('goVersionSupport', () => {
  it('parses the forms Delve and buildinfo use', () => {
    assert.deepEqual(parseGoVersion('Go cmd/compile go1.26.8'), [1, 26, 8]);
    assert.deepEqual(parseGoVersion('go1.22'), [1, 22, 0]);
    assert.equal(parseGoVersion('devel'), undefined);
  });

  it('accepts versions inside Delve’s range, any patch of the maximum minor included', () => {
    assert.equal(goVersionUnsupported('Go cmd/compile go1.26.8', min, max), undefined);
    assert.equal(goVersionUnsupported('go1.25.0', min, max), undefined);
    assert.equal(goVersionUnsupported('go1.27.9', min, max), undefined);
  });

  it('names too old and too new versions', () => {
    assert.match(goVersionUnsupported('go1.24.3', min, max) ?? '', /go1\.24\.3 is older than the minimum go1\.25\.0/);
    assert.match(goVersionUnsupported('go1.28.0', min, max) ?? '', /go1\.28\.0 is newer than the maximum go1\.27\.x/);
    assert.match(goVersionUnsupported('devel', min, max) ?? '', /cannot read/);
  });
});
