import assert from 'node:assert/strict';
import { parseHTML } from 'linkedom';
import { renderDashboard, type DashboardHandlers, type DashboardState } from '../../../media/render/renderDashboard';
import { hue } from '../../../media/render/renderFlameGraph';
import { renderMessage } from '../../../media/render/renderMessage';
import { visibleRows } from '../../../media/render/renderTopTable';
import type { FlameNode, ProfileTopModel, TopRow } from '../../../src/views/dashboardMessages';
import { HOSTILE_NAMES } from '../../fixtures/hostileProfile';

const hostile = HOSTILE_NAMES;

function model(rows: TopRow[], flame?: FlameNode): ProfileTopModel {
  const total = rows.reduce((s, r) => s + r.flat, 0);
  return {
    title: '<svg onload=alert(5)>.pb.gz',
    isDiff: false,
    sampleTypes: [
      { type: 'inuse_space', unit: 'bytes' },
      { type: '<b>evil</b>', unit: '<i>u</i>' },
    ],
    sampleIndex: 0,
    granularity: 'function',
    total,
    rows,
    omittedRows: 0,
    flame: flame ?? {
      name: 'root',
      value: total,
      self: 0,
      children: rows.map((r) => ({ name: r.name, value: r.flat, self: r.flat, children: [] })),
    },
  };
}

function handlers(log: string[] = []): DashboardHandlers {
  return {
    onSelectSampleIndex: (i) => log.push(`select ${i}`),
    onSelectGranularity: (g) => log.push(`by ${g}`),
    onOpenSource: (r) => log.push(`open ${r.file}:${r.line}`),
    onSort: (k) => log.push(`sort ${k}`),
    onFilter: (t) => log.push(`filter ${t}`),
    onView: (v) => log.push(`view ${v}`),
    onFlameFocus: (n, a) => log.push(`focus ${n.name} under ${a.map((x) => x.name).join('>')}`),
    onExport: () => log.push('export'),
  };
}

const top: DashboardState = { view: 'top', sortBy: 'flat', filter: '', flameFocus: undefined };
const flame: DashboardState = { ...top, view: 'flame' };
const hostileRows = (): TopRow[] =>
  hostile.map((name, i) => ({
    name,
    file: `/src/${name}.go`,
    line: i + 1,
    flat: 100 - i,
    cum: 200,
    inWorkspace: true,
  }));

/** Serialising and parsing again is what a browser would do if any string had leaked into HTML. */
function bothWays(document: Document): Document[] {
  return [document, parseHTML(`<html><body>${document.body.innerHTML}</body></html>`).document];
}

