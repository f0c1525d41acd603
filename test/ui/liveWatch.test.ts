import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startCodeServer, type CodeServerSession } from '../fixtures/codeServer';
import { ecuDemoDir, plantedSites, startEcuDemo, type EcuDemo } from '../fixtures/ecuDemo';
import { createMemoryCgroup } from '../fixtures/memoryCgroup';
import { startSshd, TEST_KEY_PASSPHRASE, type SshdFixture } from '../fixtures/sshd';

const execFileP = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');

// Leak rates that make every planted heap leak outgrow many samples within seconds: a low MemProfileRate samples
// about every 4 KiB, and the rates are those `npm run demo` uses for its one-minute watch.
const DEMO_FLAGS = [
  '-map-leak-bytes-per-sec',
  String(512 << 10),
  '-pool-gets-per-sec',
  '250',
  '-mem-profile-rate',
  '4096',
];
const WATCH_SETTINGS = { 'leakhunt.interval': 1, 'leakhunt.window': 8, 'files.autoSave': 'off' };

/**
 * The live watch in a real VS Code (code-server + Chromium) against the real demo service: once over http:// and once
 * through a real loopback OpenSSH server (generated keys, an initially empty known_hosts so the host-key question is
 * asked). Each run: Start Watching from the palette, a "show leak stack" lens on a planted leak line, its stack
 * document, and the Problems panel with a static finding and the runtime one that the static rule explains.
 */
