import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { allRules } from '../../../src/core/analysis/rules/index';
import { INVALID_SUPPRESSION } from '../../../src/core/analysis/suppression';
import {
  correlate,
  correlationMessage,
  raiseSeverity,
  type StaticFacts,
} from '../../../src/core/editor/correlateFindings';
import { StaticFactsCache } from '../../../src/core/editor/staticFactsCache';
import { plantedSites } from '../../fixtures/ecuDemo';

// Real Go in layouts gofmt would not write (indented method with an indented closing brace, statements packed on one
// line), with leaks the static rules flag: a sync.Map store of an unsafe.Pointer inside a method, a goroutine started
// with `go func(){...}()` that never exits, and a package-level sync.Pool New literal that retains its buffers.
const SVC = `package svc

import ("sync"; "unsafe")

var m sync.Map

type Store struct{ n int }

  func (s *Store) put(k int) {
	x := make([]byte, 10); s.n++
	m.Store(k, unsafe.Pointer(&x))
  }

func unrelated() { m.Range(func(k, v any) bool { return true }) }

func serve(ch chan int) {
	go func() {
		for { v := <-ch; _ = v }
	}()
}

var pool = sync.Pool{New: func() any {
	b := make([]byte, 4)
	keep = append(keep, &b)
	return &b
}}

var keep []*[]byte
`;
// A second file of the package that starts serve's sibling goroutines from elsewhere.
const MAIN = `package svc

func start(ch chan int) {
	for i := 0; i < 3; i++ { serve(ch) }
}
`;

function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `no line contains ${needle}`);
  return i + 1;
}

