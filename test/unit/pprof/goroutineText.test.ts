import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeProfile } from '../../../src/core/pprof/decodeProfile';
import type { Goroutine } from '../../../src/core/pprof/goroutineText';
import {
  goroutineDumpToProfile,
  parseGoroutineDebug1,
  parseGoroutineDebug2,
} from '../../../src/core/pprof/goroutineText';
import { ProfileFormatError } from '../../../src/core/pprof/profileErrors';
import type { Profile } from '../../../src/core/pprof/profileModel';
import { topReport } from '../../../src/core/pprof/topReport';
import { buildGoProgram, repoRoot } from '../../fixtures/ecuDemo';
import { parseGoPprofTop, runGoPprof } from '../../fixtures/goPprofTop';
import { sampleRows } from '../../fixtures/tinyProfile';

const tripletDir = path.resolve(__dirname, '../../../../shared/corpus/profiles/goroutine-triplets');

/** Per-function goroutine counts (each function once per goroutine) over goroutines accepted by `keep`. */
function countsByFunction(p: Profile, keep: (names: string[]) => boolean): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < p.samples.count; i++) {
    const names: string[] = [];
    for (let k = p.samples.stackStart[i]!; k < p.samples.stackStart[i + 1]!; k++) {
      for (const l of p.locations[p.samples.locIndex[k]!]!.lines) names.push(l.function.name);
    }
    if (!keep(names)) continue;
    for (const f of new Set(names)) m.set(f, (m.get(f) ?? 0) + p.samples.values[i]!);
  }
  return m;
}

