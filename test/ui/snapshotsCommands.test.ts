import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { SeriesIndex } from '../../src/core/series/seriesIndex';
import { startCodeServer, type CodeServerSession } from '../fixtures/codeServer';
import { ecuDemoDir, startEcuDemo, type EcuDemo } from '../fixtures/ecuDemo';
import { goPprofTop } from '../fixtures/goPprofTop';

const execFileP = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');

/**
 * The snapshot commands in a real VS Code (code-server + Chromium) on a live watch of the real demo service: "Export
 * Diff" from the Snapshots view's context menu saves a `.pb.gz` through the save dialog, and `go tool pprof -top`
 * reads it with the same numbers as `go tool pprof -base` on the two stored snapshots.
 */
describe('snapshot commands in a real VS Code (code-server 4.100.3 + Debian Chromium, real demo service)', function () {
  this.timeout(600_000);
  let tmp: string;
  let vsix: string;
  let demo: EcuDemo | undefined;
  let cs: CodeServerSession | undefined;
  let seriesDir = '';

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'leakhunt-ui-snapshots-'));
    vsix = path.join(tmp, 'leakhunt.vsix');
    await execFileP('npm', ['run', 'build'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    await execFileP('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    });
    demo = await startEcuDemo({ flags: ['-map-leak-bytes-per-sec', String(512 << 10), '-mem-profile-rate', '4096'] });
  });

  after(async () => {
    await cs?.stop();
    await demo?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (cs && this.currentTest?.state === 'failed') {
      await cs.screenshot('snapshots-commands-failed').catch(() => '');
      process.stderr.write(`--- Leak Hunter log ---\n${cs.extensionLog('Leak Hunter').slice(-6000)}\n`);
    }
  });

  /** Answers code-server's save dialog (VS Code's simple file dialog, a quick input) with `file` and waits for it. */
  async function saveAs(session: CodeServerSession, file: string): Promise<void> {
    const input = session.page.locator('.quick-input-widget input').first();
    await input.waitFor({ timeout: 30_000 });
    // The dialog fills in its default path asynchronously; typing before that would be overwritten.
    for (let deadline = Date.now() + 30_000; !(await input.inputValue()).endsWith('.pb.gz');) {
      assert.ok(Date.now() < deadline, 'the save dialog never showed its default path');
      await new Promise((r) => setTimeout(r, 100));
    }
    await input.fill(file);
    for (let deadline = Date.now() + 10_000; (await input.inputValue()) !== file;) {
      assert.ok(Date.now() < deadline, `the save dialog does not keep the path ${file}`);
      await new Promise((r) => setTimeout(r, 100));
      await input.fill(file);
    }
    await session.page.locator('.quick-input-widget .monaco-button', { hasText: /^OK$/ }).first().click();
    for (let deadline = Date.now() + 30_000; !existsSync(file);) {
      assert.ok(Date.now() < deadline, `nothing was written to ${file}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    // The file is written in one go, but give the write a moment to finish before it is read.
    await new Promise((r) => setTimeout(r, 500));
  }

  const heapOf = (seq: number): string => {
    const index = JSON.parse(readFileSync(path.join(seriesDir, 'series.json'), 'utf8')) as SeriesIndex;
    return path.join(seriesDir, index.snapshots.find((s) => s.seq === seq)!.files.heap!);
  };

  it('exports the diff of a snapshot and the one before it from the Snapshots view, readable by go tool pprof', async () => {
    const ws = path.join(tmp, 'ws', 'ecu-demo');
    cpSync(ecuDemoDir, ws, { recursive: true });
    cs = await startCodeServer({
      name: 'snapshots-commands',
      folder: ws,
      vsix: [vsix],
      settings: {
        'leakhunt.interval': 1,
        'leakhunt.window': 8,
        'leakhunt.targets': [{ name: 'ecu-demo', url: demo!.url, pid: demo!.pid }],
      },
    });
    const page = cs.page;
    await cs.runCommand('Leakhunt: Start Watching');
    await page.locator('.activitybar .action-item a[aria-label^="Leak Hunter"]').click();
    // Newest first: wait for the third snapshot, so it has a predecessor with a heap profile.
    const row = page.locator('.monaco-list-row', { hasText: /#3 .*heap [\d.]+ (B|KiB|MiB|GiB)/ }).first();
    await row.waitFor({ timeout: 120_000 });
    await cs.runCommand('Leakhunt: Stop Watching');
    const dirMatch = /watching ecu-demo every 1 s into (\S+)/.exec(cs.extensionLog('Leak Hunter'));
    assert.ok(dirMatch?.[1], 'the log does not name the series folder');
    seriesDir = dirMatch[1];

    await row.click({ button: 'right' });
    // The workbench's context menu acts on the focused item's Enter (a synthetic click does not always reach it).
    const item = page.locator('.context-view .action-label', { hasText: 'Export Diff' }).first();
    await item.hover();
    await page.keyboard.press('Enter');
    // code-server's save dialog is VS Code's simple file dialog: a quick input holding the path.
    const out = path.join(tmp, 'exported-diff.pb.gz');
    const input = page.locator('.quick-input-widget input').first();
    await input.waitFor({ timeout: 30_000 });
    await cs.screenshot('snapshots-commands-save-dialog');
    await input.fill(out);
    await page.locator('.quick-input-widget .monaco-button', { hasText: /^OK$/ }).first().click();
    for (let deadline = Date.now() + 30_000; !existsSync(out);) {
      assert.ok(Date.now() < deadline, `the diff was not written to ${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await cs.screenshot('snapshots-commands-exported');

    const heap = heapOf;
    const opts = { sampleIndex: 'inuse_space', unit: 'bytes' };
    const ours = goPprofTop(out, opts);
    const ref = goPprofTop(heap(3), { ...opts, base: heap(2) });
    assert.ok(ref.rows.length > 0, 'the reference diff is empty');
    assert.equal(ours.total, ref.total);
    assert.deepEqual(ours.byName, ref.byName);
  });

  it('exports a snapshot byte for byte, and compares two ticked snapshots in the dashboard as pprof -base does', async () => {
    assert.ok(cs && seriesDir, 'needs the watch of the previous test');
    const page = cs.page;
    await page
      .locator('.monaco-list-row', { hasText: /#2 .*heap/ })
      .first()
      .click({ button: 'right' });
    await page.locator('.context-view .action-label', { hasText: 'Export Snapshot' }).first().hover();
    await page.keyboard.press('Enter');
    const out = path.join(tmp, 'exported-snapshot.pb.gz');
    await saveAs(cs, out);
    assert.deepEqual(readFileSync(out), readFileSync(heapOf(2)));

    await cs.runCommand('Leakhunt: Compare Snapshots');
    for (const seq of [1, 3]) {
      const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: new RegExp(`#${seq} `) }).first();
      await pick.waitFor({ timeout: 30_000 });
      await pick.click();
    }
    await cs.screenshot('snapshots-commands-compare-pick');
    await page.locator('.quick-input-widget .monaco-button', { hasText: /^OK$/ }).first().click();
    const web = cs.webview();
    await web.locator('table.top-table tbody tr').first().waitFor({ timeout: 60_000 });
    assert.equal(await web.locator('h1.title').textContent(), 'Δ snapshot #3 − #1');
    const ref = goPprofTop(heapOf(3), { sampleIndex: 'inuse_space', unit: 'bytes', base: heapOf(1) });
    const names = await web.locator('tbody .fn-name').allTextContents();
    const top = [...ref.rows].sort((a, b) => Math.abs(b.flat) - Math.abs(a.flat)).slice(0, 3);
    assert.ok(top.length > 0);
    for (const r of top) assert.ok(names.includes(r.name), `${r.name} (top of pprof -base) missing from the diff`);
    await cs.screenshot('snapshots-commands-compare');
  });
});
