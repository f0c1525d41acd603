import assert from 'node:assert/strict';
import { parseHTML } from 'linkedom';
import { renderTopTable, visibleRows, type TopTableHandlers } from '../../../media/render/renderTopTable';
import { renderMessage } from '../../../media/render/renderMessage';
import type { ProfileTopModel, TopRow } from '../../../src/views/dashboardMessages';
import { HOSTILE_NAMES } from '../../fixtures/hostileProfile';

const hostile = HOSTILE_NAMES;

function model(rows: TopRow[]): ProfileTopModel {
  return {
    title: '<svg onload=alert(5)>.pb.gz',
    sampleTypes: [
      { type: 'inuse_space', unit: 'bytes' },
      { type: '<b>evil</b>', unit: '<i>u</i>' },
    ],
    sampleIndex: 0,
    total: rows.reduce((s, r) => s + r.flat, 0),
    rows,
    omittedRows: 0,
  };
}

function noopHandlers(log: string[] = []): TopTableHandlers {
  return {
    onSelectSampleIndex: (i) => log.push(`select ${i}`),
    onOpenSource: (r) => log.push(`open ${r.file}:${r.line}`),
    onSort: (k) => log.push(`sort ${k}`),
    onFilter: (t) => log.push(`filter ${t}`),
  };
}

describe('dashboard top table rendering', () => {
  it('shows hostile function names, files and titles as text without creating elements', () => {
    const { document } = parseHTML('<!DOCTYPE html><html><body><main id="app"></main></body></html>');
    const rows = hostile.map((name, i) => ({
      name,
      file: `/src/${name}.go`,
      line: i + 1,
      flat: 100 - i,
      cum: 200,
      inWorkspace: true,
    }));
    const root = renderTopTable(document, model(rows), { sortBy: 'flat', filter: '' }, noopHandlers());
    document.getElementById('app')!.append(root);

    // Serialising and parsing again is what a browser would do if any string had leaked into HTML.
    const reparsed = parseHTML(`<html><body>${document.body.innerHTML}</body></html>`).document;
    for (const d of [document, reparsed]) {
      assert.equal(d.querySelectorAll('img, script, iframe, svg, b, i').length, 0);
      assert.equal(d.querySelectorAll('[onerror], [onload], [onmouseover]').length, 0);
      assert.equal(d.querySelectorAll('table').length, 1);
      assert.equal(d.querySelectorAll('tbody tr').length, hostile.length);
      const names = Array.from(d.querySelectorAll('.fn-name')).map((e) => e.textContent);
      assert.deepEqual(names, hostile);
      const locations = Array.from(d.querySelectorAll('a.source')).map((e) => e.textContent);
      assert.deepEqual(
        locations,
        hostile.map((n, i) => `/src/${n}.go:${i + 1}`),
      );
      assert.equal(d.querySelector('h1')!.textContent, '<svg onload=alert(5)>.pb.gz');
      assert.equal(d.querySelectorAll('option')[1]!.textContent, '<b>evil</b> (<i>u</i>)');
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
    const root = renderTopTable(document, model(rows), { sortBy: 'flat', filter: '' }, noopHandlers());
    const cells = Array.from(root.querySelectorAll('tbody tr')).map((tr) =>
      Array.from(tr.querySelectorAll('td')).map((td) => td.textContent),
    );
    assert.deepEqual(cells, [
      ['3.00MB', '75.00%', '4.00MB', '100.00%', 'a', ''],
      ['1.00MB', '25.00%', '1.00MB', '25.00%', 'b', 'b.go'],
    ]);
  });

  it('reports user actions through the handlers', () => {
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
    const root = renderTopTable(document, model(rows), { sortBy: 'flat', filter: '' }, noopHandlers(log));
    // Only the workspace location is a link; the standard-library one is plain text.
    assert.equal(root.querySelectorAll('a.source').length, 1);
    assert.equal(root.querySelector('.elsewhere')!.textContent, '/usr/local/go/src/runtime/proc.go:400');
    root.querySelector('a.source')!.dispatchEvent(new Event('click'));
    const sortButtons = Array.from(root.querySelectorAll('button.sort'));
    sortButtons[1]!.dispatchEvent(new Event('click'));
    const select = root.querySelector('select')!;
    // linkedom's select.value is read-only; choosing the option is what a user does anyway.
    select.querySelectorAll('option')[0]!.selected = false;
    select.querySelectorAll('option')[1]!.selected = true;
    select.dispatchEvent(new Event('change'));
    assert.deepEqual(log, ['open /x/main.go:12', 'sort cum', 'select 1']);
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