describe('dashboard rendering', () => {
  it('shows hostile function names, files and titles in the top table as text without creating elements', () => {
    const { document } = parseHTML('<!DOCTYPE html><html><body><main id="app"></main></body></html>');
    document.getElementById('app')!.append(renderDashboard(document, model(hostileRows()), top, handlers()));
    for (const d of bothWays(document)) {
      assert.equal(d.querySelectorAll('img, script, iframe, svg, b, i').length, 0);
      assert.equal(d.querySelectorAll('[onerror], [onload], [onmouseover]').length, 0);
      assert.equal(d.querySelectorAll('table').length, 1);
      assert.equal(d.querySelectorAll('tbody tr').length, hostile.length);
      assert.deepEqual(
        Array.from(d.querySelectorAll('.fn-name')).map((e) => e.textContent),
        hostile,
      );
      assert.deepEqual(
        Array.from(d.querySelectorAll('a.source')).map((e) => e.textContent),
        hostile.map((n, i) => `/src/${n}.go:${i + 1}`),
      );
      assert.equal(d.querySelector('h1')!.textContent, '<svg onload=alert(5)>.pb.gz');
      assert.equal(d.querySelectorAll('option')[1]!.textContent, '<b>evil</b> (<i>u</i>)');
    }
  });

  it('shows hostile names in the flame graph as text, in frames and tooltips', () => {
    const { document } = parseHTML('<html><body></body></html>');
    document.body.append(renderDashboard(document, model(hostileRows()), flame, handlers()));
    for (const d of bothWays(document)) {
      assert.equal(d.querySelectorAll('img, script, iframe, svg, b, i, table').length, 0);
      const frames = Array.from(d.querySelectorAll('.flame .frame'));
      assert.deepEqual(
        frames.map((f) => f.textContent),
        ['root', ...hostile],
      );
      assert.ok(frames[1]!.getAttribute('title')!.startsWith(hostile[0]!));
    }
  });

  it('renders error messages as text', () => {
    const { document } = parseHTML('<html><body></body></html>');
    document.body.append(renderMessage(document, 'error', '<img src=x onerror=alert(1)> is not a profile'));
    assert.equal(document.querySelectorAll('img').length, 0);
    assert.equal(document.body.textContent, '<img src=x onerror=alert(1)> is not a profile');
  });

  it('formats values in the unit of the selected sample type and percentages of the total', () => {
    const { document } = parseHTML('<html><body></body></html>');
    const rows = [
      { name: 'a', file: '', line: 0, flat: 3 * 1024 * 1024, cum: 4 * 1024 * 1024, inWorkspace: false },
      { name: 'b', file: 'b.go', line: 0, flat: 1024 * 1024, cum: 1024 * 1024, inWorkspace: false },
    ];
    const root = renderDashboard(document, model(rows), top, handlers());
    const cells = Array.from(root.querySelectorAll('tbody tr')).map((tr) =>
      Array.from(tr.querySelectorAll('td')).map((td) => td.textContent),
    );
    assert.deepEqual(cells, [
      ['3.00MB', '75.00%', '4.00MB', '100.00%', 'a', ''],
      ['1.00MB', '25.00%', '1.00MB', '25.00%', 'b', 'b.go'],
    ]);
  });

  it('reports user actions through the handlers, and links only workspace locations', () => {
    const { document, Event } = parseHTML('<html><body></body></html>');
    const log: string[] = [];
    const rows = [
      { name: 'main.leak', file: '/x/main.go', line: 12, flat: 1, cum: 1, inWorkspace: true },
      {
        name: 'runtime.gopark',
        file: '/usr/local/go/src/runtime/proc.go',
        line: 400,
        flat: 1,
        cum: 1,
        inWorkspace: false,
      },
    ];
    const root = renderDashboard(document, model(rows), top, handlers(log));
    assert.equal(root.querySelectorAll('a.source').length, 1);
    assert.equal(root.querySelector('.elsewhere')!.textContent, '/usr/local/go/src/runtime/proc.go:400');
    root.querySelector('a.source')!.dispatchEvent(new Event('click'));
    Array.from(root.querySelectorAll('button.sort'))[1]!.dispatchEvent(new Event('click'));
    const select = root.querySelector('select')!;
    // linkedom's select.value is read-only; choosing the option is what a user does anyway.
    select.querySelectorAll('option')[0]!.selected = false;
    select.querySelectorAll('option')[1]!.selected = true;
    select.dispatchEvent(new Event('change'));
    const by = root.querySelector('#granularity')!;
    by.querySelectorAll('option')[0]!.selected = false;
    by.querySelectorAll('option')[1]!.selected = true;
    by.dispatchEvent(new Event('change'));
    root.querySelector('#tab-flame')!.dispatchEvent(new Event('click'));
    root.querySelector('#export')!.dispatchEvent(new Event('click'));
    assert.deepEqual(log, ['open /x/main.go:12', 'sort cum', 'select 1', 'by line', 'view flame', 'export']);
  });

  it('lays the flame graph out by value and zooms into a clicked frame', () => {
    const { document, Event } = parseHTML('<html><body></body></html>');
    const leaf = { name: 'main.alloc', value: 30, self: 30, children: [] };
    const mid = { name: 'main.work', value: 75, self: 45, children: [leaf] };
    const other = { name: 'net/http.serve', value: 25, self: 25, children: [] };
    const tree = { name: 'root', value: 100, self: 0, children: [mid, other] };
    const log: string[] = [];
    const whole = renderDashboard(document, model([], tree), flame, handlers(log));
    const box = (name: string): Element =>
      Array.from(whole.querySelectorAll('.frame')).find((f) => f.textContent === name)!;
    const geometry = (e: Element): string => e.getAttribute('style')!.replace(/\s/g, '');
    assert.match(geometry(box('root')), /left:0\.0000%;width:100\.0000%;top:0px/);
    assert.match(geometry(box('main.work')), /left:0\.0000%;width:75\.0000%;top:18px/);
    assert.match(geometry(box('net/http.serve')), /left:75\.0000%;width:25\.0000%;top:18px/);
    assert.match(geometry(box('main.alloc')), /left:0\.0000%;width:30\.0000%;top:36px/);
    box('main.work').dispatchEvent(new Event('click'));
    assert.deepEqual(log, ['focus main.work under root']);

    const zoomed = renderDashboard(
      document,
      model([], tree),
      { ...flame, flameFocus: { node: mid, ancestors: [tree] } },
      handlers(),
    );
    const zbox = (name: string): Element =>
      Array.from(zoomed.querySelectorAll('.frame')).find((f) => f.textContent === name)!;
    assert.match(geometry(zbox('main.work')), /width:100\.0000%;top:18px/);
    assert.match(geometry(zbox('main.alloc')), /width:40\.0000%;top:36px/);
    assert.ok(zbox('root').classList.contains('ancestor'));
    assert.equal(zbox('net/http.serve'), undefined);
    assert.equal(zoomed.querySelectorAll('.reset-zoom').length, 1);
  });

  it('colours frames by package, and a diff by sign: growth red, shrinkage green', () => {
    assert.equal(hue('example.com/ecu/can.(*Reader).loop'), hue('example.com/ecu/can.Start'));
    const { document } = parseHTML('<html><body></body></html>');
    const tree = {
      name: 'root',
      value: 5,
      self: 0,
      children: [
        { name: 'main.shrinks', value: -10, self: -10, children: [] },
        { name: 'main.grows', value: 15, self: 15, children: [] },
      ],
    };
    const plain = renderDashboard(document, model([], tree), flame, handlers());
    assert.equal(plain.querySelectorAll('.frame.grow, .frame.shrink').length, 0);
    assert.equal(plain.querySelectorAll('.diff-note').length, 0);
    const diff = renderDashboard(document, { ...model([], tree), isDiff: true }, flame, handlers());
    const cls = (name: string) =>
      Array.from(diff.querySelectorAll('.frame')).find((f) => f.textContent === name)!.className;
    assert.equal(cls('main.shrinks'), 'frame shrink');
    assert.equal(cls('main.grows'), 'frame grow');
    assert.equal(cls('root'), 'frame grow');
    assert.equal(diff.querySelectorAll('.diff-note').length, 1);
  });

  it('sorts and filters rows without touching the model', () => {
    const rows = [
      { name: 'b.big', file: '', line: 0, inWorkspace: false, flat: 5, cum: 5 },
      { name: 'a.small', file: '', line: 0, inWorkspace: false, flat: 1, cum: 9 },
      { name: 'c.mid', file: '', line: 0, inWorkspace: false, flat: 3, cum: 3 },
    ];
    const names = (s: Parameters<typeof visibleRows>[1]) => visibleRows(rows, s).map((r) => r.name);
    assert.deepEqual(names({ sortBy: 'flat', filter: '' }), ['b.big', 'c.mid', 'a.small']);
    assert.deepEqual(names({ sortBy: 'cum', filter: '' }), ['a.small', 'b.big', 'c.mid']);
    assert.deepEqual(names({ sortBy: 'name', filter: '' }), ['a.small', 'b.big', 'c.mid']);
    assert.deepEqual(names({ sortBy: 'flat', filter: '^[ab]\\.' }), ['b.big', 'a.small']);
    // An invalid regexp falls back to a plain substring match instead of throwing.
    assert.deepEqual(names({ sortBy: 'flat', filter: 'c.m(' }), []);
    assert.deepEqual(names({ sortBy: 'flat', filter: 'MID' }), ['c.mid']);
    assert.deepEqual(
      rows.map((r) => r.name),
      ['b.big', 'a.small', 'c.mid'],
    );
  });
});