describe('goroutine text formats', () => {
  describe('the three formats of each real snapshot agree (goroutine-triplets)', () => {
    for (const snap of ['1.net.http.pprof', '1.pprof.lookup', '2.net.http.pprof', '2.pprof.lookup']) {
      it(snap, () => {
        const file = (s: string): Buffer => readFileSync(path.join(tripletDir, `${snap}.goroutine.${s}`));
        const proto = decodeProfile(file('debug0.pb.gz'));
        const text1 = parseGoroutineDebug1(file('debug1.txt').toString('utf8'));
        const dump = parseGoroutineDebug2(file('debug2.txt').toString('utf8'));
        const text2 = goroutineDumpToProfile(dump);
        // The goroutines that take the snapshot differ in each format by construction: the one running runtime/pprof
        // and the example's driver main.writeProfiles, which calls one closure per format (main.glob..funcN). The
        // runtime also hides its own frames in the text formats. So compare user code (package main) of the others.
        const notWriter = (names: string[]): boolean =>
          !names.some((n) => n.startsWith('runtime/pprof.') || n === 'main.writeProfiles');
        const user = (m: Map<string, number>): [string, number][] =>
          [...m].filter(([n]) => n.startsWith('main.')).sort((a, b) => (a[0] < b[0] ? -1 : 1));
        const want = user(countsByFunction(proto, notWriter));
        assert.ok(want.length >= 3, `expected several user functions, got ${JSON.stringify(want)}`);
        assert.deepEqual(user(countsByFunction(text1, notWriter)), want, 'debug=1 vs debug=0');
        assert.deepEqual(user(countsByFunction(text2, notWriter)), want, 'debug=2 vs debug=0');
        // Totals agree too: debug=1's header total and the number of goroutines in the dump.
        const total = (p: Profile): number => p.samples.values.reduce((a, b) => a + b, 0);
        assert.equal(total(text1), total(proto));
        assert.equal(dump.goroutines.length, total(proto));
      });
    }
  });

  describe('debug=1', () => {
    it('parses counts, Go-quoted labels, tab-padded frames and unsymbolized frames', () => {
      const text = [
        'goroutine profile: total 5',
        '3 @ 0x1001 0x1002 0x1003',
        '# labels: {"job":"a\\tb", "id":"\\x41"}',
        '#\t0x1001\tmain.worker+0x21\t\t/src/main.go:10',
        '#\t0x1002\tmain.(*Pool).run[...]+0x5\t/src/pool.go:20',
        '',
        '2 @ 0x2001 0x2002',
        '#\t0x2000',
        '',
      ].join('\n');
      const p = parseGoroutineDebug1(text);
      assert.deepEqual(p.sampleTypes, [{ type: 'goroutine', unit: 'count' }]);
      assert.deepEqual(sampleRows(p), [
        ' = 2',
        'main.worker:10;main.(*Pool).run[...]:20 = 3 [{"key":"job","str":"a\\tb"},{"key":"id","str":"A"}]',
      ]);
      assert.equal(p.locations.find((l) => l.lines.length === 0)?.address, 0x2000n);
      assert.equal(p.functions.find((f) => f.name === 'main.worker')?.filename, '/src/main.go');
    });

    it('accepts other count profiles (goroutineleak, threadcreate) and falls back to raw PCs', () => {
      const p = parseGoroutineDebug1('threadcreate profile: total 2\n2 @ 0x10 0x20\n\n');
      assert.equal(p.sampleTypes[0]!.type, 'threadcreate');
      assert.deepEqual(
        p.locations.map((l) => l.address),
        [0xfn, 0x1fn],
      );
    });

    it('rejects other text with a typed error', () => {
      assert.throws(() => parseGoroutineDebug1('<html>oops</html>'), ProfileFormatError);
      assert.throws(() => parseGoroutineDebug1('goroutine profile: total 1\nnonsense here\n'), /line 2/);
    });
  });

  describe('debug=2', () => {
    const dump = [
      'goroutine 1 [running]:',
      'main.main()',
      '\t/src/main.go:5 +0x1d',
      '',
      'goroutine 7 [chan send (leaked), 12 minutes]:',
      'main.(*Reader).loop(0xc000010000, {0x1, 0x2}, ...)',
      '\t/src/reader.go:42 +0x3f',
      'main.inlined(...)',
      '\t/src/reader.go:30',
      'created by main.startReaders in goroutine 1',
      '\t/src/reader.go:20 +0x85',
      '',
      'goroutine 9 [syscall, 3 minutes, locked to thread]:',
      'main.F[...](0x1)',
      '\tC:/src/gen.go:7 +0x11',
      '...additional frames elided...',
      'created by main.old',
      '\t/src/old.go:3 +0x5',
      '',
      'goroutine 10 gp=0xc000007c00 m=nil [select (no cases) (durable), synctest bubble 1 labels:{"k": "v"}]:',
      'panic({0x4b2f20?, 0x53b1a0?})',
      '\t/usr/lib/go/src/runtime/panic.go:787 +0x132',
      'main.g()',
      '\t/src/g.go:1 +0x1',
      '[originating from goroutine 3]:',
      'main.ancestor(...)',
      '\t/src/a.go:1',
      '',
    ].join('\n');

    it('parses ids, states, wait minutes, locks, leaks, labels, frames and created-by across Go versions', () => {
      const d = parseGoroutineDebug2(dump);
      assert.equal(d.goroutines.length, 4);
      const [g1, g7, g9, g10] = d.goroutines as [Goroutine, Goroutine, Goroutine, Goroutine];
      assert.deepEqual(
        { id: g1.id, state: g1.state, leaked: g1.leaked, createdBy: g1.createdBy },
        { id: 1, state: 'running', leaked: false, createdBy: undefined },
      );
      assert.deepEqual(g7, {
        id: 7,
        state: 'chan send',
        waitMinutes: 12,
        lockedToThread: false,
        leaked: true,
        frames: [
          { function: 'main.(*Reader).loop', file: '/src/reader.go', line: 42 },
          { function: 'main.inlined', file: '/src/reader.go', line: 30 },
        ],
        framesElided: false,
        createdBy: { function: 'main.startReaders', goroutineId: 1, file: '/src/reader.go', line: 20 },
      });
      assert.equal(g9.lockedToThread, true);
      assert.equal(g9.waitMinutes, 3);
      assert.equal(g9.framesElided, true);
      assert.deepEqual(g9.frames, [{ function: 'main.F[...]', file: 'C:/src/gen.go', line: 7 }]);
      assert.deepEqual(g9.createdBy, { function: 'main.old', file: '/src/old.go', line: 3 });
      assert.equal(g10.state, 'select (no cases) (durable)');
      assert.deepEqual(g10.labels, { k: 'v' });
      assert.deepEqual(
        g10.frames.map((f) => f.function),
        ['runtime.gopanic', 'main.g'],
      );
    });

    it('converts to a goroutine count profile grouped by stack', () => {
      const twice = dump + '\n' + dump.replace('goroutine 7 ', 'goroutine 8 ');
      const p = goroutineDumpToProfile(parseGoroutineDebug2(twice));
      const rows = sampleRows(p);
      assert.ok(rows.includes('main.(*Reader).loop:42;main.inlined:30 = 2'), rows.join('\n'));
      assert.ok(rows.includes('main.main:5 = 2'));
    });

    it('rejects input without goroutine headers and garbage inside a goroutine', () => {
      assert.throws(() => parseGoroutineDebug2('hello\nworld\n'), ProfileFormatError);
      assert.throws(() => parseGoroutineDebug2('goroutine 1 [running]:\n<b>not a frame</b>\n'), /line 2/);
    });
  });
});

