import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ScanAbortedError, scanWorkspace } from '../../../src/core/analysis/workspaceScanner';

const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
const net = path.join(goroot, 'src', 'net');

describe('analysis: workspace scanner', function () {
  this.timeout(120000);

  it('reports progress up to the total and returns sorted findings', async () => {
    const seen: [number, number][] = [];
    const res = await scanWorkspace([path.join(net, 'http')], { threads: 2, onProgress: (d, t) => seen.push([d, t]) });
    assert.ok(seen.length > 3);
    const total = seen[0]![1];
    assert.equal(total, res.files);
    assert.deepEqual(seen.at(-1), [total, total]);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]![0] >= seen[i - 1]![0]);
    const keys = res.findings.map((f) => `${f.file}\0${String(f.line).padStart(6)}`);
    assert.deepEqual(keys, [...keys].sort());
  });

  it('stops on abort with an AbortError, in worker threads and on the main thread', async () => {
    for (const threads of [2, 0]) {
      const ac = new AbortController();
      let progress = 0;
      const p = scanWorkspace([net], {
        threads,
        signal: ac.signal,
        onProgress: () => {
          if (++progress === 2) ac.abort();
        },
      });
      await assert.rejects(p, (e: unknown) => e instanceof ScanAbortedError && e.name === 'AbortError');
      assert.ok(progress >= 2);
    }
  });

  it('rejects at once when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(scanWorkspace([net], { signal: ac.signal }), ScanAbortedError);
  });

  it('fails fast on an unknown rule id before starting any thread', async () => {
    await assert.rejects(scanWorkspace([net], { rules: ['nope'] }), /unknown rule nope/);
  });
});
