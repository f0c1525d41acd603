import assert from 'node:assert/strict';
import type { Location, Profile, ProfileFunction } from '../../../src/core/pprof/profileModel';
import { sampleTableFromRows } from '../../../src/core/pprof/profileModel';
import { MAX_TOP_ROWS, profileTopModel } from '../../../src/views/profileTopModel';

function syntheticProfile(n: number): Profile {
  const functions: ProfileFunction[] = [];
  const locations: Location[] = [];
  for (let i = 0; i < n; i++) {
    const fn = {
      id: i + 1,
      name: `main.f${i}`,
      systemName: `main.f${i}`,
      filename: `/src/f${i}.go`,
      startLine: 10 + i,
    };
    functions.push(fn);
    locations.push({
      id: i + 1,
      mapping: undefined,
      address: 0n,
      lines: [{ function: fn, line: 12 + i, column: 0 }],
      isFolded: false,
    });
  }
  // Sample i is main.f{i} called from main.f0, worth i+1 objects and (i+1)*100 bytes.
  const rows = Array.from({ length: n }, (_, i) => ({ stack: i === 0 ? [0] : [i, 0], values: [i + 1, (i + 1) * 100] }));
  return {
    sampleTypes: [
      { type: 'inuse_objects', unit: 'count' },
      { type: 'inuse_space', unit: 'bytes' },
    ],
    samples: sampleTableFromRows(rows, 2),
    mappings: [],
    locations,
    functions,
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

describe('profileTopModel', () => {
  it('ranks functions by flat with cum counted once per sample, and carries each start line', () => {
    const m = profileTopModel(syntheticProfile(4), 1, 'x.pb.gz');
    assert.equal(m.total, 1000);
    assert.deepEqual(
      m.rows.map((r) => [r.name, r.flat, r.cum, r.file, r.line]),
      [
        ['main.f3', 400, 400, '/src/f3.go', 13],
        ['main.f2', 300, 300, '/src/f2.go', 12],
        ['main.f1', 200, 200, '/src/f1.go', 11],
        ['main.f0', 100, 1000, '/src/f0.go', 10],
      ],
    );
    assert.deepEqual(m.sampleTypes, [
      { type: 'inuse_objects', unit: 'count' },
      { type: 'inuse_space', unit: 'bytes' },
    ]);
    assert.equal(profileTopModel(syntheticProfile(4), 0, 'x').total, 10);
  });

  it('has one row per source line on request, as pprof -top -lines', () => {
    const m = profileTopModel(syntheticProfile(3), 1, 'x', false, 'line');
    assert.equal(m.granularity, 'line');
    assert.deepEqual(
      m.rows.map((r) => [r.name, r.file, r.line, r.flat, r.cum]),
      [
        ['main.f2', '/src/f2.go', 14, 300, 300],
        ['main.f1', '/src/f1.go', 13, 200, 200],
        ['main.f0', '/src/f0.go', 12, 100, 600],
      ],
    );
  });

  it('caps the rows sent to the webview and says how many were left out', () => {
    const m = profileTopModel(syntheticProfile(MAX_TOP_ROWS + 5), 1, 'big');
    assert.equal(m.rows.length, MAX_TOP_ROWS);
    assert.equal(m.omittedRows, 5);
    assert.equal(m.rows[0]!.name, `main.f${MAX_TOP_ROWS + 4}`);
  });
});