describe('live watch in a real VS Code (code-server 4.100.3 + Debian Chromium, real demo service, real sshd)', function () {
  this.timeout(600_000);
  let tmp: string;
  let vsix: string;
  let demo: EcuDemo | undefined;
  let sshd: SshdFixture | undefined;
  let cs: CodeServerSession | undefined;
  const planted = plantedSites(ecuDemoDir);
  const storeSite = planted.get('map-unsafe-store');
  const allocSite = planted.get('map-unsafe-alloc');

  before(async () => {
    assert.ok(storeSite && allocSite, 'the demo lost its map-unsafe markers');
    tmp = mkdtempSync(path.join(tmpdir(), 'leakhunt-ui-watch-'));
    vsix = path.join(tmp, 'leakhunt.vsix');
    await execFileP('npm', ['run', 'build'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    await execFileP('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    });
    demo = await startEcuDemo({ flags: DEMO_FLAGS });
  });

  after(async () => {
    await cs?.stop();
    await sshd?.stop();
    await demo?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (cs) {
      if (this.currentTest?.state === 'failed') {
        await cs
          .screenshot(`live-watch-failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 50)}`)
          .catch(() => '');
        process.stderr.write(`--- Leak Hunter log ---\n${cs.extensionLog('Leak Hunter').slice(-6000)}\n`);
      }
      await cs.stop();
      cs = undefined;
    }
  });

  /** A fresh copy of the demo's sources, so frame paths from the binary map by suffix, not by identity. */
  function workspaceCopy(name: string): string {
    const ws = path.join(tmp, name, 'ecu-demo');
    cpSync(ecuDemoDir, ws, { recursive: true });
    return ws;
  }

  /** Runs Start Watching, waits for a lens on a planted line, clicks it and checks the stack and Problems panel. */
  async function watchAndCheck(
    session: CodeServerSession,
    shot: string,
    beforeLens?: () => Promise<void>,
  ): Promise<void> {
    const page = session.page;
    await session.openFile('session_cache.go');
    await page.locator('.editor-instance .view-lines').first().waitFor();
    await session.runCommand('Leakhunt: Start Watching');
    await beforeLens?.();
    // Lenses are drawn for visible lines only: bring the planted allocation into view.
    await session.runCommand('Go to Line/Column...');
    await page.keyboard.type(String(allocSite!.line));
    await page.keyboard.press('Enter');
    const lens = page.locator('.codelens-decoration a', { hasText: 'show leak stack' });
    await lens.first().waitFor({ timeout: 120_000 });
    const title = (await lens.first().textContent()) ?? '';
    assert.match(
      title,
      /⚠ (leak|growing) \+[\d.]+ (B|KiB|MiB|GiB)\/min · [\d.]+ (B|KiB|MiB|GiB) in use · show leak stack/,
    );
    await session.screenshot(`${shot}-lens`);
    await lens.first().click();
    // The stack document names the site it was opened for: one of the planted lines of this file.
    const header = page.locator('.view-line', { hasText: 'leak site' }).first();
    await header.waitFor({ timeout: 30_000 });
    const headerText = ((await header.textContent()) ?? '').replace(/\u00a0/g, ' ');
    const lines = [storeSite!.line, allocSite!.line];
    assert.ok(
      lines.some((l) => headerText.includes(`session_cache.go:${l}`)),
      `stack document header ${headerText} is not about lines ${lines.join('/')} of session_cache.go`,
    );
    await page
      .locator('.view-line', { hasText: /growth\s\+/ })
      .first()
      .waitFor({ timeout: 10_000 });
    await page.locator('.view-line', { hasText: 'storeSession' }).first().waitFor({ timeout: 10_000 });
    // The store is reached by new sessions and by renewals (renewSession): both call paths are listed, each with
    // its own growth (the document refreshes with every snapshot, so the second path may need one more).
    await page
      .locator('.view-line', { hasText: /^stack\s2\sof\s\d+:\sgrowth\s[+−]/ })
      .first()
      .waitFor({ timeout: 30_000 });
    await page.locator('.view-line', { hasText: 'cache.renewSession' }).first().waitFor({ timeout: 10_000 });
    // Frames that map into the workspace are links (DocumentLinkProvider).
    await page
      .locator('.view-line', { hasText: `session_cache.go:${allocSite!.line}` })
      .locator('.detected-link')
      .first()
      .waitFor({ timeout: 30_000 });
    assert.ok((await page.locator('.tab', { hasText: '.leakstack' }).count()) > 0, 'the stack document tab is missing');
    await session.screenshot(`${shot}-stack`);

    await session.runCommand('Problems: Focus on Problems View');
    const rows = page.locator('.markers-panel .monaco-list-row');
    // A static finding of the demo (the static rules flag the sync.Map store of an unsafe.Pointer)...
    // (Its own row, not the runtime diagnostic's related-information rows, which quote it as "static RULE: ...".)
    await rows
      .filter({ hasText: 'sync-map-misuse', hasNotText: 'static sync-map-misuse' })
      .first()
      .waitFor({ timeout: 60_000 });
    // ...and the runtime leak on the same function, which the static rule explains.
    const runtime = rows.filter({ hasText: 'explains the runtime growth' });
    await runtime.first().waitFor({ timeout: 60_000 });
    assert.match((await runtime.first().textContent()) ?? '', /leakhunt-runtime/);
    await session.screenshot(`${shot}-problems`);
  }

  /**
   * The static rules explain runtime leaks in files the editor never opened, with no Scan Workspace: the pool's leaky
   * New (pool-misuse in the same function) and the CAN readers (goroutine-leak on the go statement that starts them).
   * The goroutine group stays `growing` (its minPoints exceeds the window), an info-level site, so its raise to a
   * warning by the static rule shows. Then the leakhunt.analysis.rules toggle, changed in the workspace settings, takes
   * both explanations away, and the group falls back to info.
   */
  async function checkUnopenedCorrelation(session: CodeServerSession, ws: string, shot: string): Promise<void> {
    const page = session.page;
    const rows = page.locator('.markers-panel .monaco-list-row');
    const filter = async (text: string): Promise<void> => {
      const input = page.locator('.part.panel .viewpane-filter input').first();
      await input.click({ timeout: 10_000 });
      await page.keyboard.press('Control+A');
      if (text === '') await page.keyboard.press('Backspace');
      else await page.keyboard.type(text);
    };
    assert.doesNotMatch(session.extensionLog('Leak Hunter'), /leak rules: scanned/, 'a workspace scan ran');
    // The pool's leaky New: a runtime leak in pool/buffers.go, explained by the static pool-misuse finding.
    await filter('leakyNew');
    const pool = rows.filter({
      hasText: /static rule pool-misuse (in leakyNew|on this line) explains the runtime growth/,
    });
    await pool.first().waitFor({ timeout: 90_000 });
    const poolText = (await pool.first().textContent()) ?? '';
    assert.match(poolText, /leakhunt-runtime/);
    assert.match(poolText, /heap in use at example\.com\/ecu-demo\/pool\.leakyNew grows/);
    // Raised: a correlated site is never below warning; at the demo's rate (MiB/min) it is an error.
    assert.equal(await pool.first().locator('.codicon-error').count(), 1, 'the correlated pool leak is not an error');
    // The explanation comes from analysing the unopened file itself: VS Code shows no static diagnostic for it.
    assert.equal(
      await rows.filter({ hasText: "writes package-level 'retained'", hasNotText: 'static pool-misuse' }).count(),
      0,
      'buffers.go has static diagnostics of its own, so it was linted as an open document',
    );
    await session.screenshot(`${shot}-unopened-pool`);
    // The CAN readers: the goroutine group blocked in can/reader.go, explained at the go statement that starts them.
    await filter('readFrames');
    const can = rows.filter({
      hasText:
        'static rule goroutine-leak on the go statement that starts these goroutines explains the runtime growth',
    });
    await can.first().waitFor({ timeout: 60_000 });
    assert.match(
      (await can.first().textContent()) ?? '',
      /growing: \d+ goroutines blocked \(chan receive\) in example\.com\/ecu-demo\/can\.readFrames/,
    );
    // Raised: a growing group is info on its own; the static rule makes it a warning.
    assert.equal(
      await can.first().locator('.codicon-warning').count(),
      1,
      'the correlated growing goroutine group was not raised to a warning',
    );
    await session.screenshot(`${shot}-unopened-can`);
    for (const name of ['buffers.go', 'reader.go'])
      assert.equal(await page.locator('.tab', { hasText: name }).count(), 0, `${name} was opened in an editor`);
    // Turning pool-misuse and goroutine-leak off in the workspace settings: the leaks stay, their explanations go.
    mkdirSync(path.join(ws, '.vscode'), { recursive: true });
    writeFileSync(
      path.join(ws, '.vscode', 'settings.json'),
      JSON.stringify({ 'leakhunt.analysis.rules': ['sync-map-misuse', 'unsafe-pointer-escape'] }),
    );
    await filter('leakyNew');
    const plain = rows.filter({ hasText: /heap in use at example\.com\/ecu-demo\/pool\.leakyNew grows/ });
    for (let deadline = Date.now() + 60_000; ;) {
      const explained = await rows.filter({ hasText: 'static rule pool-misuse' }).count();
      if (explained === 0 && (await plain.count()) > 0) break;
      assert.ok(Date.now() < deadline, 'the pool leak is still explained by pool-misuse after the rule was turned off');
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.doesNotMatch((await plain.first().textContent()) ?? '', /explains the runtime growth/);
    await session.screenshot(`${shot}-rule-off`);
    await filter('readFrames');
    const group = rows.filter({
      hasText: /growing: \d+ goroutines blocked \(chan receive\) in example\.com\/ecu-demo\/can\.readFrames/,
    });
    for (let deadline = Date.now() + 30_000; ;) {
      const explained = await rows.filter({ hasText: 'static rule goroutine-leak' }).count();
      if (explained === 0 && (await group.count()) > 0) break;
      assert.ok(
        Date.now() < deadline,
        'the CAN group is still explained by goroutine-leak after the rule was turned off',
      );
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(await group.first().locator('.codicon-info').count(), 1, 'the unexplained growing group is not info');
    await session.screenshot(`${shot}-rule-off-can`);
    await filter('');
  }

  /**
   * With the watch stopped (no more snapshots), the runtime diagnostics still follow the static side: a settings change
   * brings the pool's explanation back, an unsaved `//leakhunt:ignore` typed into buffers.go takes it away, and undo
   * brings it back again.
   */
  async function checkRefreshWithoutSnapshots(session: CodeServerSession, ws: string, shot: string): Promise<void> {
    const page = session.page;
    const rows = page.locator('.markers-panel .monaco-list-row');
    const explained = rows.filter({ hasText: 'static rule pool-misuse' });
    const plain = rows.filter({ hasText: /heap in use at example\.com\/ecu-demo\/pool\.leakyNew grows/ });
    // Quick Open and the palette press Escape, which clears the Problems filter: set it again before each look.
    const filterLeakyNew = async (): Promise<void> => {
      await session.runCommand('Problems: Focus on Problems View');
      const input = page.locator('.part.panel .viewpane-filter input').first();
      await input.click({ timeout: 10_000 });
      await page.keyboard.press('Control+A');
      await page.keyboard.type('leakyNew');
      assert.equal(await input.inputValue(), 'leakyNew');
    };
    const waitUntil = async (what: string, ok: () => Promise<boolean>): Promise<void> => {
      for (let deadline = Date.now() + 30_000; !(await ok());) {
        assert.ok(Date.now() < deadline, what);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    writeFileSync(path.join(ws, '.vscode', 'settings.json'), '{}');
    await filterLeakyNew();
    await waitUntil(
      'turning pool-misuse back on did not bring the explanation back',
      async () => (await explained.count()) > 0,
    );
    const retain = planted.get('pool-retain-append');
    assert.ok(retain, 'the demo lost its pool-retain-append marker');
    await session.openFile('buffers.go');
    await page.locator('.tab', { hasText: 'buffers.go' }).first().waitFor();
    // A new line at the end of the line above the finding, for the suppression (a code line, so no comment continues).
    await session.runCommand('Go to Line/Column...');
    await page.keyboard.type(String(retain.line - 1));
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.keyboard.type('//leakhunt:ignore pool-misuse kept on purpose for the test');
    const editor = page.locator('.editor-instance', { hasText: 'leakhunt:ignore pool-misuse' }).first();
    await editor.waitFor();
    // The suppression is a line of its own, and the finding's line is still code below it.
    const ignoreLine = editor.locator('.view-line', { hasText: 'leakhunt:ignore' }).first();
    assert.match(
      ((await ignoreLine.textContent()) ?? '').replace(/\u00a0/g, ' '),
      /^\s*\/\/leakhunt:ignore pool-misuse/,
    );
    const appendLine = editor.locator('.view-line', { hasText: /retained\s=\sappend\(retained,\s&b\)/ }).first();
    assert.match(((await appendLine.textContent()) ?? '').replace(/\u00a0/g, ' '), /^\s*retained = append/);
    await filterLeakyNew();
    await waitUntil(
      'an unsaved suppression did not remove the explanation',
      async () => (await explained.count()) === 0 && (await plain.count()) > 0,
    );
    await session.screenshot(`${shot}-suppressed`);
    await editor.locator('.view-lines').click();
    // Typing is undone word by word; undo past the start only does nothing, so undo everything back to the disk text.
    for (let i = 0; i < 40; i++) await page.keyboard.press('Control+Z');
    await page.locator('.tab.dirty', { hasText: 'buffers.go' }).waitFor({ state: 'detached', timeout: 10_000 });
    await waitUntil(
      'undoing the suppression did not bring the explanation back',
      async () => (await explained.count()) > 0,
    );
    assert.equal(
      await page.locator('.view-line', { hasText: 'leakhunt:ignore' }).count(),
      0,
      'the undo left the comment',
    );
  }

  it('watches the demo service over http:// (the sole configured target, no pick)', async () => {
    const ws = workspaceCopy('http');
    cs = await startCodeServer({
      name: 'live-watch-http',
      folder: ws,
      vsix: [vsix],
      settings: {
        ...WATCH_SETTINGS,
        // A non-default watermark, to see the threshold settings reach the dashboard.
        'leakhunt.thresholds.watermark': 0.75,
        // More points than the window holds: the CAN readers stay a `growing` (info) group, so the raise of its
        // severity by the static rule that explains it is visible.
        'leakhunt.thresholds.goroutines.minPoints': 1000,
        'leakhunt.targets': [{ name: 'ecu-demo', url: demo!.url, pid: demo!.pid }],
      },
    });
    await watchAndCheck(cs, 'live-watch-http');
    await checkUnopenedCorrelation(cs, ws, 'live-watch-http');
    // The status bar names the target and counts leaks; the report document opens from the palette.
    const status = cs.page.locator('.statusbar-item', { hasText: /ecu-demo · .*\d+ leaks?/ }).first();
    await status.waitFor({ timeout: 30_000 });
    // A click on it opens the series dashboard of the live series: its timeline draws the snapshots so far...
    await status.click();
    await cs.page
      .locator('.tab', { hasText: /^Series: / })
      .first()
      .waitFor({ timeout: 30_000 });
    const chart = cs.webview().locator('svg.timeline-chart');
    await chart.waitFor({ timeout: 60_000 });
    const points = await chart.locator('circle.point.heap').count();
    assert.ok(points >= 2, `the live timeline has ${points} heap points`);
    assert.equal(await cs.webview().locator('.legend-item.threshold').textContent(), '75% threshold');
    // ...and redraws as the watch adds snapshots (the heap line of a leaking service changes shape).
    const line = async (): Promise<string> => (await chart.locator('polyline.heap').getAttribute('points')) ?? '';
    const first = await line();
    for (let deadline = Date.now() + 30_000; (await line()) === first;) {
      assert.ok(Date.now() < deadline, 'the open dashboard did not refresh after new snapshots');
      await new Promise((r) => setTimeout(r, 250));
    }
    await cs.screenshot('live-watch-http-dashboard');
    // The Leak Hunter views: the target with its state, the ranked suspects, the snapshots.
    await cs.page.locator('.activitybar .action-item a[aria-label^="Leak Hunter"]').click();
    const row = (text: RegExp): ReturnType<CodeServerSession['page']['locator']> =>
      cs!.page.locator('.monaco-list-row', { hasText: text }).first();
    // Targets: host → target (with its state) → endpoint.
    await row(/127\.0\.0\.1\s*http · 1 target · watching/).waitFor({ timeout: 30_000 });
    await row(/ecu-demo.*watching/).waitFor({ timeout: 30_000 });
    await cs.screenshot('live-watch-http-targets');
    await row(new RegExp(`${demo!.addr.replace(/\./g, '\\.')}\\s*pprof /debug/pprof`)).waitFor({ timeout: 30_000 });
    await row(/storeSession session_cache\.go:\d+/).waitFor({ timeout: 30_000 });
    // A suspect expands into the call paths that reach it, each with its own growth; one opens in the stack document.
    const renewal = row(/via cache\.renewSession session_cache\.go:\d+/);
    for (let deadline = Date.now() + 30_000; !(await renewal.isVisible());) {
      assert.ok(Date.now() < deadline, 'the storeSession suspect did not expand into its renewSession call path');
      const suspect = row(/storeSession session_cache\.go:\d+/);
      if ((await suspect.getAttribute('aria-expanded')) !== 'true') await suspect.locator('.monaco-tl-twistie').click();
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.match(((await renewal.textContent()) ?? '').replace(/\u00a0/g, ' '), /[+−][\d.]+ (B|KiB|MiB)\/min \(/);
    // Close the stack document opened earlier, so it is this click that opens it again.
    await cs.runCommand('View: Close All Editors');
    await cs.page.locator('.tab', { hasText: '.leakstack' }).first().waitFor({ state: 'detached', timeout: 10_000 });
    await renewal.click();
    await cs.page.locator('.tab.active', { hasText: '.leakstack' }).waitFor({ timeout: 30_000 });
    await cs.page.locator('.editor-instance .selected-text').first().waitFor({ timeout: 10_000 });
    await cs.screenshot('live-watch-http-suspect-stacks');
    await row(/#\d+ .*heap [\d.]+ (KiB|MiB|GiB) · \d+ goroutines/).waitFor({ timeout: 30_000 });
    await cs.screenshot('live-watch-http-views');
    await cs.runCommand('Leakhunt: Show Leak Report');
    await cs.page.locator('.tab', { hasText: 'Leak Report.md' }).first().waitFor({ timeout: 30_000 });
    await cs.screenshot('live-watch-http-report');
    await cs.runCommand('Leakhunt: Stop Watching');
    for (let deadline = Date.now() + 30_000; !/stopped watching ecu-demo/.test(cs.extensionLog('Leak Hunter'));) {
      assert.ok(Date.now() < deadline, 'Stop Watching did not stop the watch');
      await new Promise((r) => setTimeout(r, 250));
    }
    await checkRefreshWithoutSnapshots(cs, ws, 'live-watch-http');
  });

  it('watches the demo service through a real sshd, asking about the unknown host key', async () => {
    sshd = await startSshd();
    const knownHosts = path.join(tmp, 'known_hosts');
    writeFileSync(knownHosts, '');
    const ws = workspaceCopy('ssh');
    cs = await startCodeServer({
      name: 'live-watch-ssh',
      folder: ws,
      vsix: [vsix],
      env: { SSH_AUTH_SOCK: '' },
      settings: {
        ...WATCH_SETTINGS,
        'leakhunt.ssh.knownHostsFile': knownHosts,
        'leakhunt.ssh.configFile': sshd.sshConfig,
        'leakhunt.targets': [
          {
            name: 'ecu-over-ssh',
            url: `ssh://${sshd.user}@127.0.0.1:${sshd.port}`,
            endpoint: demo!.addr,
            identityFile: sshd.passphraseKey,
          },
        ],
      },
    });
    const session = cs;
    await watchAndCheck(session, 'live-watch-ssh', async () => {
      // Like Remote-SSH: a modal with the fingerprint; nothing is recorded until the user accepts.
      const dialog = session.page.locator('.monaco-dialog-box', { hasText: 'unknown host key' });
      await dialog.waitFor({ timeout: 60_000 });
      assert.match((await dialog.textContent()) ?? '', /SHA256:[A-Za-z0-9+/]+/);
      assert.equal(readFileSync(knownHosts, 'utf8'), '', 'the key was recorded before the user accepted it');
      await session.screenshot('live-watch-ssh-hostkey');
      await dialog.locator('a.monaco-button, .monaco-button', { hasText: 'Accept and Connect' }).first().click();
      // The key is encrypted: its passphrase is asked for in a password box (and kept in SecretStorage only).
      const input = session.page.locator('.quick-input-widget', { hasText: 'Passphrase for SSH key' });
      await input.waitFor({ timeout: 60_000 });
      assert.equal(await input.locator('input').getAttribute('type'), 'password');
      await session.page.keyboard.type(TEST_KEY_PASSPHRASE);
      await session.page.keyboard.press('Enter');
    });
    const hostPub = sshd.hostPublicKey.split(/\s+/)[1] ?? '';
    assert.ok(hostPub && readFileSync(knownHosts, 'utf8').includes(hostPub), 'the accepted key is not in known_hosts');
    assert.match(cs.extensionLog('Leak Hunter'), /watching ecu-over-ssh every 1 s/);
    // A second start finds the passphrase in SecretStorage: it connects without asking, and nothing is on disk.
    await cs.runCommand('Leakhunt: Stop Watching');
    await cs.runCommand('Leakhunt: Start Watching');
    const started = (): number => (cs!.extensionLog('Leak Hunter').match(/watching ecu-over-ssh every/g) ?? []).length;
    for (let deadline = Date.now() + 60_000; started() < 2;) {
      assert.ok(
        !(await cs.page.locator('.quick-input-widget', { hasText: 'Passphrase' }).isVisible()),
        'the stored passphrase was asked for again',
      );
      assert.ok(Date.now() < deadline, 'the second start did not connect');
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(!cs.extensionLog('Leak Hunter').includes(TEST_KEY_PASSPHRASE), 'the passphrase leaked into the log');
  });

  it('says in the status bar and a notification when the kernel OOM-kills the watched service (real cgroup)', async () => {
    // 96 MiB and a 4 MiB/s leak: the kernel's OOM killer ends the demo after about 15 s (see targetDeath.test.ts).
    const cg = await createMemoryCgroup(96 * 1024 * 1024);
    const doomed = await startEcuDemo({ flags: ['-map-leak-bytes-per-sec', String(4 << 20)] });
    try {
      await cg.add(doomed.pid);
      const ws = workspaceCopy('oom');
      cs = await startCodeServer({
        name: 'live-watch-oom',
        folder: ws,
        vsix: [vsix],
        settings: {
          ...WATCH_SETTINGS,
          'leakhunt.window': 30,
          'leakhunt.targets': [{ name: 'doomed-ecu', url: doomed.url, pid: doomed.pid }],
        },
      });
      await cs.runCommand('Leakhunt: Start Watching');
      await cs.page
        .locator('.statusbar-item', { hasText: /doomed-ecu · / })
        .first()
        .waitFor({ timeout: 30_000 });
      // The status bar puts the target's fate first, and a notification says it once, with the kernel's counter.
      const fate = cs.page.locator('.statusbar-item', { hasText: /doomed-ecu OOM-killed/ }).first();
      await fate.waitFor({ timeout: 90_000 });
      const toast = cs.page.locator('.notification-toast', { hasText: /doomed-ecu: OOM killed .* oom_kill 0→1/ });
      await toast.first().waitFor({ timeout: 30_000 });
      await cs.screenshot('live-watch-oom-killed');
      // The emptied group's figure would read as "fine" after the kill: a dead target's item leaves it out.
      assert.doesNotMatch((await fate.textContent()) ?? '', /cgroup/);
      // A click on the status bar opens the live series dashboard, which puts the fate above the timeline.
      await fate.click();
      const banner = cs.webview().locator('section.fate.oom-killed');
      await banner.waitFor({ timeout: 60_000 });
      assert.match((await banner.locator('.fate-summary').textContent()) ?? '', /^OOM killed .*oom_kill 0→1/);
      await cs.screenshot('live-watch-oom-killed-dashboard');
      assert.match(
        cs.extensionLog('Leak Hunter'),
        /doomed-ecu: OOM killed .*oom_kill 0→1, memory\.current [\d.]+ MiB of 96\.0 MiB/,
      );
      // The kernel's own count, independent of leakhunt.
      assert.match(readFileSync(path.join(cg.dir, 'memory.oom_control'), 'utf8'), /^oom_kill 1$/m);
      // Announced once: later snapshots (still gaps) do not repeat it.
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal((cs.extensionLog('Leak Hunter').match(/doomed-ecu: OOM killed/g) ?? []).length, 1);
      await cs.runCommand('Leakhunt: Stop Watching');
    } finally {
      await doomed.stop();
      await cg.remove();
    }
  });
});
