import { ProfileMismatchError } from './profileErrors';
import type { Label, Line, Location, Mapping, Profile, ProfileFunction, ValueType } from './profileModel';
import { SampleTableBuilder } from './sampleTableBuilder';

/**
 * Merges profiles into one new profile the way google/pprof's `profile.Merge` does:
 * - sample types and period type must be identical (else {@link ProfileMismatchError});
 * - samples are keyed by their stack of merged locations plus their labels, and their values summed;
 * - all-zero samples are dropped (input ones skipped, and a second pass removes samples that summed to zero);
 * - mappings, functions and locations are deduplicated across inputs with pprof's keys (mapping: size rounded up to
 *   4 KiB + offset + build id or file; function: name, system name, file, start line; location: address relative to
 *   its mapping start, mapping, lines, folded flag), renumbered from 1 in order of first use, and unused ones dropped;
 * - header: sample/period types, drop/keep frames from the first profile; period = maximum; duration = sum;
 *   time = pprof's "earliest" rule; comments deduplicated; the first non-empty default sample type.
 */
export function merge(srcs: readonly Profile[]): Profile {
  const first = srcs[0];
  if (first === undefined) throw new ProfileMismatchError('no profiles to merge');
  for (const s of srcs.slice(1)) checkCompatible(first, s);
  const merged = mergeOnce(srcs, first);
  for (let i = 0; i < merged.samples.count; i++) {
    if (isZeroSample(merged, i)) return mergeOnce([merged], merged);
  }
  return merged;
}

/** Throws {@link ProfileMismatchError} unless two profiles have the same period type and sample types, as pprof's `compatible`. */
export function checkCompatible(a: Profile, b: Profile): void {
  if (!equalValueType(a.periodType, b.periodType)) {
    throw new ProfileMismatchError(`incompatible period types ${fmtType(a.periodType)} and ${fmtType(b.periodType)}`);
  }
  const same =
    a.sampleTypes.length === b.sampleTypes.length && a.sampleTypes.every((t, i) => equalValueType(t, b.sampleTypes[i]));
  if (!same) {
    throw new ProfileMismatchError(
      `incompatible sample types [${a.sampleTypes.map(fmtType).join(' ')}] and [${b.sampleTypes.map(fmtType).join(' ')}]`,
    );
  }
}

function fmtType(t: ValueType | undefined): string {
  return t ? `${t.type}/${t.unit}` : '<none>';
}

function equalValueType(a: ValueType | undefined, b: ValueType | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.type === b.type && a.unit === b.unit;
}

function isZeroSample(p: Profile, i: number): boolean {
  const t = p.sampleTypes.length;
  for (let j = 0; j < t; j++) if (p.samples.values[i * t + j] !== 0) return false;
  return true;
}

interface MapInfo {
  m: Mapping | undefined;
  offset: bigint;
}

const U64 = (x: bigint): bigint => BigInt.asUintN(64, x);

