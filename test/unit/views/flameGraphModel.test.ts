import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { aggregateByFunction } from '../../../src/core/pprof/aggregate';
import { decodeProfile } from '../../../src/core/pprof/decodeProfile';
import type { Location, Profile, ProfileFunction } from '../../../src/core/pprof/profileModel';
import { defaultSampleIndex, sampleTableFromRows } from '../../../src/core/pprof/profileModel';
import type { FlameNode } from '../../../src/views/dashboardMessages';
import { flameGraphModel } from '../../../src/views/flameGraphModel';

const corpus = path.resolve(__dirname, '../../../../shared/corpus/profiles');

function fn(id: number, name: string): ProfileFunction {
  return { id, name, systemName: name, filename: `/src/${name}.go`, startLine: 1 };
}

/** main.main -> main.work (inlining main.helper) -> main.alloc, plus main.main -> main.idle. */
function smallProfile(): Profile {
  const [main, work, helper, alloc, idle] = ['main.main', 'main.work', 'main.helper', 'main.alloc', 'main.idle'].map(
    (n, i) => fn(i + 1, n),
  ) as [ProfileFunction, ProfileFunction, ProfileFunction, ProfileFunction, ProfileFunction];
  const loc = (id: number, ...fns: ProfileFunction[]): Location => ({
    id,
    mapping: undefined,
    address: BigInt(id),
    lines: fns.map((f) => ({ function: f, line: 1, column: 0 })),
    isFolded: false,
  });
  // Location 1 holds helper inlined into work: lines innermost first.
  const locations = [loc(1, main), loc(2, helper, work), loc(3, alloc), loc(4, idle)];
  return {
    sampleTypes: [{ type: 'alloc_space', unit: 'bytes' }],
    samples: sampleTableFromRows(
      [
        { stack: [2, 1, 0], values: [70] },
        { stack: [1, 0], values: [10] },
        { stack: [3, 0], values: [20] },
        { stack: [3, 0], values: [0] },
      ],
      1,
    ),
    mappings: [],
    locations,
    functions: [main, work, helper, alloc, idle],
    dropFrames: '',
    keepFrames: '',
    timeNanos: 0n,
    durationNanos: 0n,
    periodType: undefined,
    period: 0,
    comments: [],
    defaultSampleType: '',
  };
}

const shape = (n: FlameNode): unknown => [n.name, n.value, n.self, n.children.map(shape)];

function walk(n: FlameNode, visit: (n: FlameNode) => void): void {
  visit(n);
  for (const c of n.children) walk(c, visit);
}

describe('flameGraphModel', () => {
  it('builds the call tree from the root down, inlined frames outermost first', () => {
    assert.deepEqual(shape(flameGraphModel(smallProfile(), 0)), [
      'root',
      100,
      0,
      [
        [
          'main.main',
          100,
          0,
          [
            ['main.work', 80, 0, [['main.helper', 80, 10, [['main.alloc', 70, 70, []]]]]],
            ['main.idle', 20, 20, []],
          ],
        ],
      ],
    ]);
  });

  it('keeps within the node budget, folding the smallest nodes into their parents', () => {
    const t = flameGraphModel(smallProfile(), 0, { maxNodes: 4 });
    const names: string[] = [];
    walk(t, (n) => names.push(n.name));
    // Values 100, 80, 80, 70, 20: the fourth largest (70) is the cut, so alloc and idle go.
    assert.deepEqual(names, ['root', 'main.main', 'main.work', 'main.helper']);
    assert.equal(t.value, 100);
    assert.equal(t.children[0]!.value, 100);
  });

  it('agrees with pprof -top flat on a real profile: a function flat is the self of its nodes', () => {
    const p = decodeProfile(readFileSync(path.join(corpus, 'tinkerrogue-heap.pb.gz')));
    const si = defaultSampleIndex(p);
    const tree = flameGraphModel(p, si, { maxNodes: Number.MAX_SAFE_INTEGER, minFraction: 0 });
    const self = new Map<string, number>();
    let consistent = true;
    walk(tree, (n) => {
      if (n !== tree) self.set(n.name, (self.get(n.name) ?? 0) + n.self);
      const sum = n.self + n.children.reduce((s, c) => s + c.value, 0);
      if (Math.abs(sum - n.value) > 1e-6) consistent = false;
    });
    assert.ok(consistent, 'a node value is not self plus its children');
    const agg = aggregateByFunction(p, si);
    assert.ok(agg.rows.length > 10);
    for (const r of agg.rows) assert.equal(self.get(r.name) ?? 0, r.flat, r.name);
  });
});
