import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { scanWorkspace } from '../../../src/core/analysis/workspaceScanner';

// A recall check on labelled leaks we did not write: the Go runtime's goroutine-leak test programs (GoKer's blocking
// bugs from real projects, plus common patterns), every one of which leaks. Most GoKer bugs are mutex or WaitGroup
// deadlocks the rules do not model, so recall is low by design; the test pins the programs found today (so recall
// cannot silently drop) and prints the recall.
const FOUND_GOKER = ['etcd5509', 'grpc660', 'kubernetes5316', 'moby17176', 'moby33781'];
const FOUND_COMMON_LINES = {
  noCloseRange: 'ranges over channel',
  nCastLeak: 'received only once',
  timeout: 'can return without receiving',
};

describe('analysis: recall on the Go runtime goroutine-leak test programs (GoKer)', function () {
  this.timeout(120000);

  it('flags the known-leaky programs it flagged when recorded, each at its leaking goroutine', async () => {
    const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
    const dir = path.join(goroot, 'src/runtime/testdata/testgoroutineleakprofile');
    const res = await scanWorkspace([dir], { skipTestdata: false, goVersion: '1.20', threads: 0 });
    const programs = readdirSync(path.join(dir, 'goker')).filter((f) => f.endsWith('.go') && f !== 'main.go');
    const flagged = new Set(
      res.findings
        .filter((f) => f.file.includes(`${path.sep}goker${path.sep}`) && f.rule !== 'timer-leak')
        .map((f) => path.basename(f.file, '.go')),
    );
    console.log(
      `    GoKer programs with a goroutine-leak/lost-cancel finding: ${flagged.size}/${programs.length} ` +
        `(recall ${((100 * flagged.size) / programs.length).toFixed(0)}%): ${[...flagged].sort().join(', ')}`,
    );
    for (const p of FOUND_GOKER) assert.ok(flagged.has(p), `${p} is no longer flagged`);
    const common = res.findings.filter((f) => f.file.endsWith('commonpatterns.go')).map((f) => f.message);
    for (const [fn, msg] of Object.entries(FOUND_COMMON_LINES))
      assert.ok(
        common.some((m) => m.includes(msg)),
        `commonpatterns ${fn}: no finding saying '${msg}'`,
      );
    // Every finding in these programs is a leak by construction, except timer-leak's per-iteration timers, which
    // are a different (allocation) problem; all findings must come from the rules that model goroutine leaks.
    for (const f of res.findings)
      assert.ok(['goroutine-leak', 'lost-cancel', 'timer-leak'].includes(f.rule), `${f.file}:${f.line} ${f.rule}`);
  });
});
