import type { Label, Location, Profile, ProfileFunction } from '../../../src/core/pprof/profileModel';
import { sampleTableFromRows } from '../../../src/core/pprof/profileModel';

/** A frame written as `function@file:line`, e.g. `main.leak@/src/main.go:12`. */
export type FrameSpec = string;

/** One synthetic sample: its stack (leaf first), its values and optional labels. */
export interface RowSpec {
  stack: FrameSpec[];
  values: number[];
  labels?: Label[];
}

/** The four sample types of a Go heap profile, in Go's order. */
export const HEAP_TYPES = [
  { type: 'alloc_objects', unit: 'count' },
  { type: 'alloc_space', unit: 'bytes' },
  { type: 'inuse_objects', unit: 'count' },
  { type: 'inuse_space', unit: 'bytes' },
];

/**
 * Builds a resolved Profile from readable rows, for tests of code that consumes profiles. Each distinct frame
 * becomes one location with one line; `inline` groups (frames joined by `|`) become one location with several lines.
 */
export function syntheticProfile(
  rows: RowSpec[],
  opts: {
    sampleTypes?: { type: string; unit: string }[];
    period?: number;
    periodType?: { type: string; unit: string };
  } = {},
): Profile {
  const sampleTypes = opts.sampleTypes ?? HEAP_TYPES;
  const functions: ProfileFunction[] = [];
  const fnByName = new Map<string, ProfileFunction>();
  const locations: Location[] = [];
  const locByKey = new Map<string, number>();
  const fn = (name: string, file: string) => {
    let f = fnByName.get(`${name} ${file}`);
    if (!f) {
      f = { id: functions.length + 1, name, systemName: name, filename: file, startLine: 0 };
      functions.push(f);
      fnByName.set(`${name} ${file}`, f);
    }
    return f;
  };
  const loc = (spec: string) => {
    let i = locByKey.get(spec);
    if (i === undefined) {
      const lines = spec.split('|').map((one) => {
        const m = /^(.*)@(.*):(\d+)$/.exec(one);
        if (!m) throw new Error(`bad frame spec ${one}`);
        return { function: fn(m[1]!, m[2]!), line: Number(m[3]), column: 0 };
      });
      i = locations.length;
      locations.push({ id: i + 1, mapping: undefined, address: BigInt(0x1000 + i * 16), lines, isFolded: false });
      locByKey.set(spec, i);
    }
    return i;
  };
  const samples = sampleTableFromRows(
    rows.map((r) => ({ stack: r.stack.map(loc), values: r.values, ...(r.labels ? { labels: r.labels } : {}) })),
    sampleTypes.length,
  );
  return {
    sampleTypes,
    samples,
    mappings: [],
    locations,
    functions,
    dropFrames: '',
    keepFrames: '',
    timeNanos: 0n,
    durationNanos: 0n,
    periodType: opts.periodType ?? { type: 'space', unit: 'bytes' },
    period: opts.period ?? 524288,
    comments: [],
    defaultSampleType: '',
  };
}

/** Shorthand for a heap row: in-use bytes/objects with alloc figures defaulting to the in-use ones. */
export function heapRow(
  stack: FrameSpec[],
  inuseSpace: number,
  inuseObjects = 1,
  allocSpace = inuseSpace,
  allocObjects = inuseObjects,
): RowSpec {
  return { stack, values: [allocObjects, allocSpace, inuseObjects, inuseSpace] };
}
