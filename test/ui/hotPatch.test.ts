import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startCodeServer, type CodeServerSession } from '../fixtures/codeServer';
import { dlvPath, procStatus, waitFor } from '../fixtures/delve';
import { ecuDemoDir, startEcuDemo, type EcuDemo } from '../fixtures/ecuDemo';
import { startSshd, type SshdFixture } from '../fixtures/sshd';

const execFileP = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');

/**
 * The hot patch in a real VS Code (code-server + Chromium) against the real demo service running locally: the
 * "hot patch New..." lens on the flagged BufPool, the process picked by its pid, the candidate picked, the modal that
 * names the process, the applied result with frozenMs; then Roll Back Last Hot Patch from the palette.
 */
describe('hot patch in a real VS Code (code-server 4.100.3 + Debian Chromium, real demo service, real dlv)', function () {
  this.timeout(600_000);
  let tmp: string;
  let vsix: string;
  let demo: EcuDemo | undefined;
  let cs: CodeServerSession | undefined;
  let sshd: SshdFixture | undefined;

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'leakhunt-ui-hotpatch-'));
    vsix = path.join(tmp, 'leakhunt.vsix');
    await execFileP('npm', ['run', 'build'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    await execFileP('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    });
    demo = await startEcuDemo({ flags: ['-pool-gets-per-sec', '200'] });
    await waitFor(async () => (await demo!.state()).pool_buffers_retained > 0, 10_000, 'first pool misses');
  });

  afterEach(async function () {
    if (cs && this.currentTest?.state === 'failed') {
      await cs.screenshot('hot-patch-failed').catch(() => '');
      process.stderr.write(`--- Leak Hunter log ---\n${cs.extensionLog('Leak Hunter').slice(-6000)}\n`);
    }
    await cs?.stop();
    cs = undefined;
  });

  after(async () => {
    await sshd?.stop();
    await demo?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('lens → pid → candidate → modal naming the process → applied (retention stops, untraced) → rollback', async () => {
    const ws = path.join(tmp, 'ecu-demo');
    cpSync(ecuDemoDir, ws, { recursive: true });
    cs = await startCodeServer({
      folder: ws,
      name: 'hot-patch',
      vsix: [vsix],
      settings: { 'leakhunt.dlvPath': dlvPath(), 'files.autoSave': 'off' },
    });
    const page = cs.page;
    const pid = demo!.pid;
    await cs.openFile('buffers.go');
    await page.locator('.editor-instance .view-lines').first().waitFor();
    const lens = page.locator('.codelens-decoration a', { hasText: 'hot patch New...' });
    await lens.first().waitFor({ timeout: 120_000 });
    assert.equal(await lens.count(), 1, 'one lens: only the flagged pool');
    await cs.screenshot('hot-patch-lens');
    await lens.first().click();

    // The process picker lists local Go processes; the demo is picked by its pid.
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ timeout: 60_000 });
    await input.fill(String(pid));
    const procRow = page.locator('.quick-input-list .monaco-list-row', { hasText: String(pid) });
    await procRow.first().waitFor({ timeout: 60_000 });
    assert.match((await procRow.first().textContent()) ?? '', /ecu-demo/);
    await input.press('Enter');

    // The pool came from the lens; next is the candidate.
    const candRow = page.locator('.quick-input-list .monaco-list-row', { hasText: 'pool.FixedNew' });
    await candRow.first().waitFor({ timeout: 120_000 });
    await cs.screenshot('hot-patch-candidates');
    await input.fill('FixedNew');
    await input.press('Enter');

    // Every check runs while the target runs; then the modal names the process and lists the passed checks.
    const dialog = page.locator('.monaco-dialog-box', { hasText: `Hot patch process ${pid}` });
    await dialog.waitFor({ timeout: 240_000 });
    const dialogText = (await dialog.textContent()) ?? '';
    assert.match(dialogText, /sandbox-type/);
    assert.match(dialogText, /no-captures/);
    // Delve stays attached for the write, but the target runs while the user reads the modal.
    const s0 = await demo!.state();
    await new Promise((r) => setTimeout(r, 300));
    assert.ok((await demo!.state()).pool_gets > s0.pool_gets, 'the target runs while the modal is open');
    assert.ok(!['t', 'T'].includes(procStatus(pid).state), 'not stopped while the modal is open');
    await cs.screenshot('hot-patch-modal');
    await dialog.locator('a.monaco-button, .monaco-button', { hasText: 'Apply' }).first().click();

    await cs.waitForText('New is now example.com/ecu-demo/pool.fixedNew', 120_000);
    await cs.screenshot('hot-patch-applied');
    assert.match(cs.extensionLog('Leak Hunter'), /Hot patch process \d+ .*applied=true .*frozenMs=[\d.]+/);
    const s1 = await demo!.state();
    assert.equal(s1.pool_new, 'example.com/ecu-demo/pool.fixedNew');
    await waitFor(() => procStatus(pid).tracerPid === 0, 5000, 'TracerPid: 0');
    await new Promise((r) => setTimeout(r, 1000));
    const s2 = await demo!.state();
    assert.ok(s2.pool_gets > s1.pool_gets);
    assert.equal(s2.pool_buffers_retained, s1.pool_buffers_retained, 'retention stopped');
    const audit = path.join(ws, '.leakhunt', 'audit.jsonl');
    assert.ok(existsSync(audit), 'audit log in the workspace');
    assert.match(readFileSync(audit, 'utf8'), /"action":"hotpatch".*"result":"applied"/);

    await cs.runCommand('Leakhunt: Roll Back Last Hot Patch');
    const rb = page.locator('.monaco-dialog-box', { hasText: 'Roll back the hot patch of process' });
    await rb.waitFor({ timeout: 120_000 });
    await rb.locator('a.monaco-button, .monaco-button', { hasText: 'Roll Back' }).first().click();
    await cs.waitForText('New is now example.com/ecu-demo/pool.leakyNew', 120_000);
    assert.equal((await demo!.state()).pool_new, 'example.com/ecu-demo/pool.leakyNew');
    await waitFor(() => procStatus(pid).tracerPid === 0, 5000, 'TracerPid: 0 after rollback');
  });

  it('through an ssh:// entry of leakhunt.targets: target picked, pid asked, pools flagged first, applied over SSH, rolled back', async () => {
    sshd = await startSshd();
    const ws = path.join(tmp, 'ssh', 'ecu-demo');
    cpSync(ecuDemoDir, ws, { recursive: true });
    cs = await startCodeServer({
      folder: ws,
      name: 'hot-patch-ssh',
      vsix: [vsix],
      env: { SSH_AUTH_SOCK: '' },
      settings: {
        'leakhunt.dlvPath': dlvPath(),
        'files.autoSave': 'off',
        'leakhunt.ssh.knownHostsFile': sshd.knownHosts,
        'leakhunt.ssh.configFile': sshd.sshConfig,
        'leakhunt.targets': [
          { name: 'ecu-over-ssh', url: `ssh://${sshd.user}@127.0.0.1:${sshd.port}`, identityFile: sshd.clientKey },
        ],
      },
    });
    const page = cs.page;
    const pid = demo!.pid;
    assert.equal((await demo!.state()).pool_new, 'example.com/ecu-demo/pool.leakyNew');
    await cs.runCommand('Leakhunt: Hot Patch sync.Pool.New...');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    const row = (text: string) => page.locator('.quick-input-list .monaco-list-row', { hasText: text });
    await row('ecu-over-ssh').first().waitFor({ timeout: 60_000 });
    assert.ok((await row('This machine').count()) > 0, 'local stays offered');
    await input.fill('ecu-over-ssh');
    await input.press('Enter');

    // The entry has no pid and no container: the pid is asked for (and validated).
    const pidBox = page.locator('.quick-input-widget', { hasText: 'process id on ecu-over-ssh' });
    await pidBox.waitFor({ timeout: 60_000 });
    await input.fill(String(pid));
    await input.press('Enter');

    // The pool flagged by pool-misuse is listed first, with the finding.
    const first = page.locator('.quick-input-list .monaco-list-row').first();
    await row('BufPool').first().waitFor({ timeout: 120_000 });
    assert.match((await first.textContent()) ?? '', /BufPool.*pool-misuse: .*leakyNew/);
    await cs.screenshot('hot-patch-ssh-pools');
    await input.fill('BufPool');
    await input.press('Enter');
    await row('pool.FixedNew').first().waitFor({ timeout: 60_000 });
    await input.fill('FixedNew');
    await input.press('Enter');

    const dialog = page.locator('.monaco-dialog-box', { hasText: `Hot patch process ${pid} on ecu-over-ssh` });
    await dialog.waitFor({ timeout: 240_000 });
    await dialog.locator('a.monaco-button, .monaco-button', { hasText: 'Apply' }).first().click();
    await cs.waitForText('New is now example.com/ecu-demo/pool.fixedNew', 120_000);
    assert.equal((await demo!.state()).pool_new, 'example.com/ecu-demo/pool.fixedNew');
    await waitFor(() => procStatus(pid).tracerPid === 0, 5000, 'TracerPid: 0');
    const audit = readFileSync(path.join(ws, '.leakhunt', 'audit.jsonl'), 'utf8');
    assert.match(audit, /"host":"ssh:\/\/[^"]*127\.0\.0\.1:\d+"/);

    await cs.runCommand('Leakhunt: Roll Back Last Hot Patch');
    const rb = page.locator('.monaco-dialog-box', {
      hasText: `Roll back the hot patch of process ${pid} on ecu-over-ssh`,
    });
    await rb.waitFor({ timeout: 120_000 });
    await rb.locator('a.monaco-button, .monaco-button', { hasText: 'Roll Back' }).first().click();
    await cs.waitForText('New is now example.com/ecu-demo/pool.leakyNew', 120_000);
    assert.equal((await demo!.state()).pool_new, 'example.com/ecu-demo/pool.leakyNew');
    await waitFor(() => procStatus(pid).tracerPid === 0, 5000, 'TracerPid: 0 after rollback');
  });
});
