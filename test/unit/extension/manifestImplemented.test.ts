import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

// package.json promises commands, settings, views, editors and grammars; the sources must keep those promises, and
// everything the sources register must be declared (or VS Code hides it from users and the palette).
const root = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: {
    commands?: { command: string; title: string; category?: string }[];
    configuration?: { properties?: Record<string, unknown> };
    views?: Record<string, { id: string }[]>;
    viewsContainers?: Record<string, { id: string; icon?: string }[]>;
    customEditors?: { viewType: string }[];
    languages?: { id: string }[];
    grammars?: { language: string; path: string }[];
    menus?: Record<string, { command: string }[]>;
    viewsWelcome?: { view: string; contents: string }[];
  };
};
const c = pkg.contributes;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = path.join(dir, e);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}
const files = sources(path.join(root, 'src')).map((f) => ({ f, text: readFileSync(f, 'utf8') }));
const all = files.map((x) => x.text).join('\n');

/** Resolves the first argument of `fn(...)` calls: a string literal, or an identifier bound to one by a `const`. */
function registeredIds(fn: string, strict = true): string[] {
  const consts = new Map<string, string>();
  for (const m of all.matchAll(/\bconst\s+([A-Za-z_$][\w$]*)\s*=\s*'([^']+)'/g)) consts.set(m[1]!, m[2]!);
  for (const m of all.matchAll(/\b([A-Za-z_$][\w$]*)\s*:\s*'(leakhunt\.[^']+)'/g)) consts.set(m[1]!, m[2]!);
  const ids: string[] = [];
  const re = new RegExp(`\\b${fn}\\(\\s*(?:'([^']+)'|([A-Za-z_$][\\w$.]*))`, 'g');
  for (const m of all.matchAll(re)) {
    if (m[1] !== undefined) ids.push(m[1]);
    else {
      const name = m[2]!.split('.').pop()!;
      const v = consts.get(name);
      if (v === undefined && !strict) continue;
      assert.ok(v !== undefined, `${fn}(${m[2]}): cannot resolve ${m[2]} to a string constant in src/`);
      ids.push(v);
    }
  }
  return ids;
}

describe('package.json contributions and sources agree', () => {
  const registered = registeredIds('registerCommand').concat(registeredIds('registerTextEditorCommand'));
  const declared = (c.commands ?? []).map((x) => x.command);

  it('registers every declared command', () => {
    assert.ok(declared.length > 0);
    for (const id of declared) assert.ok(registered.includes(id), `${id} is declared but never registered`);
  });

  it('declares every registered command', () => {
    assert.ok(registered.length > 0);
    for (const id of registered) assert.ok(declared.includes(id), `${id} is registered but not in package.json`);
  });

  it('puts every command in the Leakhunt category and names it', () => {
    for (const cmd of c.commands ?? []) {
      assert.equal(cmd.category, 'Leakhunt', cmd.command);
      assert.ok(cmd.title.trim().length > 0, cmd.command);
    }
  });

  it('references only declared commands from menus and welcome views', () => {
    for (const [menu, entries] of Object.entries(c.menus ?? {})) {
      for (const e of entries) assert.ok(declared.includes(e.command), `${menu}: ${e.command}`);
    }
    for (const w of c.viewsWelcome ?? []) {
      for (const m of w.contents.matchAll(/\(command:([\w.]+)/g))
        assert.ok(declared.includes(m[1]!), `${w.view}: ${m[1]}`);
    }
  });

  it('reads every declared setting, and declares every setting it reads', () => {
    const props = Object.keys(c.configuration?.properties ?? {});
    for (const key of props) {
      assert.ok(key.startsWith('leakhunt.'), key);
      const short = key.slice('leakhunt.'.length);
      // Either the full key appears, or the rest of it is read from a getConfiguration of the section before it.
      const parts = short.split('.');
      const read =
        all.includes(`'${key}'`) ||
        parts.some((_, i) => {
          const section = ['leakhunt', ...parts.slice(0, i)].join('.');
          const rest = parts.slice(i).join('.').replace(/\./g, '\\.');
          const get = new RegExp(`\\.get(?:<[^>]*>)?\\(\\s*'${rest}'`);
          return files.some((x) => x.text.includes(`getConfiguration('${section}')`) && get.test(x.text));
        });
      assert.ok(read, `${key} is declared but never read`);
    }
    // Reads go through getConfiguration('leakhunt').get('name') or a full 'leakhunt.name' key.
    for (const { f, text } of files) {
      if (!text.includes("getConfiguration('leakhunt')")) continue;
      for (const m of text.matchAll(/\.get(?:<[^>]*>)?\(\s*'([^']+)'/g)) {
        assert.ok(props.includes(`leakhunt.${m[1]}`), `${path.relative(root, f)} reads undeclared leakhunt.${m[1]}`);
      }
    }
    // affectsConfiguration takes a whole section too ('leakhunt.analysis' covers 'leakhunt.analysis.x').
    for (const m of all.matchAll(/affectsConfiguration\(\s*'(leakhunt\.[^']+)'/g)) {
      const key = m[1]!;
      assert.ok(
        props.some((p) => p === key || p.startsWith(`${key}.`)),
        `affectsConfiguration of undeclared ${key}`,
      );
    }
  });

  it('provides data for every declared view and declares every view it provides', () => {
    const views = Object.values(c.views ?? {}).flatMap((v) => v.map((x) => x.id));
    const provided = registeredIds('registerTreeDataProvider', false).concat(registeredIds('createTreeView', false));
    // Ids registered in a loop over a constant table: take the table's values as written.
    for (const m of all.matchAll(/'(leakhunt\.[A-Za-z]+View)'/g)) provided.push(m[1]!);
    assert.ok(views.length >= 3);
    for (const v of views) assert.ok(provided.includes(v), `view ${v} has no provider`);
    for (const p of new Set(provided)) assert.ok(views.includes(p), `provider for undeclared view ${p}`);
    for (const cont of c.viewsContainers?.activitybar ?? []) {
      if (cont.icon) assert.ok(existsSync(path.join(root, cont.icon)), cont.icon);
    }
  });

  it('registers every custom editor and ships every grammar', () => {
    const editors = registeredIds('registerCustomEditorProvider');
    for (const e of c.customEditors ?? []) assert.ok(editors.includes(e.viewType), e.viewType);
    for (const e of editors)
      assert.ok(
        (c.customEditors ?? []).some((x) => x.viewType === e),
        e,
      );
    const languages = (c.languages ?? []).map((l) => l.id);
    for (const g of c.grammars ?? []) {
      assert.ok(languages.includes(g.language), g.language);
      const grammar = JSON.parse(readFileSync(path.join(root, g.path), 'utf8')) as { scopeName: string };
      assert.ok(grammar.scopeName.length > 0);
    }
  });
});