describe('editor/correlateFindings (static findings that explain runtime leak sites)', () => {
  const cache = new StaticFactsCache();
  const facts = new Map<string, StaticFacts>();
  const factsOf = (f: string): StaticFacts | undefined => facts.get(f);
  after(() => cache.dispose());

  before(async () => {
    const files = [
      { path: '/ws/svc/svc.go', text: SVC },
      { path: '/ws/svc/main.go', text: MAIN },
    ];
    for (const f of files)
      facts.set(f.path, await cache.factsFor(files, f.path, { rules: allRules, goVersion: undefined }));
    // The fixture is meant to trip these rules; if a rule changes, the cases below would test nothing.
    const rules = facts.get('/ws/svc/svc.go')!.findings.map((f) => `${f.line} ${f.rule}`);
    assert.ok(rules.includes(`${lineOf(SVC, 'm.Store(k')} unsafe-pointer-escape`), rules.join('; '));
    assert.ok(rules.includes(`${lineOf(SVC, 'go func()')} goroutine-leak`), rules.join('; '));
    assert.ok(rules.includes(`${lineOf(SVC, 'keep = append')} pool-misuse`), rules.join('; '));
  });

  it('links a heap site in an indented method to the findings of that method only, line matches first', () => {
    const storeLine = lineOf(SVC, 'm.Store(k');
    const onStore = correlate([{ file: '/ws/svc/svc.go', line: storeLine, role: 'site' }], factsOf);
    assert.ok(onStore.length >= 2);
    assert.ok(onStore.every((c) => c.match === 'line' && c.finding.line === storeLine));
    assert.match(
      correlationMessage(onStore),
      /^static rule .*unsafe-pointer-escape.* on this line explains the runtime growth$/,
    );
    // The allocation a line above: the same findings, now through the owning method.
    const alloc = correlate([{ file: '/ws/svc/svc.go', line: lineOf(SVC, 'x := make'), role: 'site' }], factsOf);
    assert.deepEqual(
      alloc.map((c) => [c.finding.rule, c.match, c.owner]),
      onStore.map((c) => [c.finding.rule, 'function', '(*Store).put']),
    );
    assert.match(correlationMessage(alloc), / in \(\*Store\)\.put explains the runtime growth$/);
    // A line of another function of the same file is explained by nothing.
    assert.deepEqual(
      correlate([{ file: '/ws/svc/svc.go', line: lineOf(SVC, 'func unrelated'), role: 'site' }], factsOf),
      [],
    );
  });

  it('links a goroutine group blocked inside go func(){...}() to the finding on its go statement', () => {
    const block = lineOf(SVC, 'for { v := <-ch');
    const go = lineOf(SVC, 'go func()');
    // The blocking line alone: the literal (and serve around it) owns the go statement's finding.
    const alone = correlate([{ file: '/ws/svc/svc.go', line: block, role: 'site' }], factsOf);
    assert.deepEqual(
      alone.map((c) => [c.finding.rule, c.match, c.owner]),
      [['goroutine-leak', 'function', 'go func literal in serve']],
    );
    // With the creator frame (the go statement) as an anchor, the same finding is a creator match, once.
    const both = correlate(
      [
        { file: '/ws/svc/svc.go', line: block, role: 'site' },
        { file: '/ws/svc/svc.go', line: go, role: 'creator' },
      ],
      factsOf,
    );
    assert.deepEqual(
      both.map((c) => [c.finding.rule, c.match]),
      [['goroutine-leak', 'creator']],
    );
    assert.equal(
      correlationMessage(both),
      'static rule goroutine-leak on the go statement that starts these goroutines explains the runtime growth',
    );
  });

  it('follows a creator anchor into another file of the package', () => {
    const inStart = lineOf(MAIN, 'serve(ch)');
    const c = correlate(
      [
        { file: '/ws/svc/main.go', line: inStart, role: 'creator' },
        { file: '/ws/svc/svc.go', line: lineOf(SVC, 'func unrelated'), role: 'site' },
      ],
      factsOf,
    );
    // main.go has no finding: nothing explains this group, and svc.go's findings do not leak across files.
    assert.deepEqual(c, []);
    const withFinding = (f: string): StaticFacts | undefined =>
      f === '/ws/svc/main.go'
        ? {
            ...facts.get(f)!,
            findings: [{ rule: 'lost-cancel', file: f, line: inStart - 1, column: 2, message: 'cancel lost' }],
          }
        : facts.get(f);
    const viaStart = correlate([{ file: '/ws/svc/main.go', line: inStart, role: 'creator' }], withFinding);
    assert.deepEqual(
      viaStart.map((x) => [x.finding.file, x.match, x.owner]),
      [['/ws/svc/main.go', 'function', 'start']],
    );
  });

  it('explains a leak inside a package-level sync.Pool New literal by its pool-misuse finding', () => {
    const c = correlate([{ file: '/ws/svc/svc.go', line: lineOf(SVC, 'b := make([]byte, 4)'), role: 'site' }], factsOf);
    assert.deepEqual(
      c.map((x) => [x.finding.rule, x.match, x.owner]),
      [['pool-misuse', 'function', 'func literal in pool']],
    );
  });

  it('never lets a malformed suppression explain growth', () => {
    const line = lineOf(SVC, 'x := make');
    const f = (rule: string): StaticFacts => ({
      ...facts.get('/ws/svc/svc.go')!,
      findings: [{ rule, file: '/ws/svc/svc.go', line, column: 1, message: 'm' }],
    });
    assert.deepEqual(
      correlate([{ file: '/ws/svc/svc.go', line, role: 'site' }], () => f(INVALID_SUPPRESSION)),
      [],
    );
    assert.equal(correlate([{ file: '/ws/svc/svc.go', line, role: 'site' }], () => f('timer-leak')).length, 1);
  });

  it('raises info to warning and warning to error', () => {
    assert.equal(raiseSeverity('info'), 'warning');
    assert.equal(raiseSeverity('warning'), 'error');
    assert.equal(raiseSeverity('error'), 'error');
  });

  describe('on the demo service (testdata/ecu-demo), analysed as the editor would', () => {
    const planted = plantedSites();
    const demoFacts = new Map<string, StaticFacts>();
    before(async () => {
      for (const site of planted.values()) {
        if (demoFacts.has(site.file)) continue;
        const dir = path.dirname(site.file);
        const files = readdirSync(dir)
          .filter((n) => n.endsWith('.go'))
          .map((n) => ({ path: path.join(dir, n), text: readFileSync(path.join(dir, n), 'utf8') }));
        demoFacts.set(site.file, await cache.factsFor(files, site.file, { rules: allRules, goVersion: '1.26' }));
      }
    });
    const at = (id: string, role: 'site' | 'creator' = 'site') => {
      const s = planted.get(id);
      assert.ok(s, `the demo lost its ${id} marker`);
      return { file: s.file, line: s.line, role };
    };
    const explain = (...anchors: ReturnType<typeof at>[]) =>
      correlate(anchors, (f) => demoFacts.get(f)).map((c) => `${c.match} ${c.finding.rule}`);

    it('the sync.Map store of an unsafe.Pointer explains the session cache allocation (same function)', () => {
      assert.deepEqual(explain(at('map-unsafe-alloc')).sort(), [
        'function sync-map-misuse',
        'function sync-map-misuse',
        'function unsafe-pointer-escape',
      ]);
      assert.ok(explain(at('map-unsafe-store')).every((x) => x.startsWith('line ')));
    });

    it("the CAN reader group is explained by goroutine-leak on its go statement, not by its blocking line's function", () => {
      assert.deepEqual(explain(at('can-reader-block')), []);
      assert.deepEqual(explain(at('can-reader-block'), at('can-reader-start', 'creator')), ['creator goroutine-leak']);
    });

    it("the pool's leaky New is explained by pool-misuse; the fixed New and the bounded/churn code are not", () => {
      assert.deepEqual(explain(at('pool-leaky-new')), ['function pool-misuse']);
      assert.deepEqual(explain(at('pool-retain-append')), ['line pool-misuse']);
      assert.deepEqual(explain(at('pool-fixed-new')), []);
      const others = [...planted.values()].filter((s) => /bounded|churn/.test(s.relFile));
      assert.ok(others.length > 0, 'no planted bounded/churn site to check');
      for (const s of others) assert.deepEqual(explain(at(s.id)), [], s.id);
    });
  });
});
