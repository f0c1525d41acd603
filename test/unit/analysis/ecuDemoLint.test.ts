import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { scanWorkspace } from '../../../src/core/analysis/workspaceScanner';

// The demo service carries the seed's leaks, marked `// leakhunt:planted ID` for the runtime tests. The static rules
// must point at the planted lines of the shapes they cover, and at nothing else in the demo.
const demo = path.resolve(__dirname, '../../../testdata/ecu-demo');

/** Maps planted ids to `file:line` by reading the markers from the sources. */
function planted(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.go'))
        readFileSync(p, 'utf8')
          .split('\n')
          .forEach((l, i) => {
            const m = /leakhunt:planted (\S+)/.exec(l);
            if (m) out.set(m[1]!, `${path.relative(dir, p)}:${i + 1}`);
          });
    }
  };
  walk(dir);
  return out;
}

describe('analysis: the seed leaks in testdata/ecu-demo', function () {
  this.timeout(60000);

  it('are found at their planted lines, with no other finding in the demo', async () => {
    const marks = planted(demo);
    const res = await scanWorkspace([demo], { threads: 0 });
    assert.deepEqual(res.skipped, []);
    const got = res.findings.map((f) => `${path.relative(demo, f.file)}:${f.line} ${f.rule}`).sort();
    const at = (id: string): string => {
      const loc = marks.get(id);
      assert.ok(loc, `marker ${id} is gone from the demo`);
      return loc;
    };
    const want = [
      `${at('can-reader-start')} goroutine-leak`, // the CAN reader started per device, no way out
      `${at('map-unsafe-store')} sync-map-misuse`, // Store without Delete: growth
      `${at('map-unsafe-store')} sync-map-misuse`, // an unsafe.Pointer value in a sync.Map
      `${at('map-unsafe-store')} unsafe-pointer-escape`, // &x of a local kept by the map
      `${at('pool-retain-append')} pool-misuse`, // New remembers every buffer in a package slice
    ].sort();
    assert.deepEqual(got, want);
  });
});
