import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeProfile } from '../../../src/core/pprof/decodeProfile';
import { parseGoroutineDebug2 } from '../../../src/core/pprof/goroutineText';
import { GoroutineSeries } from '../../../src/core/leak/goroutineGroups';
import { inferGoroutineState } from '../../../src/core/leak/goroutineState';
import type { Goroutine, GoroutineDump, GoroutineFrame } from '../../../src/core/pprof/goroutineText';
import { syntheticProfile } from './syntheticProfile';

const T0 = 1_700_000_000_000;
const f = (spec: string): GoroutineFrame => {
  const m = /^(.*)@(.*):(\d+)$/.exec(spec)!;
  return { function: m[1]!, file: m[2]!, line: Number(m[3]) };
};
const GOPARK = 'runtime.gopark@/go/src/runtime/proc.go:435';
const CHANRECV = 'runtime.chanrecv1@/go/src/runtime/chan.go:506';
const SELECT = 'runtime.selectgo@/go/src/runtime/select.go:351';
const LOCK = 'sync.(*Mutex).Lock@/go/src/sync/mutex.go:46';
const SEMA = 'sync.runtime_SemacquireMutex@/go/src/runtime/sema.go:95';
const READER = 'example.com/ecu/can.readFrames@/src/ecu/can/reader.go:57';
const RECONNECT = 'example.com/ecu/can.reconnect@/src/ecu/can/reader.go:80';
const WORKER = 'example.com/ecu/pool.worker@/src/ecu/pool/worker.go:21';
const POOLSTART = 'example.com/ecu/pool.Start@/src/ecu/pool/worker.go:12';
const LEDGER = 'example.com/ecu/ledger.(*Ledger).Add@/src/ecu/ledger/ledger.go:33';
const HANDLER = 'example.com/ecu/api.handle@/src/ecu/api/api.go:40';
const CONN = 'net/http.(*conn).serve@/go/src/net/http/server.go:2100';
const POLL = 'internal/poll.runtime_pollWait@/go/src/runtime/netpoll.go:351';
const SERVE = 'net/http.(*Server).Serve@/go/src/net/http/server.go:3360';

let nextId = 1;
function gs(n: number, state: string, stack: string[], createdBy: string, extra: Partial<Goroutine> = {}): Goroutine[] {
  return Array.from({ length: n }, () => ({
    id: nextId++,
    state,
    waitMinutes: 0,
    lockedToThread: false,
    leaked: false,
    frames: stack.map(f),
    framesElided: false,
    createdBy: f(createdBy),
    ...extra,
  }));
}
const dump = (...groups: Goroutine[][]): GoroutineDump => ({ goroutines: groups.flat() });

describe('leak/goroutineState', () => {
  it('infers the debug=2 state names from proto stacks', () => {
    assert.equal(
      inferGoroutineState(['runtime.gopark', 'runtime.chanrecv', 'runtime.chanrecv1', 'main.f']),
      'chan receive',
    );
    assert.equal(inferGoroutineState(['runtime.gopark', 'runtime.chansend1']), 'chan send');
    assert.equal(inferGoroutineState(['runtime.gopark', 'runtime.selectgo', 'main.f']), 'select');
    assert.equal(
      inferGoroutineState([
        'runtime.gopark',
        'runtime.goparkunlock',
        'sync.runtime_SemacquireMutex',
        'sync.(*Mutex).lockSlow',
        'sync.(*Mutex).Lock',
      ]),
      'sync.Mutex.Lock',
    );
    assert.equal(
      inferGoroutineState(['runtime.gopark', 'sync.runtime_SemacquireRWMutexR', 'sync.(*RWMutex).RLock']),
      'sync.RWMutex.RLock',
    );
    assert.equal(
      inferGoroutineState(['runtime.gopark', 'runtime.netpollblock', 'internal/poll.runtime_pollWait']),
      'IO wait',
    );
    assert.equal(inferGoroutineState(['runtime.gopark', 'time.Sleep']), 'sleep');
    assert.equal(
      inferGoroutineState(['runtime.gopark', 'sync.runtime_Semacquire', 'sync.(*WaitGroup).Wait']),
      'sync.WaitGroup.Wait',
    );
    assert.equal(inferGoroutineState(['runtime/pprof.writeGoroutineStacks', 'main.main']), 'running');
  });
});