describe('Go 1.26 goroutine leak profile (real program, GOEXPERIMENT=goroutineleakprofile)', () => {
  it('marks leaked goroutines in debug=2 and counts them alike in debug=0/1/2', async function () {
    this.timeout(180_000);
    const bin = await buildGoProgram({
      dir: path.join(repoRoot, 'testdata', 'goroutineleak-gen'),
      env: { GOEXPERIMENT: 'goroutineleakprofile' },
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'goroutineleak-'));
    try {
      await promisify(execFile)(bin, [dir], { timeout: 60_000 });
      const read = (n: string): Buffer => readFileSync(path.join(dir, n));
      const dump = parseGoroutineDebug2(read('leak.debug2.txt').toString('utf8'));
      const leaked = dump.goroutines.filter((g) => g.leaked);
      assert.equal(leaked.length, 3, JSON.stringify(dump.goroutines.map((g) => [g.id, g.state, g.leaked])));
      for (const g of leaked) {
        assert.equal(g.state, 'chan send');
        assert.equal(g.frames[0]?.function, 'main.leakSender.func1');
        assert.equal(g.createdBy?.function, 'main.leakSender');
        assert.equal(g.createdBy?.goroutineId, 1);
        assert.match(g.createdBy?.file ?? '', /goroutineleak-gen\/main\.go$/);
      }
      const locked = dump.goroutines.find((g) => g.frames.some((f) => f.function === 'main.lockedWaiter'));
      assert.ok(locked, 'the locked waiter is in the dump');
      assert.equal(locked.lockedToThread, true);
      assert.equal(locked.leaked, false);
      assert.equal(locked.state, 'chan receive');

      const text1 = parseGoroutineDebug1(read('leak.debug1.txt').toString('utf8'));
      assert.deepEqual(text1.sampleTypes, [{ type: 'goroutineleak', unit: 'count' }]);
      const proto = decodeProfile(read('leak.debug0.pb.gz'));
      const all = (): boolean => true;
      const fn = 'main.leakSender.func1';
      assert.equal(countsByFunction(proto, all).get(fn), 3);
      assert.equal(countsByFunction(text1, all).get(fn), 3);

      // go tool pprof reads the debug=1 text too (symbolizing the `@` PCs with the binary): same total and user-code
      // cum. Flat differs by design: pprof's stacks keep the runtime.gopark... leaf frames that Go leaves out of the
      // `#` frame lines we read, so there the blocked user function has flat 0.
      const go = parseGoPprofTop(
        runGoPprof([
          '-top',
          '-nodecount=1000000',
          '-nodefraction=0',
          '-edgefraction=0',
          bin,
          path.join(dir, 'leak.debug1.txt'),
        ]),
        '',
      );
      const report = topReport(text1, {});
      assert.equal(report.total, go.total);
      const user = (rows: { name: string; flat: number; cum: number }[]): string[] =>
        rows.filter((r) => r.name.startsWith('main.')).map((r) => `${r.name} ${r.cum}`);
      assert.deepEqual(user(report.functions), user(go.rows));
      assert.ok(user(go.rows).length >= 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