function mergeOnce(srcs: readonly Profile[], first: Profile): Profile {
  const t = first.sampleTypes.length;
  const mappings: Mapping[] = [];
  const functions: ProfileFunction[] = [];
  const locations: Location[] = [];
  const mappingByKey = new Map<string, Mapping>();
  const functionByKey = new Map<string, ProfileFunction>();
  const locationByKey = new Map<string, number>();
  const out = new SampleTableBuilder(
    t,
    srcs.reduce((n, s) => Math.max(n, s.samples.count), 0),
  );
  const samples = new SampleIndex(out);
  let stackBuf = new Uint32Array(64);

  for (const src of srcs) {
    const mappingsBySrc = new Map<Mapping, MapInfo>();
    const functionsBySrc = new Map<ProfileFunction, ProfileFunction>();
    const locationsBySrc = new Int32Array(src.locations.length).fill(-1);

    const mapMapping = (m: Mapping | undefined): MapInfo => {
      if (m === undefined) return { m: undefined, offset: 0n };
      const known = mappingsBySrc.get(m);
      if (known) return known;
      const k = mappingKey(m);
      const existing = mappingByKey.get(k);
      if (existing) {
        const mi = { m: existing, offset: existing.memoryStart - m.memoryStart };
        mappingsBySrc.set(m, mi);
        return mi;
      }
      const nm: Mapping = { ...m, id: mappings.length + 1 };
      mappings.push(nm);
      mappingByKey.set(k, nm);
      const mi = { m: nm, offset: 0n };
      mappingsBySrc.set(m, mi);
      return mi;
    };

    const mapFunction = (f: ProfileFunction): ProfileFunction => {
      const known = functionsBySrc.get(f);
      if (known) return known;
      const k = `${f.startLine}\u0000${f.name}\u0000${f.systemName}\u0000${f.filename}`;
      let nf = functionByKey.get(k);
      if (!nf) {
        nf = { ...f, id: functions.length + 1 };
        functions.push(nf);
        functionByKey.set(k, nf);
      }
      functionsBySrc.set(f, nf);
      return nf;
    };

    const mapLocation = (li: number): number => {
      const known = locationsBySrc[li]!;
      if (known >= 0) return known;
      const l = src.locations[li]!;
      const mi = mapMapping(l.mapping);
      const lines: Line[] = l.lines.map((ln) => ({
        function: mapFunction(ln.function),
        line: ln.line,
        column: ln.column,
      }));
      const address = U64(l.address + mi.offset);
      const k = locationKey(address, mi.m, lines, l.isFolded);
      let idx = locationByKey.get(k);
      if (idx === undefined) {
        idx = locations.length;
        locations.push({ id: idx + 1, mapping: mi.m, address, lines, isFolded: l.isFolded });
        locationByKey.set(k, idx);
      }
      locationsBySrc[li] = idx;
      return idx;
    };

    if (mappings.length === 0 && src.mappings.length > 0) mapMapping(src.mappings[0]);

    const st = src.samples;
    for (let i = 0; i < st.count; i++) {
      if (isZeroSample(src, i)) continue;
      const a = st.stackStart[i]!;
      const n = st.stackStart[i + 1]! - a;
      if (stackBuf.length < n) stackBuf = new Uint32Array(n * 2);
      for (let k = 0; k < n; k++) stackBuf[k] = mapLocation(st.locIndex[a + k]!);
      const stack = stackBuf.subarray(0, n);
      const labels = st.labels[i];
      const lk = labels ? labelsKey(labels) : '';
      const existing = samples.find(stack, lk);
      if (existing !== undefined) {
        out.addValues(existing, st.values, i * t);
      } else {
        samples.insert(stack, lk, out.add(stack, st.values, labels, i * t));
      }
    }
  }

  let timeNanos = 0n;
  let durationNanos = 0n;
  let period = 0;
  const comments: string[] = [];
  const seen = new Set<string>();
  let defaultSampleType = '';
  for (const s of srcs) {
    if (timeNanos === 0n || s.timeNanos < timeNanos) timeNanos = s.timeNanos;
    durationNanos += s.durationNanos;
    if (period === 0 || period < s.period) period = s.period;
    for (const c of s.comments) {
      if (!seen.has(c)) {
        seen.add(c);
        comments.push(c);
      }
    }
    if (defaultSampleType === '') defaultSampleType = s.defaultSampleType;
  }

  return {
    sampleTypes: first.sampleTypes.map((v) => ({ ...v })),
    samples: out.build(),
    mappings,
    locations,
    functions,
    dropFrames: first.dropFrames,
    keepFrames: first.keepFrames,
    timeNanos,
    durationNanos,
    periodType: first.periodType ? { ...first.periodType } : undefined,
    period,
    comments,
    defaultSampleType,
  };
}

function mappingKey(m: Mapping): string {
  const rounding = 0x1000n;
  let size = U64(m.memoryLimit - m.memoryStart);
  size = U64(size + rounding - 1n);
  size = size - (size % rounding);
  const id = m.buildId !== '' ? m.buildId : m.file;
  return `${size}\u0000${m.fileOffset}\u0000${id}`;
}

