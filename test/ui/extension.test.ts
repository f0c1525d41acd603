import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startCodeServer, type CodeServerSession } from '../fixtures/codeServer';
import { ecuDemoDir, startEcuDemo, type EcuDemo } from '../fixtures/ecuDemo';
import { HOSTILE_NAMES, hostileProfile } from '../fixtures/hostileProfile';
import { encodeProfile } from '../../src/core/pprof/encodeProfile';

const execFileP = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus/profiles');
// Two heap profiles of one parca process, first and last of the series, whose difference is large.
const SERIES_BASE = '1644509272337470000.pb.gz';
const SERIES_CURRENT = '1644509299337903000.pb.gz';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The functions `go tool pprof -top` ranks first by flat value: the reference the dashboard must agree with. */
async function pprofTopFunctions(
  file: string,
  sampleIndex: string,
  n: number,
  base?: string,
  extra: string[] = [],
): Promise<string[]> {
  const args = ['tool', 'pprof', '-top', `-nodecount=${n}`, '-nodefraction=0', '-edgefraction=0', ...extra];
  if (sampleIndex !== '') args.push(`-sample_index=${sampleIndex}`);
  if (base !== undefined) args.push('-base', base);
  const { stdout } = await execFileP('go', [...args, file], { maxBuffer: 64 * 1024 * 1024 });
  // Rows look like "   512.01kB 33.36% 33.36%   512.01kB 33.36%  main.leak".
  return stdout
    .split('\n')
    .map((l) => /^\s*-?[\d.]+\w*\s+-?[\d.]+%\s+-?[\d.]+%\s+-?[\d.]+\w*\s+-?[\d.]+%\s+(.+)$/.exec(l)?.[1]?.trim())
    .filter((x): x is string => x !== undefined)
    .map((x) => x.replace(/ \(inline\)$/, ''));
}

