/**
 * The resolved, columnar in-memory form of a pprof profile that every pprof operation works on.
 *
 * Samples are stored column-wise (typed arrays) because real heap profiles have hundreds of
 * thousands of them and one JS object per sample dominates decode time and memory (see FACTS.md).
 * Locations, functions and mappings are few, so they are plain objects with ids resolved to references.
 */

/** A sample type or period type, such as `inuse_space/bytes`. */
export interface ValueType {
  type: string;
  unit: string;
}

/** A binary or shared object mapped into the profiled process. */
export interface Mapping {
  id: number;
  memoryStart: bigint;
  memoryLimit: bigint;
  fileOffset: bigint;
  file: string;
  buildId: string;
  hasFunctions: boolean;
  hasFilenames: boolean;
  hasLineNumbers: boolean;
  hasInlineFrames: boolean;
}

/** A source function, with the file it lives in. */
export interface ProfileFunction {
  id: number;
  name: string;
  systemName: string;
  filename: string;
  startLine: number;
}

/** One frame of a location: a function and the line within it. */
export interface Line {
  function: ProfileFunction;
  line: number;
  column: number;
}

/** A program counter with its symbolized frames, innermost (inlined) first as pprof orders them. */
export interface Location {
  id: number;
  mapping: Mapping | undefined;
  address: bigint;
  lines: Line[];
  isFolded: boolean;
}

/** A sample label: a string value, or a number with an optional unit. */
export interface Label {
  key: string;
  str?: string;
  num?: number;
  numUnit?: string;
}

/** The columnar sample table: sample i has stack `locIndex[stackStart[i] .. stackStart[i+1])` and values `values[i*types .. (i+1)*types)`. */
export interface SampleTable {
  /** Number of samples. */
  count: number;
  /** Row-major values, `count * sampleTypes.length` long. */
  values: Float64Array;
  /** Offsets into `locIndex`, `count + 1` long. */
  stackStart: Uint32Array;
  /** Indexes into `Profile.locations`, leaf first within each sample. */
  locIndex: Uint32Array;
  /** Labels per sample; `undefined` for a sample without labels (the common case). */
  labels: (Label[] | undefined)[];
}

/** A whole profile, with every string-table index and id resolved. */
export interface Profile {
  sampleTypes: ValueType[];
  samples: SampleTable;
  mappings: Mapping[];
  locations: Location[];
  functions: ProfileFunction[];
  dropFrames: string;
  keepFrames: string;
  timeNanos: bigint;
  durationNanos: bigint;
  periodType: ValueType | undefined;
  period: number;
  comments: string[];
  /** The `default_sample_type` name, or `''` when unset. */
  defaultSampleType: string;
}

/** Builds a sample table from row arrays; convenient for tests and small profiles, not for decoding. */
export function sampleTableFromRows(
  rows: { stack: number[]; values: number[]; labels?: Label[] }[],
  numTypes: number,
): SampleTable {
  const values = new Float64Array(rows.length * numTypes);
  const stackStart = new Uint32Array(rows.length + 1);
  let total = 0;
  for (const r of rows) total += r.stack.length;
  const locIndex = new Uint32Array(total);
  const labels: (Label[] | undefined)[] = new Array(rows.length);
  let off = 0;
  rows.forEach((r, i) => {
    if (r.values.length !== numTypes) throw new RangeError(`row ${i} has ${r.values.length} values, want ${numTypes}`);
    values.set(r.values, i * numTypes);
    stackStart[i] = off;
    locIndex.set(r.stack, off);
    off += r.stack.length;
    labels[i] = r.labels && r.labels.length > 0 ? r.labels : undefined;
  });
  stackStart[rows.length] = off;
  return { count: rows.length, values, stackStart, locIndex, labels };
}

/** Returns the location indexes of sample `i`, leaf first, as a view (no copy). */
export function sampleStack(t: SampleTable, i: number): Uint32Array {
  return t.locIndex.subarray(t.stackStart[i]!, t.stackStart[i + 1]!);
}

/** Picks the sample type index pprof uses by default: `default_sample_type` if set, else the last type. */
export function defaultSampleIndex(p: Profile): number {
  if (p.defaultSampleType !== '') {
    const i = p.sampleTypes.findIndex((t) => t.type === p.defaultSampleType);
    if (i >= 0) return i;
  }
  return p.sampleTypes.length - 1;
}
