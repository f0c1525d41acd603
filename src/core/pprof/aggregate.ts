/**
 * Per-function and per-line flat/cum aggregation with `go tool pprof -top` semantics (and `-top -lines`).
 *
 * pprof's report first aggregates the profile to the requested granularity, which for functions clears
 * file names, line numbers and addresses, then builds one graph node per distinct NodeInfo. Each line of
 * a location (inlined frames included) is its own node. A sample adds its value to the cum of every
 * distinct node on its stack once, and to the flat of its leaf node (first line of the first location).
 * Node keys are interned to integers once per profile so the sample loop only touches typed arrays.
 */
import { posix } from 'node:path';
import { pprofDisplayName } from './displayName';
import type { Location, Profile, ProfileFunction } from './profileModel';

/** Flat and cum of one function (pprof's `-top` row). */
export interface FunctionStat {
  /** The function name as pprof prints it (`[binary]` or `<unknown>` for frames without a function name). */
  name: string;
  /** The function's source file; when same-named functions live in several files (pprof merges them), the first one's. */
  file: string;
  flat: number;
  cum: number;
}

/** Flat and cum of one source line (pprof's `-top -lines` row). */
export interface LineStat {
  /** The function name, as in {@link FunctionStat.name}. */
  name: string;
  /** The source file, cleaned as pprof prints it. */
  file: string;
  line: number;
  /** pprof's printable name, e.g. `main.f /src/main.go:12`. */
  label: string;
  flat: number;
  cum: number;
}

/** The result of an aggregation: rows with a non-zero flat or cum in pprof's `-top` order, and the report total. */
export interface Aggregation<T> {
  /** pprof's report total: the sum of absolute sample values (of `pprof::base` samples only, when there are any). */
  total: number;
  rows: T[];
}

/** Aggregates `p`'s sample type `sampleIndex` per function, exactly as `go tool pprof -top` does. */
export function aggregateByFunction(p: Profile, sampleIndex: number): Aggregation<FunctionStat> {
  const keys = new NodeKeys<FunctionStat>();
  // Many locations share a function; resolve each named function's node once.
  const byFunction = new Map<ProfileFunction, number>();
  const lineNode = (l: Location, fn: ProfileFunction): number => {
    let id = byFunction.get(fn);
    if (id !== undefined) return id;
    const name = pprofDisplayName(fn);
    if (name === '')
      return objNode(keys, l, fn.startLine, (obj) => ({ name: obj, file: fn.filename, flat: 0, cum: 0 }));
    id = keys.intern(`f\0${name}`, () => ({ name, file: fn.filename, flat: 0, cum: 0 }));
    byFunction.set(fn, id);
    return id;
  };
  const noLineNode = (l: Location): number => objNode(keys, l, 0, (name) => ({ name, file: '', flat: 0, cum: 0 }));
  return run(p, sampleIndex, keys, lineNode, noLineNode);
}

/** Aggregates `p`'s sample type `sampleIndex` per source line, exactly as `go tool pprof -top -lines` does. */
export function aggregateByLine(p: Profile, sampleIndex: number): Aggregation<LineStat> {
  const keys = new NodeKeys<LineStat>();
  const lineNode = (l: Location, fn: ProfileFunction, line: number): number => {
    const file = fn.filename === '' ? '' : cleanPath(trimPath(fn.filename));
    const fname = pprofDisplayName(fn);
    if (fname === '') {
      return objNode(
        keys,
        l,
        fn.startLine,
        (name) => ({ name, file, line, label: lineLabel('', file, line, name), flat: 0, cum: 0 }),
        `${file}\0${line}`,
      );
    }
    return keys.intern(`f\0${fname}\0${file}\0${line}`, () => ({
      name: fname,
      file,
      line,
      label: lineLabel(fname, file, line, ''),
      flat: 0,
      cum: 0,
    }));
  };
  const noLineNode = (l: Location): number =>
    objNode(keys, l, 0, (name) => ({ name, file: '', line: 0, label: name, flat: 0, cum: 0 }));
  return run(p, sampleIndex, keys, lineNode, noLineNode);
}

/** A node for a frame without a function name: pprof keys it by binary and start line and prints `[binary]`. */
function objNode<T>(keys: NodeKeys<T>, l: Location, startLine: number, make: (name: string) => T, extra = ''): number {
  const obj = l.mapping?.file ?? '';
  return keys.intern(`o\0${obj}\0${startLine}\0${extra}`, () =>
    make(obj !== '' ? `[${posix.basename(obj)}]` : '<unknown>'),
  );
}

function lineLabel(name: string, file: string, line: number, fallback: string): string {
  const parts: string[] = [];
  if (name !== '') parts.push(name);
  if (line !== 0) parts.push(`${file}:${line}`);
  else if (file !== '') parts.push(file);
  else if (name === '') parts.push(fallback);
  return parts.join(' ');
}