describe('leak/goroutineGroups', () => {
  it('calls a steadily growing group blocked on a channel in user code a leak, and a flat worker pool stable', () => {
    const s = new GoroutineSeries();
    for (let i = 0; i < 10; i++) {
      s.add({
        timeMs: T0 + i * 2000,
        goroutineDump: dump(
          gs(10 * (i + 1), 'chan receive', [GOPARK, CHANRECV, READER], RECONNECT, { waitMinutes: i > 5 ? 2 : 0 }),
          gs(8, 'select', [GOPARK, SELECT, WORKER], POOLSTART),
          gs(3, 'IO wait', [GOPARK, POLL, CONN], SERVE),
        ),
      });
    }
    const a = s.analyze();
    assert.equal(a.total, 100 + 8 + 3);
    assert.equal(a.suspects.length, 1);
    const leak = a.suspects[0]!;
    assert.deepEqual(
      {
        function: leak.function,
        file: leak.file,
        line: leak.line,
        state: leak.state,
        createdBy: leak.createdBy,
        count: leak.count,
        verdict: leak.verdict,
        proven: leak.proven,
        maxWaitMinutes: leak.maxWaitMinutes,
      },
      {
        function: 'example.com/ecu/can.readFrames',
        file: '/src/ecu/can/reader.go',
        line: 57,
        state: 'chan receive',
        createdBy: { function: 'example.com/ecu/can.reconnect', file: '/src/ecu/can/reader.go', line: 80 },
        count: 100,
        verdict: 'leak',
        proven: false,
        maxWaitMinutes: 2,
      },
    );
    assert.ok(Math.abs(leak.slopePerMin - 300) < 1e-6); // 10 per 2 s
    const pool = a.groups.find((g) => g.function.endsWith('pool.worker'))!;
    assert.equal(pool.verdict, 'stable');
    assert.equal(pool.count, 8);
    // The HTTP connection goroutine has no user frame: grouped at its innermost standard-library frame.
    const conn = a.groups.find((g) => g.state === 'IO wait')!;
    assert.equal(conn.function, 'net/http.(*conn).serve');
    assert.equal(conn.userCode, false);
  });

  it("splits a leaking group by its goroutines' full stacks, each with its own count and growth", () => {
    const s = new GoroutineSeries();
    const RUN = 'example.com/ecu/can.run@/src/ecu/can/reader.go:40';
    const RETRY = 'example.com/ecu/can.retry@/src/ecu/can/reader.go:66';
    for (let i = 0; i < 10; i++) {
      s.add({
        timeMs: T0 + i * 2000,
        goroutineDump: dump(
          // One blocking line and creator, reached through two callers: run leaks 9 per snapshot, retry 1.
          gs(9 * (i + 1), 'chan receive', [GOPARK, CHANRECV, READER, RUN], RECONNECT),
          gs(i + 1, 'chan receive', [GOPARK, CHANRECV, READER, RETRY], RECONNECT),
          gs(8, 'select', [GOPARK, SELECT, WORKER], POOLSTART),
        ),
      });
    }
    const a = s.analyze();
    const leak = a.suspects[0]!;
    assert.equal(leak.count, 100);
    assert.equal(leak.stacksInWindow, 2);
    assert.deepEqual(
      leak.stacks.map((st) => [st.frames.map((x) => x.function).at(-1), st.count, st.growth]),
      [
        ['example.com/ecu/can.run', 90, 81],
        ['example.com/ecu/can.retry', 10, 9],
      ],
    );
    assert.ok(Math.abs(leak.stacks[0]!.slopePerMin - 270) < 1e-6);
    assert.deepEqual(leak.stacks[0]!.frames[2], {
      function: 'example.com/ecu/can.readFrames',
      file: '/src/ecu/can/reader.go',
      line: 57,
    });
    // The flat worker pool is not a suspect and carries no stacks.
    assert.deepEqual(a.groups.find((g) => g.function.endsWith('pool.worker'))!.stacks, []);
  });

  it('never calls a pool that grows and shrinks, or one that grows to its size and stays, a leak', () => {
    const s = new GoroutineSeries();
    const wave = [2, 10, 20, 30, 40, 30, 20, 10, 4, 2, 10, 20];
    const warm = [0, 10, 20, 30, 40, 40, 40, 40, 40, 40, 40, 40];
    for (let i = 0; i < wave.length; i++) {
      s.add({
        timeMs: T0 + i * 2000,
        goroutineDump: dump(
          gs(wave[i]!, 'chan receive', [GOPARK, CHANRECV, WORKER], POOLSTART),
          gs(warm[i]!, 'select', [GOPARK, SELECT, READER], RECONNECT),
        ),
      });
    }
    const a = s.analyze();
    assert.ok(
      !a.groups.some((g) => g.verdict === 'leak'),
      JSON.stringify(a.groups.map((g) => [g.function, g.verdict, g.reason])),
    );
    assert.equal(a.groups.find((g) => g.state === 'select')!.verdict, 'stable');
  });

  it('calls goroutines piling up on a mutex a leak', () => {
    const s = new GoroutineSeries();
    for (let i = 0; i < 8; i++) {
      s.add({
        timeMs: T0 + i * 5000,
        goroutineDump: dump(gs(1 + 3 * i, 'sync.Mutex.Lock', [GOPARK, SEMA, LOCK, LEDGER, HANDLER], SERVE)),
      });
    }
    const g = s.analyze().suspects[0]!;
    assert.equal(g.function, 'example.com/ecu/ledger.(*Ledger).Add');
    assert.equal(g.state, 'sync.Mutex.Lock');
    assert.equal(g.verdict, 'leak');
  });

  it('calls growth outside user code or in a non-blocking state growing, not leak', () => {
    const s = new GoroutineSeries();
    for (let i = 0; i < 8; i++)
      s.add({ timeMs: T0 + i * 2000, goroutineDump: dump(gs(5 + 5 * i, 'IO wait', [GOPARK, POLL, CONN], SERVE)) });
    const g = s.analyze().suspects[0]!;
    assert.equal(g.verdict, 'growing');
    assert.match(g.reason, /not blocked/);
  });

  it('marks a group the goroutineleak profile lists as a proven leak even with a flat count', () => {
    const s = new GoroutineSeries();
    for (let i = 0; i < 3; i++) {
      const readers = gs(4, 'chan receive', [GOPARK, CHANRECV, READER], RECONNECT);
      s.add({
        timeMs: T0 + i * 2000,
        goroutineDump: dump(readers, gs(8, 'select', [GOPARK, SELECT, WORKER], POOLSTART)),
        ...(i === 2 ? { goroutineLeak: dump(readers.map((g) => ({ ...g, leaked: true }))) } : {}),
      });
    }
    const a = s.analyze();
    assert.equal(a.suspects.length, 1);
    assert.equal(a.suspects[0]!.proven, true);
    assert.equal(a.suspects[0]!.verdict, 'leak');
    assert.equal(a.groups.find((g) => g.function.endsWith('pool.worker'))!.proven, false);
  });

  it('reads proto goroutine profiles: inferred state, counts, pprof labels, and creators learned from dumps', () => {
    const s = new GoroutineSeries();
    const types = [{ type: 'goroutine', unit: 'count' }];
    const stack = [
      'runtime.gopark@/go/src/runtime/proc.go:435',
      'runtime.chanrecv@/go/src/runtime/chan.go:664',
      'runtime.chanrecv1@/go/src/runtime/chan.go:506',
      'example.com/ecu/can.readFrames@/src/ecu/can/reader.go:57',
      'runtime.goexit@/go/src/runtime/asm_amd64.s:1700',
    ];
    // First a dump, so the series learns who creates the readers; then proto-only snapshots.
    s.add({ timeMs: T0, goroutineDump: dump(gs(2, 'chan receive', [GOPARK, CHANRECV, READER], RECONNECT)) });
    for (let i = 1; i < 8; i++) {
      const rows = Array.from({ length: 4 }, (_, k) => ({
        stack,
        values: [i * 2],
        labels: [{ key: 'can_id', str: `0x${(0x100 + k).toString(16)}` }],
      }));
      s.add({
        timeMs: T0 + i * 2000,
        goroutines: syntheticProfile(rows, { sampleTypes: types, periodType: types[0]!, period: 1 }),
      });
    }
    const a = s.analyze();
    assert.equal(a.groups.length, 1);
    const g = a.groups[0]!;
    assert.equal(g.state, 'chan receive');
    assert.equal(g.count, 56);
    assert.deepEqual(g.series, [2, 8, 16, 24, 32, 40, 48, 56]);
    assert.equal(g.createdBy?.function, 'example.com/ecu/can.reconnect');
    assert.deepEqual(g.labels, { can_id: ['0x100', '0x101', '0x102', '0x103'] });
    assert.equal(g.verdict, 'leak');
  });

  it('adds proto labels to dump groups with the same blocking frame and state', () => {
    const s = new GoroutineSeries();
    const types = [{ type: 'goroutine', unit: 'count' }];
    s.add({
      timeMs: T0,
      goroutineDump: dump(gs(3, 'chan receive', [GOPARK, CHANRECV, READER], RECONNECT)),
      goroutines: syntheticProfile(
        [{ stack: [CHANRECV, READER], values: [3], labels: [{ key: 'can_id', str: '0x7e0' }] }],
        { sampleTypes: types, periodType: types[0]!, period: 1 },
      ),
    });
    const g = s.analyze().groups[0]!;
    assert.equal(g.count, 3);
    assert.deepEqual(g.labels, { can_id: ['0x7e0'] });
  });

  it('never calls a pool whose size wanders within a band narrower than minGrowth a leak (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 20, max: 29 }), { minLength: 2, maxLength: 20 }), (sizes) => {
        const s = new GoroutineSeries();
        sizes.forEach((n, i) =>
          s.add({
            timeMs: T0 + i * 2000,
            goroutineDump: dump(gs(n, 'chan receive', [GOPARK, CHANRECV, WORKER], POOLSTART)),
          }),
        );
        return s.analyze().groups.every((g) => g.verdict !== 'leak');
      }),
      { numRuns: 1000 },
    );
  });

  it('ignores snapshots without goroutine data and rejects out-of-order times', () => {
    const s = new GoroutineSeries();
    s.add({ timeMs: T0 });
    assert.equal(s.length, 0);
    s.add({ timeMs: T0, goroutineDump: dump() });
    assert.throws(() => s.add({ timeMs: T0 - 1, goroutineDump: dump() }), RangeError);
    assert.equal(s.analyze().total, 0);
  });
});