/**
 * pprof's `Location.key()`. It fills a `3n`-slot array at `2i, 2i+1, 2i+2`, so with several lines a function id
 * overwrites the previous line's column; we reproduce that so that locations dedupe exactly as in pprof.
 */
function locationKey(address: bigint, m: Mapping | undefined, lines: readonly Line[], isFolded: boolean): string {
  const addr = m ? U64(address - m.memoryStart) : address;
  const parts = new Array<string>(lines.length * 3).fill('');
  lines.forEach((ln, i) => {
    parts[i * 2] = ln.function.id.toString(16);
    parts[i * 2 + 1] = ln.line.toString(16);
    parts[i * 2 + 2] = ln.column.toString(16);
  });
  return `${addr}\u0000${m ? m.id : 0}\u0000${isFolded ? 1 : 0}\u0000${parts.join('|')}`;
}

/** A canonical text for a sample's labels, grouped by key and sorted like pprof's `sampleKey`. */
export function labelsKey(labels: readonly Label[]): string {
  // Fast path: heap profiles carry exactly one numeric `bytes` label on nearly every sample.
  if (labels.length === 1) {
    const l = labels[0]!;
    return l.str !== undefined
      ? `s\u0000${l.key}\u0000${l.str}`
      : `n\u0000${l.key}\u0000${l.num ?? 0}\u0000${l.numUnit ?? ''}`;
  }
  const str = new Map<string, string[]>();
  const num = new Map<string, { v: number[]; u: string[] }>();
  for (const l of labels) {
    if (l.str !== undefined) {
      const a = str.get(l.key);
      if (a) a.push(l.str);
      else str.set(l.key, [l.str]);
    } else {
      const e = num.get(l.key) ?? { v: [], u: [] };
      e.v.push(l.num ?? 0);
      e.u.push(l.numUnit ?? '');
      num.set(l.key, e);
    }
  }
  const sortedStr = [...str.entries()].sort((a, b) => cmp(a[0], b[0]));
  const sortedNum = [...num.entries()]
    .sort((a, b) => cmp(a[0], b[0]))
    .map(([k, e]) => [k, e.v, e.u.every((u) => u === '') ? [] : e.u] as const);
  return JSON.stringify([sortedStr, sortedNum]);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Finds merged samples by (stack of merged location indexes, label key) without building a string per sample:
 * a numeric hash picks a bucket, and candidates are compared element-wise against the builder's stored stacks.
 */
class SampleIndex {
  private readonly buckets = new Map<number, number | number[]>();
  private readonly labelKeys: string[] = [];

  constructor(private readonly out: SampleTableBuilder) {}

  find(stack: Uint32Array, labelKey: string): number | undefined {
    const b = this.buckets.get(hashStack(stack, labelKey));
    if (b === undefined) return undefined;
    if (typeof b === 'number') return this.matches(b, stack, labelKey) ? b : undefined;
    for (const s of b) if (this.matches(s, stack, labelKey)) return s;
    return undefined;
  }

  insert(stack: Uint32Array, labelKey: string, sample: number): void {
    this.labelKeys[sample] = labelKey;
    const h = hashStack(stack, labelKey);
    const b = this.buckets.get(h);
    if (b === undefined) this.buckets.set(h, sample);
    else if (typeof b === 'number') this.buckets.set(h, [b, sample]);
    else b.push(sample);
  }

  private matches(sample: number, stack: Uint32Array, labelKey: string): boolean {
    return this.labelKeys[sample] === labelKey && this.out.stackEquals(sample, stack);
  }
}

function hashStack(stack: Uint32Array, labelKey: string): number {
  let h = 0x811c9dc5 ^ stack.length;
  for (let k = 0; k < stack.length; k++) h = Math.imul(h ^ stack[k]!, 0x01000193);
  for (let k = 0; k < labelKey.length; k++) h = Math.imul(h ^ labelKey.charCodeAt(k), 0x01000193);
  return h >>> 0;
}