describe('Leak Hunter in a real VS Code (code-server 4.100.3 + Debian Chromium)', function () {
  this.timeout(600_000);
  let cs: CodeServerSession | undefined;
  let demo: EcuDemo | undefined;
  let tmp: string;
  let workspace: string;
  let dumpText: string;

  before(async function () {
    await execFileP('npm', ['run', 'package'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    tmp = mkdtempSync(path.join(tmpdir(), 'leakhunt-ui-'));
    // A copy of the demo's sources, so frame paths from the running binary map by suffix, not by identity.
    workspace = path.join(tmp, 'ecu-demo');
    cpSync(ecuDemoDir, workspace, { recursive: true });
    mkdirSync(path.join(workspace, 'profiles'));

    demo = await startEcuDemo();
    // Real profiles from the live service. Its caches fill within seconds; poll (bounded) until pprof itself lists
    // several in-use functions, the demo's own among them, so the dashboard is compared with something worth comparing.
    const heapFile = path.join(workspace, 'profiles/ecu-heap.pb.gz');
    for (let deadline = Date.now() + 60_000; ;) {
      writeFileSync(heapFile, await demo.get('/debug/pprof/heap?gc=1'));
      const top = await pprofTopFunctions(heapFile, 'inuse_space', 1000);
      if (top.length >= 3 && top.some((f) => f.startsWith('example.com/ecu-demo/'))) break;
      if (Date.now() > deadline) throw new Error('no in-use allocation of the demo service after 60 s');
      await new Promise((r) => setTimeout(r, 1000));
    }
    dumpText = (await demo.get('/debug/pprof/goroutine?debug=2')).toString();
    writeFileSync(path.join(workspace, 'profiles/ecu.goroutines'), dumpText);
    copyFileSync(path.join(corpus, 'tinkerrogue-heap.pb.gz'), path.join(workspace, 'profiles/tinkerrogue-heap.pb.gz'));
    writeFileSync(path.join(workspace, 'profiles/hostile.pprof'), encodeProfile(hostileProfile()));
    for (const f of [SERIES_BASE, SERIES_CURRENT]) {
      copyFileSync(path.join(corpus, 'parca-heap-series', f), path.join(workspace, 'profiles', f));
    }
    // What a proxy in front of a target returns instead of a profile.
    writeFileSync(
      path.join(workspace, 'profiles/bad-gateway.pprof'),
      '<html><body><h1>502 Bad Gateway</h1><img src=x onerror=alert(7)></body></html>',
    );

    cs = await startCodeServer({ name: 'extension', folder: workspace, vsix: [path.join(repoRoot, 'leakhunt.vsix')] });
  });

  after(async () => {
    await cs?.stop();
    await demo?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  afterEach(async function () {
    // Monaco renders spaces as U+00A0, hence \s in the line patterns; on failure a picture says more than a timeout.
    if (this.currentTest?.state === 'failed' && cs) {
      await cs.screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => undefined);
    }
  });

  async function closeAllEditors(): Promise<void> {
    await cs!.runCommand('View: Close All Editors');
    await cs!.page.locator('.editor-group-container .tabs-container .tab').first().waitFor({ state: 'detached' });
  }

  it('opens a live heap profile through "Leakhunt: Open Profile File" and shows the top functions pprof shows', async () => {
    const file = path.join(workspace, 'profiles/ecu-heap.pb.gz');
    const expected = (await pprofTopFunctions(file, 'inuse_space', 3)).slice(0, 3);
    assert.ok(expected.length > 0, 'go tool pprof listed no function');

    await cs!.runCommand('Leakhunt: Open Profile File');
    const pick = cs!.page.locator('.quick-input-list .monaco-list-row', { hasText: 'ecu-heap.pb.gz' });
    await pick.waitFor({ timeout: 30_000 });
    await pick.click();

    const web = cs!.webview();
    await web.locator('table.top-table tbody tr').first().waitFor({ timeout: 60_000 });
    assert.equal(await web.locator('h1.title').textContent(), 'ecu-heap.pb.gz');
    assert.equal(await web.locator('#sample-type option:checked').textContent(), 'inuse_space (bytes)');
    const names = await web.locator('tbody .fn-name').allTextContents();
    for (const fn of expected)
      assert.ok(names.includes(fn), `${fn} (top in go tool pprof) missing from ${names.join(', ')}`);
    await cs!.screenshot('dashboard-ecu-heap');

    // Switching the sample type re-aggregates on the host, which answers with a new table (the old one is marked).
    await web.locator('table.top-table').evaluate((t) => t.setAttribute('data-stale', ''));
    await web.locator('#sample-type').selectOption({ label: 'alloc_space (bytes)' });
    await web.locator('table.top-table:not([data-stale]) tbody tr').first().waitFor({ timeout: 30_000 });
    assert.equal(await web.locator('#sample-type option:checked').textContent(), 'alloc_space (bytes)');
    const allocNames = await web.locator('tbody .fn-name').allTextContents();
    for (const fn of await pprofTopFunctions(file, 'alloc_space', 3)) {
      assert.ok(
        allocNames.includes(fn),
        `${fn} (top alloc_space in go tool pprof) missing from ${allocNames.join(', ')}`,
      );
    }

    // Only locations that map into the workspace are links; Go's own sources are shown as plain text.
    const linkTexts = await web.locator('tbody a.source').allTextContents();
    assert.ok(linkTexts.length > 0);
    for (const t of linkTexts) assert.match(t, /\/ecu-demo\//);
    assert.ok((await web.locator('tbody .elsewhere', { hasText: '/usr/local/go/src/' }).count()) > 0);

    // A location link asks the host to open the source: the build path maps to the workspace copy, at the line.
    const demoLink = web.locator('tbody tr a.source', { hasText: '/ecu-demo/' }).first();
    const [, srcFile, line] = /^(.*):(\d+)$/.exec((await demoLink.textContent()) ?? '') ?? [];
    assert.ok(srcFile && line, 'no demo-service function with a source location in the table');
    await demoLink.click();
    await cs!.page.locator('.tab.active', { hasText: path.basename(srcFile) }).waitFor({ timeout: 30_000 });
    await cs!.waitForText(`Ln ${line}, Col 1`);
    await cs!.screenshot('dashboard-open-source');

    // Rows per source line agree with pprof -top -lines, and their links land on the allocating line itself.
    await web.locator('table.top-table').evaluate((t) => t.setAttribute('data-stale', ''));
    await web.locator('#granularity').selectOption({ label: 'source line' });
    await web.locator('table.top-table:not([data-stale]) tbody tr').first().waitFor({ timeout: 30_000 });
    const lineRows = await web
      .locator('tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => `${tr.querySelector('.fn-name')?.textContent} ${tr.lastElementChild?.textContent}`),
      );
    for (const label of await pprofTopFunctions(file, 'alloc_space', 3, undefined, ['-lines'])) {
      assert.ok(lineRows.includes(label), `${label} (top of pprof -top -lines) missing from ${lineRows.join(', ')}`);
    }
    const lineLink = web.locator('tbody tr a.source', { hasText: '/ecu-demo/' }).first();
    const [, lineFile, lineNo] = /^(.*):(\d+)$/.exec((await lineLink.textContent()) ?? '') ?? [];
    assert.ok(lineFile && lineNo && lineNo !== line);
    await lineLink.click();
    await cs!.page.locator('.tab.active', { hasText: path.basename(lineFile) }).waitFor({ timeout: 30_000 });
    await cs!.waitForText(`Ln ${lineNo}, Col 1`);
    await cs!.screenshot('dashboard-lines-open-source');
    await closeAllEditors();
  });

  it('shows a .pb.gz opened from Quick Open in the profile editor', async () => {
    await cs!.openFile('tinkerrogue-heap.pb.gz');
    const web = cs!.webview();
    await web.locator('table.top-table tbody tr').first().waitFor({ timeout: 60_000 });
    assert.equal(await web.locator('h1.title').textContent(), 'tinkerrogue-heap.pb.gz');
    const expected = await pprofTopFunctions(path.join(corpus, 'tinkerrogue-heap.pb.gz'), 'inuse_space', 1);
    assert.equal(await web.locator('tbody tr').first().locator('.fn-name').textContent(), expected[0]);
    await cs!.screenshot('dashboard-corpus-heap');

    // The flame graph of the same sample type: the top function is a frame; clicking a frame zooms into it.
    await web.locator('#tab-flame').click();
    await web.locator('.flame .frame', { hasText: 'root' }).first().waitFor({ timeout: 30_000 });
    const topFrame = web.locator('.flame .frame').filter({ hasText: new RegExp(`^${escapeRegExp(expected[0]!)}$`) });
    assert.ok((await topFrame.count()) > 0, `${expected[0]} has no flame graph frame`);
    await cs!.screenshot('dashboard-flame-graph');
    const second = web.locator('.flame .frame').nth(1);
    const secondName = (await second.textContent()) ?? '';
    await second.click();
    await web.locator('.reset-zoom').waitFor();
    const zoomedFirst = web.locator('.flame .frame:not(.ancestor)').first();
    assert.equal(await zoomedFirst.textContent(), secondName);
    assert.match((await zoomedFirst.getAttribute('style')) ?? '', /width: 100(\.0+)?%/);
    await cs!.screenshot('dashboard-flame-graph-zoomed');

    // VS Code discards a hidden webview; coming back, the dashboard restores the chosen view from its saved state.
    await cs!.openFile('main.go');
    await cs!.page.locator('.tab.active', { hasText: 'main.go' }).waitFor();
    await cs!.openFile('tinkerrogue-heap.pb.gz');
    await cs!.webview().locator('#tab-flame[aria-selected="true"]').waitFor({ timeout: 60_000 });
    await cs!.webview().locator('.flame .frame').first().waitFor();
    await closeAllEditors();
  });

  it('compares two heap profiles through "Leakhunt: Compare Profile Files" as pprof -base does', async () => {
    const base = path.join(workspace, 'profiles', SERIES_BASE);
    const current = path.join(workspace, 'profiles', SERIES_CURRENT);
    const expected = await pprofTopFunctions(current, '', 3, base);
    assert.equal(expected.length, 3);

    await cs!.runCommand('Leakhunt: Compare Profile Files');
    for (const f of [SERIES_BASE, SERIES_CURRENT]) {
      const pick = cs!.page.locator('.quick-input-list .monaco-list-row', { hasText: f });
      await pick.waitFor({ timeout: 30_000 });
      await pick.click();
    }
    const web = cs!.webview();
    await web.locator('table.top-table tbody tr').first().waitFor({ timeout: 60_000 });
    assert.equal(await web.locator('h1.title').textContent(), `Δ ${SERIES_CURRENT} − ${SERIES_BASE}`);
    assert.equal(await web.locator('#sample-type option:checked').textContent(), 'inuse_space (bytes)');
    const names = await web.locator('tbody .fn-name').allTextContents();
    for (const fn of expected) assert.ok(names.includes(fn), `${fn} (top of pprof -base) missing from the diff`);
    await cs!.screenshot('dashboard-diff');

    await web.locator('#tab-flame').click();
    await web.locator('.flame .frame.grow').first().waitFor({ timeout: 30_000 });
    assert.equal(await web.locator('.flame .frame[class*="hue-"]').count(), 0, 'diff frames coloured by package');
    await cs!.screenshot('dashboard-diff-flame-graph');

    // Export the diff for go tool pprof: the browser's save dialog is VS Code's simple one; accept its default path.
    const exported = path.join(
      workspace,
      `diff-${SERIES_CURRENT.replace('.pb.gz', '')}-minus-${SERIES_BASE.replace('.pb.gz', '')}.pb.gz`,
    );
    await web.locator('#export').click();
    const saveInput = cs!.page.locator('.quick-input-widget .quick-input-box input');
    await saveInput.waitFor({ timeout: 30_000 });
    // The simple dialog fills in the folder first and the proposed file name a moment later.
    await cs!.page.waitForFunction(
      (want) =>
        (document.querySelector('.quick-input-widget .quick-input-box input') as HTMLInputElement | null)?.value ===
        want,
      exported,
      { timeout: 30_000 },
    );
    await saveInput.press('Enter');
    await cs!.waitForText(`Exported ${path.basename(exported)}`);
    const pprofTable = async (args: string[]): Promise<string> =>
      (await execFileP('go', ['tool', 'pprof', '-top', '-nodecount=1000000', ...args])).stdout.replace(
        /^[\s\S]*?flat%/m,
        '',
      );
    assert.equal(await pprofTable([exported]), await pprofTable(['-base', base, current]));
    await closeAllEditors();
  });

  it('shows hostile names as text under a nonce CSP, and an error page as a readable error', async () => {
    const dialogs: string[] = [];
    cs!.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await cs!.openFile('hostile.pprof');
    const web = cs!.webview();
    await web.locator('table.top-table tbody tr').first().waitFor({ timeout: 60_000 });
    const csp = (await web.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9]{32}'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.deepEqual((await web.locator('tbody .fn-name').allTextContents()).sort(), [...HOSTILE_NAMES].sort());
    assert.equal(await web.locator('#sample-type option').nth(1).textContent(), '<b>inuse_space</b> (bytes)');
    // Besides our nonce'd bundle, only VS Code's own acquireVsCodeApi script may be in the page.
    const injected = await web
      .locator('img, iframe, script:not([src$="dashboard.js"]):not(#_vscodeApiScript), b, [onerror], [onmouseover]')
      .evaluateAll((els) => els.map((e) => e.outerHTML));
    assert.deepEqual(injected, []);
    await cs!.screenshot('dashboard-hostile-names');
    await closeAllEditors();

    await cs!.openFile('bad-gateway.pprof');
    const error = cs!.webview().locator('.error');
    await error.waitFor({ timeout: 60_000 });
    assert.match((await error.textContent()) ?? '', /^bad-gateway\.pprof is not a readable profile: .*HTML/i);
    assert.equal(await cs!.webview().locator('img, h1 + img').count(), 0);
    await cs!.screenshot('dashboard-not-a-profile');
    await closeAllEditors();
    assert.deepEqual(dialogs, []);
  });

  it('colours a goroutine dump and links its frames into the workspace, never outside', async () => {
    const lines = dumpText.split('\n');
    const frameLine = lines.findIndex((l) => /\/can\/reader\.go:\d+/.test(l));
    assert.ok(frameLine > 0, 'the live dump has no can/reader.go frame');
    const frameText = lines[frameLine]!.trim().split(' ')[0]!;

    await cs!.openFile('ecu.goroutines');
    const page = cs!.page;
    await page.locator('.monaco-editor .view-lines').first().waitFor();
    await cs!.waitForText('Go Goroutine Dump');

    // Line 1 is a goroutine header: the grammar splits it into several differently coloured tokens.
    const header = page.locator('.view-line', { hasText: /^goroutine\s\d+\s\[/ }).first();
    await header.waitFor();
    await page
      .waitForFunction(
        () => {
          const line = Array.from(document.querySelectorAll('.view-line')).find((l) =>
            /^goroutine\s\d+\s\[/.test(l.textContent ?? ''),
          );
          return line && new Set(Array.from(line.querySelectorAll('span span')).map((s) => s.className)).size >= 4;
        },
        undefined,
        { timeout: 30_000 },
      )
      .catch(() => undefined);
    const classes = await header.locator('span span').evaluateAll((spans) => spans.map((s) => s.className));
    assert.ok(new Set(classes).size >= 4, `header tokens not coloured: ${classes.join(' ')}`);

    // Frames that map into the workspace become links; standard-library frames stay plain text.
    await cs!.runCommand('Go to Line/Column...');
    await page.keyboard.type(String(frameLine + 1));
    await page.keyboard.press('Enter');
    // Link decorations are drawn per token, so a frame's link spans the path token and the line-number token.
    const frameRow = page.locator('.view-line', { hasText: frameText }).first();
    const link = frameRow.locator('.detected-link');
    await link.first().waitFor({ timeout: 60_000 });
    assert.equal((await link.allTextContents()).join(''), frameText);
    const stdlibRow = page.locator('.view-line', { hasText: '/usr/local/go/src/' }).first();
    await stdlibRow.waitFor();
    assert.equal(await stdlibRow.locator('.detected-link').count(), 0, 'a standard-library frame was linked');
    await cs!.screenshot('goroutine-dump');

    await link.first().click({ modifiers: ['Control'] });
    await page.locator('.tab.active', { hasText: 'reader.go' }).waitFor({ timeout: 30_000 });
    await cs!.screenshot('goroutine-dump-link-opened');
    await closeAllEditors();

    // The dump's editor title button shows it in the dashboard as a goroutine count profile.
    await cs!.openFile('ecu.goroutines');
    await page.locator('.editor-actions .action-label[aria-label*="Open Profile File"]').first().click();
    const web = cs!.webview();
    await web.locator('table.top-table tbody tr').first().waitFor({ timeout: 60_000 });
    assert.equal(await web.locator('#sample-type option:checked').textContent(), 'goroutine (count)');
    const goroutines = dumpText.split('\n').filter((l) => /^goroutine \d+ .*\[.*\]:$/.test(l)).length;
    assert.match((await web.locator('.summary').textContent()) ?? '', new RegExp(`^Total ${goroutines} `));
    await cs!.screenshot('goroutine-dump-dashboard');
    await closeAllEditors();
  });

  it('shows the Leak Hunter views with their empty-state guidance', async () => {
    await cs!.page.locator('.activitybar .action-item a[aria-label^="Leak Hunter"]').click();
    await cs!.waitForText('No target connected.');
    await cs!.page.getByRole('button', { name: 'Open Profile File' }).waitFor();
    await cs!.screenshot('views');
    assert.match(cs!.extensionLog('Leak Hunter'), /Leak Hunter activated/);
  });
});