/** pprof's default source-path trimming (no -trim_path, no -source_path). */
function trimPath(p: string): string {
  for (const prefix of ['/proc/self/cwd/./', '/proc/self/cwd/'])
    if (p.startsWith(prefix)) return p.slice(prefix.length);
  return p;
}

/** Go's filepath.Clean on a slash path. */
function cleanPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** Interns node keys to dense integer ids and keeps one row object per node. */
class NodeKeys<T> {
  readonly rows: T[] = [];
  private readonly ids = new Map<string, number>();

  intern(key: string, make: () => T): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.rows.length;
      this.ids.set(key, id);
      this.rows.push(make());
    }
    return id;
  }
}

function run<T extends { name: string; flat: number; cum: number }>(
  p: Profile,
  sampleIndex: number,
  keys: NodeKeys<T>,
  lineNode: (l: Location, fn: ProfileFunction, line: number) => number,
  noLineNode: (l: Location) => number,
): Aggregation<T> {
  const numTypes = p.sampleTypes.length;
  if (!Number.isInteger(sampleIndex) || sampleIndex < 0 || sampleIndex >= numTypes) {
    throw new RangeError(`sample index ${sampleIndex} out of range: the profile has ${numTypes} sample types`);
  }

  // Per location, its nodes in pprof's line order (innermost inlined frame first); a location without lines is one node.
  const locs = p.locations;
  const locStart = new Uint32Array(locs.length + 1);
  let total = 0;
  for (let i = 0; i < locs.length; i++) {
    locStart[i] = total;
    total += Math.max(1, locs[i]!.lines.length);
  }
  locStart[locs.length] = total;
  const locNodes = new Int32Array(total);
  for (let i = 0; i < locs.length; i++) {
    const l = locs[i]!;
    const base = locStart[i]!;
    if (l.lines.length === 0) locNodes[base] = noLineNode(l);
    else
      for (let k = 0; k < l.lines.length; k++) locNodes[base + k] = lineNode(l, l.lines[k]!.function, l.lines[k]!.line);
  }

  // Most locations have a single node: keep it directly so the sample loop skips the inner loop for them.
  const single = new Int32Array(locs.length);
  for (let i = 0; i < locs.length; i++)
    single[i] = locStart[i + 1]! - locStart[i]! === 1 ? locNodes[locStart[i]!]! : -1;

  const n = keys.rows.length;
  const flat = new Float64Array(n);
  const cum = new Float64Array(n);
  const seen = new Int32Array(n);
  const s = p.samples;
  const values = s.values;
  const stackStart = s.stackStart;
  const locIndex = s.locIndex;
  let absTotal = 0;
  for (let i = 0; i < s.count; i++) {
    const w = values[i * numTypes + sampleIndex]!;
    if (w === 0) continue;
    absTotal += w < 0 ? -w : w;
    const a = stackStart[i]!;
    const b = stackStart[i + 1]!;
    if (a === b) continue;
    const stamp = i + 1;
    for (let k = a; k < b; k++) {
      const loc = locIndex[k]!;
      const one = single[loc]!;
      if (one >= 0) {
        if (seen[one] !== stamp) {
          seen[one] = stamp;
          cum[one]! += w;
        }
        continue;
      }
      const e = locStart[loc + 1]!;
      for (let j = locStart[loc]!; j < e; j++) {
        const node = locNodes[j]!;
        if (seen[node] !== stamp) {
          seen[node] = stamp;
          cum[node]! += w;
        }
      }
    }
    flat[locNodes[locStart[locIndex[a]!]!]!]! += w;
  }

  const baseTotal = pprofBaseTotal(p, sampleIndex);
  const rows: T[] = [];
  for (let id = 0; id < n; id++) {
    if (flat[id] === 0 && cum[id] === 0) continue;
    const r = keys.rows[id]!;
    r.flat = flat[id]!;
    r.cum = cum[id]!;
    rows.push(r);
  }
  rows.sort(flatNameOrder);
  return { total: baseTotal > 0 ? baseTotal : absTotal, rows };
}

/** pprof's FlatNameOrder: |flat| descending, then name, then |cum| descending. */
function flatNameOrder(a: { name: string; flat: number; cum: number; label?: string }, b: typeof a): number {
  const fa = Math.abs(a.flat);
  const fb = Math.abs(b.flat);
  if (fa !== fb) return fb - fa;
  const na = a.label ?? a.name;
  const nb = b.label ?? b.name;
  if (na !== nb) return na < nb ? -1 : 1;
  return Math.abs(b.cum) - Math.abs(a.cum);
}

/** With `-diff_base`, pprof's total counts only samples labelled `pprof::base=true`. */
function pprofBaseTotal(p: Profile, sampleIndex: number): number {
  const s = p.samples;
  const numTypes = p.sampleTypes.length;
  let t = 0;
  for (let i = 0; i < s.count; i++) {
    const labels = s.labels[i];
    if (labels && labels.some((l) => l.key === 'pprof::base' && l.str === 'true')) {
      t += Math.abs(s.values[i * numTypes + sampleIndex]!);
    }
  }
  return t;
}
