import assert from 'node:assert/strict';
import { siteFrameOf, SiteTable } from '../../../src/core/leak/allocationSite';
import { classifyFunction, FrameKind, goPackagePath } from '../../../src/core/leak/goPackage';
import { ProfileInterner } from '../../../src/core/leak/profileInterner';
import type { SiteMode } from '../../../src/core/leak/leakConfig';
import { heapRow, syntheticProfile } from './syntheticProfile';

const MALLOC = 'runtime.mallocgc@/usr/lib/go/src/runtime/malloc.go:1000';
const GROW = 'runtime.growslice@/usr/lib/go/src/runtime/slice.go:200';
const BUF = 'bytes.(*Buffer).grow@/usr/lib/go/src/bytes/buffer.go:150';
const READ = 'example.com/ecu/can.readLoop@/src/ecu/can/reader.go:42';
const LIB = 'github.com/acme/codec.Decode@/go/pkg/mod/github.com/acme/codec/decode.go:9';
const MAIN = 'main.main@/src/ecu/main.go:20';
const GOEXIT = 'runtime.goexit@/usr/lib/go/src/runtime/asm_amd64.s:1700';

describe('leak/goPackage', () => {
  it('extracts package paths from Go symbols', () => {
    assert.equal(goPackagePath('net/http.(*conn).serve'), 'net/http');
    assert.equal(goPackagePath('example.com/ecu/can.readLoop.func1'), 'example.com/ecu/can');
    assert.equal(goPackagePath('main.main'), 'main');
    assert.equal(goPackagePath('runtime.mallocgc'), 'runtime');
    assert.equal(goPackagePath('github.com/a/b.Map[go.shape.string,example.com/x.T].Put'), 'github.com/a/b');
    // A dot in the last element is ambiguous in Go symbols (pprof cuts there too); the classification is unaffected.
    assert.equal(goPackagePath('gopkg.in/yaml.v3.unmarshal'), 'gopkg.in/yaml');
    assert.equal(classifyFunction('gopkg.in/yaml.v3.unmarshal'), FrameKind.User);
  });

  it('classifies runtime, standard library, third-party and main code', () => {
    assert.equal(classifyFunction('runtime.malg'), FrameKind.Runtime);
    assert.equal(classifyFunction('internal/runtime/maps.newarray'), FrameKind.Runtime);
    assert.equal(classifyFunction('net/http.(*conn).serve'), FrameKind.Stdlib);
    assert.equal(classifyFunction('encoding/json.Unmarshal'), FrameKind.Stdlib);
    assert.equal(classifyFunction('example.com/ecu/can.readLoop'), FrameKind.User);
    assert.equal(classifyFunction('golang.org/x/net/http2.(*Framer).ReadFrame'), FrameKind.User);
    assert.equal(classifyFunction('main.handler.func1'), FrameKind.Main);
    assert.equal(classifyFunction(''), FrameKind.Unknown);
    // A dot-less module is standard library by the naming rule unless configured as the user's own.
    assert.equal(classifyFunction('ecu/can.readLoop'), FrameKind.Stdlib);
    assert.equal(classifyFunction('ecu/can.readLoop', ['ecu']), FrameKind.Main);
    assert.equal(classifyFunction('ecutools/x.F', ['ecu']), FrameKind.Stdlib);
  });
});

