import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startCodeServer, type CodeServerSession } from '../fixtures/codeServer';
import { startContainerHost } from '../fixtures/containerHost';
import type { DockerStandIn } from '../fixtures/dockerStandIn';
import { ecuDemoDir, startEcuDemo, type EcuDemo } from '../fixtures/ecuDemo';
import type { SshdFixture } from '../fixtures/sshd';

const execFileP = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');

/** Logins sshd accepted and sessions it saw end so far (its VERBOSE log has one line of each per connection). */
function sshdSessions(f: SshdFixture): { accepted: number; disconnected: number } {
  const lines = readFileSync(f.log, 'utf8').split('\n');
  return {
    accepted: lines.filter((l) => l.includes('Accepted publickey for')).length,
    disconnected: lines.filter((l) => l.includes('Disconnected from user')).length,
  };
}

/**
 * "Leakhunt: Connect to Target" in a real VS Code (code-server + Chromium) through a real loopback sshd to the real
 * demo service. There is no Docker engine here, so `docker` on the SSH host is a STAND-IN
 * (test/fixtures/dockerStandIn.ts) printing the REAL recorded `docker ps`/`docker inspect` output, with the address and
 * PID of one container rewritten to the demo service on this machine.
 */
describe('Connect to Target in a real VS Code (code-server 4.100.3 + Debian Chromium, real sshd, docker stand-in)', function () {
  this.timeout(600_000);
  let tmp: string;
  let vsix: string;
  let demo: EcuDemo | undefined;
  let sshd: SshdFixture | undefined;
  let docker: DockerStandIn | undefined;
  let cs: CodeServerSession | undefined;

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'leakhunt-ui-connect-'));
    vsix = path.join(tmp, 'leakhunt.vsix');
    await execFileP('npm', ['run', 'build'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    await execFileP('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    });
    demo = await startEcuDemo();
    ({ docker, sshd } = await startContainerHost('ecu-telemetry', demo.pid));
  });

  after(async () => {
    await cs?.stop();
    await sshd?.stop();
    await docker?.remove();
    await demo?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (cs && this.currentTest?.state === 'failed') {
      await cs.screenshot('connect-to-target-failed').catch(() => '');
      process.stderr.write(`--- Leak Hunter log ---\n${cs.extensionLog('Leak Hunter').slice(-6000)}\n`);
    }
  });

  it('offers configured targets and ssh-config hosts, lists the containers over SSH and watches the picked one', async () => {
    const ws = path.join(tmp, 'ws', 'ecu-demo');
    cpSync(ecuDemoDir, ws, { recursive: true });
    const port = demo!.addr.split(':').at(-1) ?? '';
    cs = await startCodeServer({
      name: 'connect-to-target',
      folder: ws,
      vsix: [vsix],
      env: { SSH_AUTH_SOCK: '' },
      settings: {
        'leakhunt.interval': 1,
        'leakhunt.ssh.knownHostsFile': sshd!.knownHosts,
        'leakhunt.ssh.configFile': sshd!.sshConfig,
        'leakhunt.targets': [
          {
            name: 'ecu-ssh',
            url: `ssh://${sshd!.user}@127.0.0.1:${sshd!.port}`,
            endpoint: `0.0.0.0:${port}`,
            identityFile: sshd!.clientKey,
          },
        ],
      },
    });
    const page = cs.page;
    const before = sshdSessions(sshd!);
    await cs.runCommand('Leakhunt: Connect to Target');
    const row = (text: string | RegExp) =>
      page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
    // The sshd fixture's config declares the aliases `ecu`, `gw` and `ecu-via-gw`.
    await row('ecu-via-gw').waitFor({ timeout: 30_000 });
    await row(/^\s*ecu\s*ssh config host/).waitFor();
    await row('Add target...').waitFor();
    await cs.screenshot('connect-to-target-pick');
    await row('ecu-ssh').click();
    // The containers `docker ps` printed on the host, plus the host itself.
    await row('ecu-telemetry').waitFor({ timeout: 60_000 });
    await row("the host's own endpoint").waitFor();
    await cs.screenshot('connect-to-target-containers');
    await row('ecu-telemetry').click();
    for (
      let deadline = Date.now() + 60_000;
      !/snapshot 1 of ecu-ssh\/ecu-telemetry: ok/.test(cs.extensionLog('Leak Hunter'));
    ) {
      assert.ok(Date.now() < deadline, 'the picked container is not being watched');
      await new Promise((r) => setTimeout(r, 250));
    }
    const calls = await docker!.calls();
    assert.ok(
      calls.some((a) => a[0] === 'ps'),
      'docker ps was not run on the host',
    );
    assert.ok(
      calls.some((a) => a.join(' ') === 'inspect -- ecu-telemetry'),
      'the picked container was not inspected',
    );
    // The container list and the watch share one SSH connection: one login, still open while watching.
    const watching = sshdSessions(sshd!);
    assert.equal(watching.accepted - before.accepted, 1, 'Connect to Target and the watch logged in more than once');
    assert.equal(watching.disconnected - before.disconnected, 0, 'the connection was closed while watching');
    await cs.runCommand('Leakhunt: Stop Watching');
  });

  /** Waits until the Leak Hunter log shows the first snapshot of `name`. */
  async function waitWatching(session: CodeServerSession, name: string): Promise<void> {
    const re = new RegExp(`snapshot 1 of ${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: ok`);
    for (let deadline = Date.now() + 60_000; !re.test(session.extensionLog('Leak Hunter'));) {
      assert.ok(Date.now() < deadline, `${name} is not being watched`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Types `text` into the open input box once it is shown with `title`, and accepts it. */
  async function answer(session: CodeServerSession, title: string, text: string): Promise<void> {
    const box = session.page.locator('.quick-input-widget', { hasText: title });
    await box.waitFor({ timeout: 30_000 });
    const input = box.locator('input').first();
    await input.fill(text);
    for (let deadline = Date.now() + 10_000; (await input.inputValue()) !== text;) {
      assert.ok(Date.now() < deadline, `the input box does not keep ${text}`);
      await new Promise((r) => setTimeout(r, 100));
      await input.fill(text);
    }
    await session.page.keyboard.press('Enter');
  }

  it('connects to an ssh-config host: asks for the pprof endpoint, then the container', async () => {
    assert.ok(cs, 'needs the session of the previous test');
    const page = cs.page;
    const port = demo!.addr.split(':').at(-1) ?? '';
    await cs.runCommand('Leakhunt: Connect to Target');
    const row = (text: string | RegExp) =>
      page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
    await row(/^\s*ecu\s*ssh config host/).click({ timeout: 30_000 });
    await answer(cs, 'pprof endpoint', `0.0.0.0:${port}`);
    await row('ecu-telemetry').click({ timeout: 60_000 });
    await waitWatching(cs, 'ecu/ecu-telemetry');
    await cs.runCommand('Leakhunt: Stop Watching');
  });

  it('adds an http:// target to the workspace settings and watches it', async () => {
    assert.ok(cs, 'needs the session of the previous test');
    await cs.runCommand('Leakhunt: Connect to Target');
    await cs.page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'Add target...' })
      .first()
      .click({ timeout: 30_000 });
    await answer(cs, 'Add target: URL', demo!.url);
    await answer(cs, 'Add target: name', 'added-demo');
    await waitWatching(cs, 'added-demo');
    const settings = readFileSync(path.join(tmp, 'ws', 'ecu-demo', '.vscode', 'settings.json'), 'utf8');
    const targets = (JSON.parse(settings) as Record<string, unknown>)['leakhunt.targets'] as { name: string }[];
    assert.ok(
      targets.some((t) => t.name === 'added-demo'),
      `added-demo is not in the workspace settings: ${settings}`,
    );
    await cs.runCommand('Leakhunt: Stop Watching');
  });

  it('cancelling the container pick closes the SSH connection that listed the containers', async () => {
    assert.ok(cs, 'needs the session of the first test');
    const page = cs.page;
    const row = (text: string | RegExp) =>
      page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
    // Earlier watches were stopped; wait until sshd saw all their sessions end, so the counts below are this test's.
    for (let deadline = Date.now() + 15_000; ;) {
      const s = sshdSessions(sshd!);
      if (s.accepted === s.disconnected) break;
      assert.ok(Date.now() < deadline, `earlier sessions still open: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const before = sshdSessions(sshd!);
    await cs.runCommand('Leakhunt: Connect to Target');
    await row('ecu-ssh').click({ timeout: 30_000 });
    await row('ecu-telemetry').waitFor({ timeout: 60_000 });
    assert.equal(sshdSessions(sshd!).accepted - before.accepted, 1);
    await page.keyboard.press('Escape');
    for (let deadline = Date.now() + 15_000; ;) {
      const s = sshdSessions(sshd!);
      if (s.disconnected - before.disconnected === 1) break;
      assert.ok(Date.now() < deadline, `the listing connection stayed open after the pick was cancelled`);
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(sshdSessions(sshd!).accepted - before.accepted, 1, 'no further login after the cancel');
  });

  it('Targets view: a collapsed target row expands on click (no watch starts); inline actions start and stop; the watched target shows expanded', async () => {
    assert.ok(cs, 'needs the session of the first test');
    const session = cs;
    const page = session.page;
    const port = demo!.addr.split(':').at(-1) ?? '';
    const row = (text: RegExp) => page.locator('.monaco-list-row', { hasText: text }).first();
    const target = row(/^\s*ecu-ssh\s*(idle|stopped) · ssh:/);
    const endpoint = row(new RegExp(`0\\.0\\.0\\.0:${port}\\s*pprof /debug/pprof`));
    const logLines = (re: RegExp): number =>
      session
        .extensionLog('Leak Hunter')
        .split('\n')
        .filter((l) => re.test(l)).length;
    const waitFor = async (what: string, cond: () => Promise<boolean> | boolean): Promise<void> => {
      for (let deadline = Date.now() + 30_000; !(await cond());) {
        assert.ok(Date.now() < deadline, what);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    await page.locator('.activitybar .action-item a[aria-label^="Leak Hunter"]').click();
    await target.waitFor({ timeout: 30_000 });
    assert.equal(await target.getAttribute('aria-expanded'), 'false', 'target rows start collapsed');
    assert.equal(await endpoint.isVisible(), false);
    const connects = logLines(/connecting to ecu-ssh \(/);
    // A click on the label (not the twistie) expands the row: it carries no command that would take the click.
    await target.locator('.label-name').click();
    await waitFor(
      'the clicked target row did not expand',
      async () => (await target.getAttribute('aria-expanded')) === 'true',
    );
    await endpoint.waitFor({ timeout: 10_000 });
    await session.screenshot('connect-to-target-targets-expanded');
    assert.equal(logLines(/connecting to ecu-ssh \(/), connects, 'the click started a watch');
    // The inline action of the row starts watching that target, and the stop action of the watching row stops it.
    await target.hover();
    await target.locator('.actions [aria-label*="Start Watching"]').click();
    await waitWatching(session, 'ecu-ssh');
    const watchingRow = row(/^\s*ecu-ssh\s*watching · ssh:/);
    await watchingRow.hover();
    await watchingRow.locator('.actions [aria-label*="Stop Watching"]').click();
    await waitFor('the inline Stop Watching did not stop the watch', () => logLines(/stopped watching ecu-ssh$/) > 0);
    // Collapse it again; a watch started while the view is hidden shows its target expanded when the view shows.
    const stopped = row(/^\s*ecu-ssh\s*stopped · ssh:/);
    await stopped.locator('.monaco-tl-twistie').click();
    await waitFor('the row did not collapse', async () => (await stopped.getAttribute('aria-expanded')) === 'false');
    await session.runCommand('View: Show Explorer');
    await session.runCommand('Leakhunt: Start Watching');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'ecu-ssh' }).first().click({ timeout: 30_000 });
    await waitFor('the second watch of ecu-ssh did not start', () => logLines(/snapshot 1 of ecu-ssh: ok/) >= 2);
    await page.locator('.activitybar .action-item a[aria-label^="Leak Hunter"]').click();
    const watched = row(/^\s*ecu-ssh\s*watching · ssh:/);
    await waitFor(
      'the watched target was not shown expanded',
      async () => (await watched.getAttribute('aria-expanded')) === 'true',
    );
    await endpoint.waitFor({ timeout: 10_000 });
    await session.runCommand('Leakhunt: Stop Watching');
  });
});
