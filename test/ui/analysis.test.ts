import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildAnalysisHarness } from '../fixtures/analysisHarness';
import { startCodeServer, type CodeServerSession } from '../fixtures/codeServer';

// The editor side of the static leak rules in a real VS Code (code-server + Chromium). The extension under test is a
// harness whose activate() only calls registerAnalysis(), built from the same sources the main bundle uses.
const LEAK = `package leaky

import (
	"context"
	"time"
)

func withTimeout(parent context.Context) context.Context {
	ctx, _ := context.WithTimeout(parent, time.Second)
	return ctx
}

type frame struct{ id int }

func process(frame) {}

func startReader(frames <-chan frame) {
	go func() {
		for {
			select {
			case f := <-frames:
				process(f)
			}
		}
	}()
}
`;
const OTHER = `package other

import "time"

func poll(in <-chan int) {
	t := time.NewTicker(time.Second)
	for range in {
		<-t.C
	}
}
`;

describe('static leak rules in a real VS Code (code-server 4.100.3 + Debian Chromium)', function () {
  this.timeout(600_000);
  let cs: CodeServerSession | undefined;
  let tmp: string;
  let workspace: string;

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'leakhunt-ui-analysis-'));
    const vsix = await buildAnalysisHarness(path.join(tmp, 'harness'));
    workspace = path.join(tmp, 'leaky');
    mkdirSync(path.join(workspace, 'other'), { recursive: true });
    writeFileSync(path.join(workspace, 'go.mod'), 'module example.com/leaky\n\ngo 1.21\n');
    writeFileSync(path.join(workspace, 'leak.go'), LEAK);
    writeFileSync(path.join(workspace, 'other', 'other.go'), OTHER);
    cs = await startCodeServer({ folder: workspace, vsix: [vsix], settings: { 'files.autoSave': 'off' } });
  });

  after(async () => {
    await cs?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && cs) {
      await cs
        .screenshot(`analysis-failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}`)
        .catch(() => undefined);
    }
  });

  const problems = (): ReturnType<CodeServerSession['page']['locator']> =>
    cs!.page.locator('.markers-panel .monaco-list-row');

  it('shows findings of an opened Go file in the Problems panel with the rule id', async () => {
    await cs!.openFile('leak.go');
    await cs!.page.locator('.editor-instance .view-lines').first().waitFor();
    await cs!.runCommand('Problems: Focus on Problems View');
    await problems()
      .filter({ hasText: 'the cancel function returned by context.WithTimeout is discarded' })
      .first()
      .waitFor({ timeout: 60_000 });
    await problems().filter({ hasText: 'goroutine never exits' }).first().waitFor({ timeout: 30_000 });
    const rows = await problems().allTextContents();
    assert.ok(
      rows.some((r) => r.includes('lost-cancel')),
      rows.join('\n'),
    );
    assert.ok(
      rows.some((r) => r.includes('goroutine-leak')),
      rows.join('\n'),
    );
    await cs!.screenshot('analysis-problems');
  });

  it("the rule id in the Problems panel links to the rule's documentation", async () => {
    const row = problems().filter({ hasText: 'goroutine never exits' }).first();
    await row.locator('a', { hasText: 'goroutine-leak' }).first().click();
    await cs!.page.locator('.tab', { hasText: 'goroutine-leak.md' }).first().waitFor({ timeout: 30_000 });
    await cs!.waitForText('Suppress one finding with', 30_000);
    await cs!.runCommand('View: Close Editor');
    await cs!.openFile('leak.go');
  });

  it("hovering a finding shows its rule's documentation", async () => {
    const editor = cs!.page.locator('.editor-instance').first();
    const goKeyword = editor.locator('.view-line', { hasText: /go\s+func\(\)/ }).getByText('go', { exact: true });
    await goKeyword.first().hover();
    const hover = cs!.page.locator('.monaco-hover', { hasText: 'leakhunt: goroutine-leak' });
    await hover.first().waitFor({ timeout: 30_000 });
    assert.match((await hover.first().textContent()) ?? '', /\/\/leakhunt:ignore goroutine-leak/);
    await cs!.page.keyboard.press('Escape');
  });

  it("applies the 'defer cancel()' quick fix, and the live relint drops that finding", async () => {
    const editor = cs!.page.locator('.editor-instance').first();
    await editor.locator('.view-lines').click();
    await cs!.page.keyboard.press('Control+Home');
    await cs!.runCommand('Go to Next Problem (Error, Warning, Info)');
    await cs!.page.keyboard.press('Escape');
    await cs!.runCommand('Quick Fix...');
    // The action list takes keys, not reliably clicks (a pointer block covers it while it animates).
    const want = "Keep the cancel function and add 'defer cancel()'";
    await cs!.page.locator('.action-widget .monaco-list-row', { hasText: want }).first().waitFor({ timeout: 30_000 });
    for (let i = 0; ; i++) {
      const focused = (await cs!.page.locator('.action-widget .monaco-list-row.focused').first().textContent()) ?? '';
      if (focused.includes(want)) break;
      assert.ok(i < 10, `quick fix '${want}' not reachable; focused: ${focused}`);
      await cs!.page.keyboard.press('ArrowDown');
    }
    await cs!.page.keyboard.press('Enter');
    // Monaco renders spaces as U+00A0.
    await editor
      .locator('.view-line', { hasText: /defer\s+cancel\(\)/ })
      .first()
      .waitFor({ timeout: 30_000 });
    await problems()
      .filter({ hasText: 'context.WithTimeout is discarded' })
      .first()
      .waitFor({ state: 'detached', timeout: 30_000 });
    assert.ok(
      (await problems().filter({ hasText: 'goroutine never exits' }).count()) > 0,
      'the other finding must stay',
    );
    await cs!.runCommand('File: Save');
    await new Promise((r) => setTimeout(r, 500));
    const saved = readFileSync(path.join(workspace, 'leak.go'), 'utf8');
    assert.match(saved, /ctx, cancel := context\.WithTimeout\(parent, time\.Second\)\n\tdefer cancel\(\)\n/);
  });

  it('"Leakhunt: Scan Workspace" reports files that are not open', async () => {
    await cs!.runCommand('Leakhunt: Scan Workspace');
    await cs!.waitForText('Leak Hunter: ', 120_000);
    await cs!.runCommand('Problems: Focus on Problems View');
    await problems()
      .filter({ hasText: "time.NewTicker result 't' is never stopped" })
      .first()
      .waitFor({ timeout: 60_000 });
    await cs!.screenshot('analysis-scan');
  });
});
