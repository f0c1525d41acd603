import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findSourceFrames } from '../../../src/extension/goroutineDump/findSourceFrames';
import { SuffixPathMapper } from '../../../src/extension/pathMapping/suffixPathMapper';

const ws = '/home/dev/ecu';
const files = [
  `${ws}/main.go`,
  `${ws}/can/reader.go`,
  `${ws}/cache/session_cache.go`,
  `${ws}/cmd/a/main.go`,
  `${ws}/cmd/b/main.go`,
  `${ws}/vendor/example.com/lib/util.go`,
  `${ws}/internal/util.go`,
];

describe('SuffixPathMapper', () => {
  const m = new SuffixPathMapper([ws], files);

  it('maps build-machine and -trimpath module paths by the longest path suffix', () => {
    assert.equal(m.map('/build/ecu/can/reader.go'), `${ws}/can/reader.go`);
    assert.equal(m.map('example.com/ecu/can/reader.go'), `${ws}/can/reader.go`);
    assert.equal(m.map('C:\\src\\ecu\\cache\\session_cache.go'), `${ws}/cache/session_cache.go`);
    assert.equal(m.map('/ci/x/cmd/b/main.go'), `${ws}/cmd/b/main.go`);
    assert.equal(m.map('example.com/lib/util.go'), `${ws}/vendor/example.com/lib/util.go`);
  });

  it('maps an exact workspace path to itself', () => {
    assert.equal(m.map(`${ws}/main.go`), `${ws}/main.go`);
  });

  it('refuses ambiguous and unknown paths instead of guessing', () => {
    // Only the base name matches, and three files share it: no link rather than a wrong one.
    assert.equal(m.map('/usr/local/go/src/other/main.go'), undefined);
    assert.equal(m.map('/usr/local/go/src/runtime/proc.go'), undefined);
    assert.equal(m.map(''), undefined);
    assert.equal(m.map('/'), undefined);
    assert.equal(m.map('..'), undefined);
  });

  it('never returns a path outside the workspace', () => {
    const outside = new SuffixPathMapper([ws], [...files, '/etc/passwd.go', '/home/dev/other/can/reader.go']);
    assert.equal(outside.map('/etc/passwd.go'), undefined);
    assert.equal(outside.map(`${ws}/../other/can/reader.go`), `${ws}/can/reader.go`);
    assert.equal(outside.map('/home/dev/other/x.go'), undefined);
    const mapped = new SuffixPathMapper([ws], files, [{ from: '/build', to: '/etc' }]);
    assert.equal(mapped.map('/build/passwd.go'), undefined);
  });

  it('applies explicit mappings first, longest prefix winning, and falls back to suffixes', () => {
    const mapped = new SuffixPathMapper([ws], files, [
      { from: '/build', to: `${ws}/cmd` },
      { from: '/build/ecu/', to: ws },
    ]);
    assert.equal(mapped.map('/build/ecu/main.go'), `${ws}/main.go`);
    assert.equal(mapped.map('/build/a/main.go'), `${ws}/cmd/a/main.go`);
    // The mapping points at a missing file, so the suffix rule decides.
    assert.equal(mapped.map('/build/ecu/can/reader.go'), `${ws}/can/reader.go`);
    // Prefixes match whole path segments only.
    assert.equal(mapped.map('/builder/a/main.go'), `${ws}/cmd/a/main.go`);
  });
});

describe('findSourceFrames', () => {
  it('finds debug=2 and debug=1 frames with their positions', () => {
    const text = [
      'goroutine 7 [chan receive, 3 minutes]:',
      'example.com/ecu/can.(*Reader).loop(0xc000012345)',
      '\t/build/ecu/can/reader.go:42 +0x1d',
      'created by example.com/ecu/can.Start in goroutine 1',
      '\t/build/ecu/can/reader.go:30 +0x45',
      '#\t0x13ac449\tmain.shortSleepLoop+0x29\t/Users/x/main.go:165',
      '\tC:/go/src/runtime/asm_amd64.s:1700 +0x1',
    ].join('\n');
    const frames = findSourceFrames(text);
    assert.deepEqual(
      frames.map((f) => [f.line, f.file, f.sourceLine, text.split('\n')[f.line]!.slice(f.start, f.end)]),
      [
        [2, '/build/ecu/can/reader.go', 42, '/build/ecu/can/reader.go:42'],
        [4, '/build/ecu/can/reader.go', 30, '/build/ecu/can/reader.go:30'],
        [5, '/Users/x/main.go', 165, '/Users/x/main.go:165'],
        [6, 'C:/go/src/runtime/asm_amd64.s', 1700, 'C:/go/src/runtime/asm_amd64.s:1700'],
      ],
    );
  });

  it('finds one frame per stack line of a real debug=2 dump', () => {
    const file = path.resolve(
      __dirname,
      '../../../../shared/corpus/profiles/goroutine-triplets/1.net.http.pprof.goroutine.debug2.txt',
    );
    const text = readFileSync(file, 'utf8');
    const expected = text.split('\n').filter((l) => /^\t\S+\.(go|s):\d+/.test(l)).length;
    assert.ok(expected > 50);
    assert.equal(findSourceFrames(text).length, expected);
  });
});

describe('SuffixPathMapper with Go modules', () => {
  const a = '/ws/svc-one';
  const b = '/ws/svc-two';
  const files = [`${a}/can/reader.go`, `${b}/can/reader.go`, `${a}/main.go`];
  const modules = [
    { path: 'example.com/a', dir: a },
    { path: 'example.com/b', dir: b },
  ];

  it('resolves -trimpath module paths that the suffix alone leaves ambiguous', () => {
    const plain = new SuffixPathMapper(['/ws'], files);
    assert.equal(plain.map('example.com/b/can/reader.go'), undefined);
    const m = new SuffixPathMapper(['/ws'], files, [], modules);
    assert.equal(m.map('example.com/b/can/reader.go'), `${b}/can/reader.go`);
    assert.equal(m.map('example.com/a/can/reader.go'), `${a}/can/reader.go`);
    assert.equal(m.map('example.com/a/main.go'), `${a}/main.go`);
  });

  it('falls back to suffixes when the module has no such file, and never leaves the workspace', () => {
    const m = new SuffixPathMapper(['/ws'], files, [], [...modules, { path: 'example.com/evil', dir: '/etc' }]);
    assert.equal(m.map('example.com/evil/passwd.go'), undefined);
    assert.equal(m.map('example.com/b/../../../etc/x.go'), undefined);
    assert.equal(m.map('other.org/x/main.go'), `${a}/main.go`);
  });
});
