import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startCodeServer, type CodeServerSession } from '../fixtures/codeServer';
import { ecuDemoDir } from '../fixtures/ecuDemo';

const execFileP = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');
const demoSeries = path.join(repoRoot, 'testdata/demo-series');

/**
 * The series dashboard in a real VS Code (code-server + Chromium) on the recorded demo series (a real `leakhunt watch`
 * recording of the demo service in a 256 MiB cgroup): opened from the palette, it draws the memory timeline against
 * memory.max with the 90% line and the OOM ETA, lists the CAN reader goroutine group, and diffs two snapshots.
 */
describe('series dashboard in a real VS Code (code-server 4.100.3 + Debian Chromium, recorded demo series)', function () {
  this.timeout(600_000);
  let tmp: string;
  let cs: CodeServerSession | undefined;
  const indexText = readFileSync(path.join(demoSeries, 'series.json'), 'utf8');
  const index = JSON.parse(indexText) as { snapshots: { seq: number; status: string }[] };
  const all = index.snapshots.filter((s) => s.status !== 'gap').length;
  // The dashboard first sees the series as it was a few snapshots earlier; the last test lets it grow to `all`.
  const snapshots = all - 6;
  let seriesDir: string;

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'leakhunt-ui-series-'));
    const vsix = path.join(tmp, 'leakhunt.vsix');
    await execFileP('npm', ['run', 'build'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    await execFileP('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    });
    // A workspace with the demo's sources (so profile paths map by suffix) and the recording in a subfolder.
    const ws = path.join(tmp, 'ecu-demo');
    cpSync(ecuDemoDir, ws, { recursive: true });
    mkdirSync(path.join(ws, 'recordings'));
    seriesDir = path.join(ws, 'recordings/demo-series');
    cpSync(demoSeries, seriesDir, { recursive: true });
    const earlier = { ...JSON.parse(indexText), snapshots: index.snapshots.slice(0, snapshots) };
    writeFileSync(path.join(seriesDir, 'series.json'), JSON.stringify(earlier, null, 1));
    cs = await startCodeServer({ name: 'series-dashboard', folder: ws, vsix: [vsix] });
  });

  after(async () => {
    await cs?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && cs) {
      await cs.screenshot(`failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}`).catch(() => undefined);
    }
  });

  it('opens the recorded series from the palette and draws the timeline, the sites and the goroutine groups', async () => {
    const dialogs: string[] = [];
    cs!.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await cs!.runCommand('Leakhunt: Open Series Dashboard');
    const pick = cs!.page.locator('.quick-input-list .monaco-list-row', { hasText: 'recordings/demo-series' });
    await pick.waitFor({ timeout: 60_000 });
    await pick.click();

    const web = cs!.webview();
    const chart = web.locator('svg.timeline-chart');
    await chart.waitFor({ timeout: 90_000 });
    assert.equal(await web.locator('h1.title').textContent(), 'Series demo-series');
    // One dot per snapshot for the Go heap and for memory.current, on their lines.
    assert.equal(await chart.locator('circle.point.heap').count(), snapshots);
    assert.equal(await chart.locator('circle.point.current').count(), snapshots);
    const heapPoints = ((await chart.locator('polyline.heap').getAttribute('points')) ?? '').split(' ');
    assert.equal(heapPoints.length, snapshots);
    // memory.max and the 90% threshold are horizontal lines, the threshold below the limit (SVG y grows down).
    const y = async (sel: string): Promise<number> => Number(await chart.locator(sel).getAttribute('y1'));
    const maxY = await y('line.max');
    const thresholdY = await y('line.threshold');
    assert.ok(thresholdY > maxY, `threshold at y=${thresholdY}, limit at y=${maxY}`);
    assert.equal(await y('line.threshold'), Number(await chart.locator('line.threshold').getAttribute('y2')));
    assert.match((await chart.locator('text.max-label').textContent()) ?? '', /^memory\.max 256MB$/);
    assert.match((await chart.locator('text.threshold-label').textContent()) ?? '', /^90% threshold /);
    // The drawn line really is visible: the theme colour resolved to a stroke.
    const stroke = await chart.locator('line.threshold').evaluate((e) => getComputedStyle(e).stroke);
    assert.notEqual(stroke, 'none');
    assert.match(
      (await web.locator('.oom-eta').textContent()) ?? '',
      /^OOM ETA: about \d+ s until memory\.current reaches memory\.max\.$/,
    );
    await cs!.screenshot('series-dashboard-timeline');

    // The heap sites with sparklines, and the goroutine group the GC proved leaked: the CAN reader.
    const siteFns = await web.locator('.sites-table td.fn').allTextContents();
    assert.ok(siteFns.includes('example.com/ecu-demo/cache.storeSession'), siteFns.join(', '));
    assert.ok((await web.locator('.sites-table svg.sparkline polyline').count()) >= 2);
    const can = web.locator('.goroutine-table tbody tr', { hasText: 'example.com/ecu-demo/can.readFrames' });
    await can.waitFor();
    assert.equal(await can.locator('td.state').textContent(), 'chan receive');
    assert.equal(await can.locator('td.proven').textContent(), 'proven');
    assert.ok(Number(await can.locator('td.count').textContent()) > 100);
    assert.ok((await can.locator('.label', { hasText: 'component=can-reader' }).count()) === 1);
    await can.scrollIntoViewIfNeeded();
    await cs!.screenshot('series-dashboard-goroutines');

    // Strict CSP with a nonce; nothing but our bundle (and VS Code's API shim) runs.
    const csp = (await web.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')) ?? '';
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9]{32}'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(await web.locator('script:not([src$="/seriesDashboard.js"]):not(#_vscodeApiScript)').count(), 0);
    assert.deepEqual(dialogs, []);
  });

  it('diffs the first and the last snapshot as a flame graph (growth red) and re-diffs on another pick', async () => {
    const web = cs!.webview();
    const grow = web.locator('.diff .flame .frame.grow', { hasText: 'example.com/ecu-demo/cache.storeSession' });
    await grow.first().waitFor({ timeout: 60_000 });
    assert.match((await web.locator('.diff-note').textContent()) ?? '', /^inuse_space: snapshot #\d+ − #1 = /);
    assert.equal(await web.locator('.diff .flame .frame[class*="hue-"]').count(), 0, 'diff frames coloured by package');
    await grow.first().scrollIntoViewIfNeeded();
    await cs!.screenshot('series-dashboard-diff-flame');

    // Reversing the pair turns the planted growth into shrinkage (green).
    const last = await web.locator('#diff-current').inputValue();
    await web.locator('#diff-current').selectOption('1');
    await web.locator('#diff-base').selectOption(last);
    const shrink = web.locator('.diff .flame .frame.shrink', { hasText: 'example.com/ecu-demo/cache.storeSession' });
    await shrink.first().waitFor({ timeout: 60_000 });
    assert.match((await web.locator('.diff-note').textContent()) ?? '', new RegExp(`#1 − #${last} = -`));
    await cs!.screenshot('series-dashboard-diff-reversed');
  });

  it('opens the CAN reader source line from the goroutine table', async () => {
    const link = cs!.webview().locator('.goroutine-table tbody tr', { hasText: 'can.readFrames' }).locator('a.source');
    const [, , line] = /^(.*):(\d+)$/.exec((await link.textContent()) ?? '') ?? [];
    assert.ok(line);
    await link.click();
    await cs!.page.locator('.tab.active', { hasText: 'reader.go' }).waitFor({ timeout: 30_000 });
    await cs!.waitForText(`Ln ${line}, Col 1`);
    await cs!.screenshot('series-dashboard-open-source');
  });

  it('shows the snapshots the series gained when opened again, in the same panel', async () => {
    // What a watch appending to the folder does: the index grows (the profile files were there already).
    writeFileSync(path.join(seriesDir, 'series.json'), indexText);
    await cs!.runCommand('Leakhunt: Open Series Dashboard');
    const pick = cs!.page.locator('.quick-input-list .monaco-list-row', { hasText: 'recordings/demo-series' });
    await pick.waitFor({ timeout: 60_000 });
    await pick.click();
    const web = cs!.webview();
    await web.locator(`svg.timeline-chart`).waitFor();
    await web
      .locator('svg.timeline-chart circle.point.heap')
      .nth(all - 1)
      .waitFor({ timeout: 60_000 });
    assert.equal(await web.locator('svg.timeline-chart circle.point.heap').count(), all);
    assert.match((await web.locator('.summary').textContent()) ?? '', new RegExp(` · ${all} snapshots over `));
    assert.equal(await cs!.page.locator('.tab', { hasText: 'Series: demo-series' }).count(), 1);
    await cs!.screenshot('series-dashboard-refreshed');
  });
});