describe('leak/goroutineGroups on real goroutine profiles (corpus triplets)', () => {
  // The same process captured as debug=0 (proto) and debug=2 (text) at nearly the same moment. The proto profile
  // has no states or creators, so groups are compared by (state, blocking frame) with counts summed: the states
  // inferred from proto stacks must match what the runtime printed.
  const dir = path.resolve(__dirname, '../../..', '../shared/corpus/profiles/goroutine-triplets');
  for (const prefix of ['1.net.http.pprof', '1.pprof.lookup']) {
    it(`agrees between proto and debug=2 for ${prefix}`, () => {
      const byKey = (s: GoroutineSeries) => {
        const m = new Map<string, number>();
        for (const g of s.analyze().groups) {
          // The running goroutine is the one writing the profile: a different writer function per format.
          if (g.state === 'running') continue;
          const k = `${g.state} ${g.function}:${g.line}`;
          m.set(k, (m.get(k) ?? 0) + g.count);
        }
        return [...m].sort();
      };
      const fromDump = new GoroutineSeries();
      fromDump.add({
        timeMs: T0,
        goroutineDump: parseGoroutineDebug2(readFileSync(path.join(dir, `${prefix}.goroutine.debug2.txt`), 'utf8')),
      });
      const fromProto = new GoroutineSeries();
      fromProto.add({
        timeMs: T0,
        goroutines: decodeProfile(readFileSync(path.join(dir, `${prefix}.goroutine.debug0.pb.gz`))),
      });
      const d = byKey(fromDump);
      assert.deepEqual(byKey(fromProto), d);
      assert.ok(d.some(([k]) => k === 'chan receive main.chanReceiveForever:177'));
      // The dump knows creators, so goroutines at one line started from two places are two groups there.
      assert.ok(fromDump.analyze().groups.length >= fromProto.analyze().groups.length);
    });
  }
});
