import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DocumentAnalyzer } from '../../../src/core/analysis/documentAnalyzer';
import { allRules, selectRules } from '../../../src/core/analysis/rules/index';
import { StaticFactsCache, type PackageFile } from '../../../src/core/editor/staticFactsCache';
import { ecuDemoDir } from '../../fixtures/ecuDemo';

const SITE = `package svc

import ("sync"; "unsafe")

var m sync.Map

func store(k int) {
	x := make([]byte, 10)
	m.Store(k, unsafe.Pointer(&x))
}
`;
const SIBLING = `package svc

func other() {}
`;

/** Findings as comparable strings. */
function rows(fs: readonly { line: number; column: number; rule: string; message: string }[]): string[] {
  return fs.map((f) => `${f.line}:${f.column} ${f.rule} ${f.message}`);
}

describe('editor/staticFactsCache (static rules on a runtime site file, from its text, cached by content)', () => {
  let cache: StaticFactsCache;
  beforeEach(() => {
    cache = new StaticFactsCache();
  });
  afterEach(() => cache.dispose());

  const pkg = (site: string, sibling = SIBLING): PackageFile[] => [
    { path: '/ws/svc/site.go', text: site },
    { path: '/ws/svc/other.go', text: sibling },
  ];
  const all = { rules: allRules, goVersion: undefined };

  it('finds what the editor finds for each demo file: DocumentAnalyzer with the same package siblings', async () => {
    const dirs = new Set<string>();
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true }))
        if (e.isDirectory()) walk(path.join(d, e.name));
        else if (e.name.endsWith('.go')) dirs.add(d);
    };
    walk(ecuDemoDir);
    let compared = 0;
    let nonEmpty = 0;
    for (const dir of dirs) {
      const files = readdirSync(dir)
        .filter((n) => n.endsWith('.go'))
        .map((n) => ({ path: path.join(dir, n), text: readFileSync(path.join(dir, n), 'utf8') }));
      for (const f of files) {
        const editor = await DocumentAnalyzer.create(f.path, f.text, { rules: allRules, goVersion: '1.26' });
        editor.setSiblings(files);
        const expected = rows(editor.findings());
        editor.dispose();
        const got = rows((await cache.factsFor(files, f.path, { rules: allRules, goVersion: '1.26' })).findings);
        assert.deepEqual(got, expected, f.path);
        compared++;
        if (expected.length > 0) nonEmpty++;
      }
    }
    assert.ok(compared >= 6 && nonEmpty >= 3, `compared ${compared} files, ${nonEmpty} with findings`);
  });

  it('honours //leakhunt:ignore with a reason, and reports a reasonless one as the editor does', async () => {
    const before = rows((await cache.factsFor(pkg(SITE), '/ws/svc/site.go', all)).findings);
    assert.ok(
      before.some((r) => r.includes('unsafe-pointer-escape')),
      before.join('\n'),
    );
    const ignored = SITE.replace(
      '\tm.Store(',
      '\t//leakhunt:ignore unsafe-pointer-escape the map is cleared on shutdown\n\tm.Store(',
    );
    const after = rows((await cache.factsFor(pkg(ignored), '/ws/svc/site.go', all)).findings);
    assert.ok(!after.some((r) => r.includes('unsafe-pointer-escape')), after.join('\n'));
    assert.ok(
      after.some((r) => r.includes('sync-map-misuse')),
      'the suppression silenced other rules too',
    );
    const reasonless = SITE.replace('\tm.Store(', '\t//leakhunt:ignore unsafe-pointer-escape\n\tm.Store(');
    const bad = rows((await cache.factsFor(pkg(reasonless), '/ws/svc/site.go', all)).findings);
    assert.ok(
      bad.some((r) => r.includes('unsafe-pointer-escape')),
      'a reasonless suppression silenced the rule',
    );
    assert.ok(bad.some((r) => r.includes('invalid-suppression')));
  });

  it('runs only the enabled rules (the leakhunt.analysis.rules toggle)', async () => {
    const only = await cache.factsFor(pkg(SITE), '/ws/svc/site.go', {
      rules: selectRules(['sync-map-misuse']),
      goVersion: undefined,
    });
    assert.ok(only.findings.length > 0);
    assert.deepEqual([...new Set(only.findings.map((f) => f.rule))], ['sync-map-misuse']);
    const none = await cache.factsFor(pkg(SITE), '/ws/svc/site.go', {
      rules: selectRules(['timer-leak']),
      goVersion: undefined,
    });
    assert.deepEqual(none.findings, []);
  });

  it('sees the whole package: a Delete in a sibling file clears the only-grows finding', async () => {
    const grows = rows((await cache.factsFor(pkg(SITE), '/ws/svc/site.go', all)).findings);
    assert.ok(
      grows.some((r) => r.includes('never deletes')),
      grows.join('\n'),
    );
    const deleter = `package svc\n\nfunc drop(k int) { m.Delete(k) }\n`;
    const cleared = rows((await cache.factsFor(pkg(SITE, deleter), '/ws/svc/site.go', all)).findings);
    assert.ok(!cleared.some((r) => r.includes('never deletes')), cleared.join('\n'));
  });

  it('analyses the text it is given (unsaved edits), with syntax errors tolerated as in the editor', async () => {
    // An edit not on disk: a goroutine that never exits, added to the site function.
    const edited = SITE.replace('\tx := make', '\tgo func(ch chan int) { for { <-ch } }(nil)\n\tx := make');
    const facts = await cache.factsFor(pkg(edited), '/ws/svc/site.go', all);
    assert.ok(
      facts.findings.some((f) => f.rule === 'goroutine-leak'),
      rows(facts.findings).join('\n'),
    );
    // Half-typed code: the findings are the editor's for the same text, and the functions are still found.
    const typing = edited.replace('\tx := make', '\tif k > {\n\tx := make');
    const editor = await DocumentAnalyzer.create('/ws/svc/site.go', typing, { rules: allRules });
    editor.setSiblings(pkg(typing));
    const expected = rows(editor.findings());
    editor.dispose();
    const got = await cache.factsFor(pkg(typing), '/ws/svc/site.go', all);
    assert.deepEqual(rows(got.findings), expected);
    assert.ok(got.functions.some((f) => f.name === 'store'));
  });

  it('parses once per content: same text is a hit, any change of a file, the rules or the Go version a miss', async () => {
    await cache.factsFor(pkg(SITE), '/ws/svc/site.go', all);
    assert.deepEqual([cache.stats.hits, cache.stats.misses], [0, 1]);
    const again = await cache.factsFor(pkg(`${SITE}`), '/ws/svc/site.go', all);
    assert.deepEqual([cache.stats.hits, cache.stats.misses], [1, 1]);
    assert.ok(again.findings.length > 0);
    await cache.factsFor(pkg(SITE, `${SIBLING}// edited\n`), '/ws/svc/site.go', all);
    assert.deepEqual([cache.stats.hits, cache.stats.misses], [1, 2]);
    await cache.factsFor(pkg(SITE, `${SIBLING}// edited\n`), '/ws/svc/site.go', { rules: allRules, goVersion: '1.21' });
    assert.deepEqual([cache.stats.hits, cache.stats.misses], [1, 3]);
    await cache.factsFor(pkg(SITE, `${SIBLING}// edited\n`), '/ws/svc/site.go', {
      rules: selectRules(['goroutine-leak']),
      goVersion: '1.21',
    });
    assert.deepEqual([cache.stats.hits, cache.stats.misses], [1, 4]);
    // A second site file of an analysed package reuses its findings and only parses itself for its functions.
    const other = await cache.factsFor(pkg(SITE, `${SIBLING}// edited\n`), '/ws/svc/other.go', {
      rules: selectRules(['goroutine-leak']),
      goVersion: '1.21',
    });
    assert.deepEqual(
      other.functions.map((f) => f.name),
      ['other'],
    );
    assert.equal(cache.stats.misses, 5);
  });

  it('refuses a file that is not among the package files, and use after dispose', async () => {
    await assert.rejects(cache.factsFor(pkg(SITE), '/ws/svc/missing.go', all), /not among the package files/);
    cache.dispose();
    await assert.rejects(cache.factsFor(pkg(SITE), '/ws/svc/site.go', all), /after dispose/);
  });
});