describe('leak/allocationSite', () => {
  const interned = (rows: string[][]) => {
    const interner = new ProfileInterner();
    const ids = interner.internSamples(syntheticProfile(rows.map((s) => heapRow(s, 1))));
    return { interner, ids };
  };

  it('picks the site for each mode', () => {
    const { interner, ids } = interned([[MALLOC, GROW, BUF, LIB, READ, MAIN, GOEXIT]]);
    const pick = (mode: SiteMode) =>
      interner.frames.functionNames[siteFrameOf(ids[0]!, mode, interner.stacks, interner.frames)];
    assert.equal(pick('innermost-user'), 'github.com/acme/codec.Decode');
    assert.equal(pick('leaf'), 'runtime.mallocgc');
    assert.equal(pick('main-module'), 'main.main');
    assert.equal(pick('full-stack'), 'runtime.mallocgc');
  });

  it('falls back to the innermost non-runtime frame, then the leaf, for stacks without user code', () => {
    const { interner, ids } = interned([
      ['errors.New@/go/src/errors/errors.go:60', 'compress/zlib.init@/go/src/compress/zlib/reader.go:40', GOEXIT],
      ['runtime.malg@/go/src/runtime/proc.go:4000', 'runtime.newproc1@/go/src/runtime/proc.go:4100'],
      [],
      [
        MALLOC,
        'runtime.newobject@/go/src/runtime/malloc.go:1700',
        'runtime.malg@/go/src/runtime/proc.go:4000',
        'runtime.systemstack@/go/src/runtime/asm_amd64.s:500',
      ],
      [MALLOC, 'runtime.systemstack@/go/src/runtime/asm_amd64.s:500'],
    ]);
    const pick = (i: number) => siteFrameOf(ids[i]!, 'innermost-user', interner.stacks, interner.frames);
    assert.equal(interner.frames.functionNames[pick(0)], 'errors.New');
    assert.equal(interner.frames.functionNames[pick(1)], 'runtime.malg');
    assert.equal(pick(2), -1);
    // Goroutine descriptors: the stack stops at systemstack; the allocator frames are skipped.
    assert.equal(interner.frames.functionNames[pick(3)], 'runtime.malg');
    assert.equal(interner.frames.functionNames[pick(4)], 'runtime.mallocgc');
  });

  it('treats inlined frames of one location as separate frames, innermost first', () => {
    const { interner, ids } = interned([[`${BUF}|${READ}`, MAIN]]);
    assert.deepEqual(
      interner.stacks.frames(ids[0]!).map((f) => interner.frames.functionNames[f]),
      ['bytes.(*Buffer).grow', 'example.com/ecu/can.readLoop', 'main.main'],
    );
  });

  it('gives equal stacks equal ids across profiles, and merges stacks into one site with their count', () => {
    const interner = new ProfileInterner();
    const a = interner.internSamples(
      syntheticProfile([heapRow([MALLOC, READ, MAIN], 1), heapRow([MALLOC, READ, LIB, MAIN], 1)]),
    );
    // A second profile lists the frames in another order of first appearance: ids must still match.
    const b = interner.internSamples(
      syntheticProfile([heapRow([MAIN], 1), heapRow([MALLOC, READ, LIB, MAIN], 1), heapRow([MALLOC, READ, MAIN], 1)]),
    );
    assert.equal(a[0], b[2]);
    assert.equal(a[1], b[1]);
    assert.notEqual(a[0], a[1]);
    const sites = new SiteTable('innermost-user', interner.stacks, interner.frames);
    assert.equal(sites.siteOf(a[0]!), sites.siteOf(a[1]!));
    const site = sites.sites[sites.siteOf(a[0]!)]!;
    assert.deepEqual(
      { f: site.function, file: site.file, line: site.line },
      { f: 'example.com/ecu/can.readLoop', file: '/src/ecu/can/reader.go', line: 42 },
    );
    assert.notEqual(sites.siteOf(b[0]!), sites.siteOf(a[0]!));
    const full = new SiteTable('full-stack', interner.stacks, interner.frames);
    assert.notEqual(full.siteOf(a[0]!), full.siteOf(a[1]!));
    assert.deepEqual(
      sites.stackFrames(a[1]!).map((f) => `${f.function}:${f.line}`),
      ['runtime.mallocgc:1000', 'example.com/ecu/can.readLoop:42', 'github.com/acme/codec.Decode:9', 'main.main:20'],
    );
  });

  it('keeps distinct unsymbolized addresses apart', () => {
    const interner = new ProfileInterner();
    const p = syntheticProfile([heapRow([MAIN], 1), heapRow([READ], 1)]);
    p.locations[0]!.lines = [];
    p.locations[1]!.lines = [];
    const ids = interner.internSamples(p);
    assert.notEqual(ids[0], ids[1]);
  });

  it('keeps stack ids stable across many profiles and thousands of stacks (sequence table rehashes)', () => {
    const interner = new ProfileInterner();
    const rows = Array.from({ length: 3000 }, (_, i) =>
      heapRow([`example.com/x.f${i % 97}@/x.go:${i}`, `example.com/x.g${i % 13}@/y.go:${i % 50}`, MAIN], 1),
    );
    const a = interner.internSamples(syntheticProfile(rows));
    assert.equal(new Set(a).size, 3000);
    const b = interner.internSamples(syntheticProfile([...rows].reverse()));
    assert.deepEqual([...b].reverse(), [...a]);
  });

  it('does not merge a reused address whose code changed (a rebuilt binary)', () => {
    const interner = new ProfileInterner();
    const [x] = interner.internSamples(syntheticProfile([heapRow([READ, MAIN], 1)]));
    // Same addresses (synthetic locations are numbered from 0x1000), different symbolization.
    const [y] = interner.internSamples(syntheticProfile([heapRow([LIB, MAIN], 1)]));
    assert.notEqual(x, y);
  });
});
