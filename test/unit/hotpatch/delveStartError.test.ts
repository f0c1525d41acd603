import assert from 'node:assert/strict';
import { delveStartError } from '../../../src/core/hotpatch/delveProcess';
import {
  DelveNotFoundError,
  NoDebugInfoError,
  PtraceDeniedError,
  UnsupportedGoVersionError,
} from '../../../src/core/hotpatch/hotpatchErrors';

// dlv 1.27.2's output, recorded on this machine, except the Go-version lines: we have only Go 1.26 here, so those
// are Delve's message formats (pkg/goversion) filled in by hand.
describe('delveStartError', () => {
  it('maps a missing process', () => {
    const e = delveStartError(999999, [
      'API server listening at: 127.0.0.1:43185',
      'could not attach to pid 999999: no such process',
    ]);
    assert.equal(e.code, 'no-such-process');
  });

  it("maps ptrace refusals, Delve's ownership check included, to CAP_SYS_PTRACE advice", () => {
    for (const line of [
      'Could not attach to pid 11529: current user does not own the process',
      'could not attach to pid 11529: operation not permitted',
    ]) {
      const e = delveStartError(11529, ['API server listening at: 127.0.0.1:37787', line]);
      assert.ok(e instanceof PtraceDeniedError, line);
      assert.match(e.message, /CAP_SYS_PTRACE.*--cap-add=SYS_PTRACE/);
    }
  });

  it('maps the stripped-binary warning to the split-debug-info advice', () => {
    const e = delveStartError(1, [
      'Warning: no debug info found, some functionality will be missing such as stack traces and variable evaluation.',
    ]);
    assert.ok(e instanceof NoDebugInfoError);
    assert.match(e.message, /objcopy --only-keep-debug/);
  });

  it('maps both Go version messages', () => {
    const tooNew = delveStartError(1, [
      'Version of Delve is too old for Go version go1.28.1 (maximum supported version 1.27, suppress this error with --check-go-version=false)',
    ]);
    assert.ok(tooNew instanceof UnsupportedGoVersionError);
    assert.match(tooNew.message, /built with go1\.28\.1/);
    const tooOld = delveStartError(1, [
      'Go version go1.20.3 is too old for this version of Delve (minimum supported version 1.25, suppress this error with --check-go-version=false)',
    ]);
    assert.ok(tooOld instanceof UnsupportedGoVersionError);
    assert.match(tooOld.message, /built with go1\.20\.3/);
  });

  it('keeps unknown failures as dlv-start with the last line, and a missing binary as dlv-missing', () => {
    const e = delveStartError(5, ['something odd', 'the end']);
    assert.equal(e.code, 'dlv-start');
    assert.match(e.message, /the end/);
    const enoent = Object.assign(new Error('spawn dlv ENOENT'), { code: 'ENOENT' });
    assert.ok(delveStartError(5, [], enoent) instanceof DelveNotFoundError);
  });
});
