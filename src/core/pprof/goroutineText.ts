import { parseGoLabelMap } from './goString';
import { LocationInterner } from './locationInterner';
import { merge } from './merge';
import { ProfileFormatError } from './profileErrors';
import type { Label, Profile } from './profileModel';
import { SampleTableBuilder } from './sampleTableBuilder';
import { parseAddressList, parseFrameComment } from './stackRecordText';

/** One frame of a goroutine stack in a `debug=2` dump. */
export interface GoroutineFrame {
  /** Function name as printed (generic shapes show as `[...]`; a `panic(...)` frame is reported as `runtime.gopanic`). */
  function: string;
  file: string;
  line: number;
}

/** The `created by` line of a goroutine: the go statement's function and position, and the creating goroutine. */
export interface GoroutineCreatedBy extends GoroutineFrame {
  /** The creating goroutine's id (`in goroutine N`, Go 1.21+); absent in older dumps. */
  goroutineId?: number;
}

/** One goroutine of a `debug=2` dump. */
export interface Goroutine {
  id: number;
  /** Wait reason or status, e.g. `chan receive`, `select`, `running`, `IO wait`; without the `(leaked)` marker. */
  state: string;
  /** Minutes blocked, as printed (the runtime prints it after about a minute); 0 when absent. */
  waitMinutes: number;
  lockedToThread: boolean;
  /** Go 1.26 goroutine leak detection marked it `(leaked)`. */
  leaked: boolean;
  /** pprof labels printed in the header (GODEBUG=tracebacklabels=1). */
  labels?: Record<string, string>;
  /** Leaf first, as printed. */
  frames: GoroutineFrame[];
  /** The runtime cut the stack (`...additional frames elided...` or `...N frames elided...`). */
  framesElided: boolean;
  createdBy?: GoroutineCreatedBy;
}

/** A parsed `debug=2` goroutine dump (the format of `runtime.Stack(buf, true)` and `/debug/pprof/goroutine?debug=2`). */
export interface GoroutineDump {
  goroutines: Goroutine[];
}

const countHeaderRe = /^(\S+) profile: total (\d+)$/;
const countRecordRe = /^(\d+) @((?: 0x[0-9a-fA-F]+)*)\s*$/;

/**
 * Parses a count profile in `debug=1` text (`goroutine profile: total N`, then `COUNT @ PCs` records with optional
 * `# labels: {...}` and `#\tPC\tfunc+off\tfile:line` frames) into a Profile with sample type `<name>/count`
 * (name from the header: goroutine, goroutineleak, threadcreate...). Each printed frame becomes one location with one
 * line. Go hides leading runtime frames in this format, so runtime functions count less than in `debug=0`; records
 * with no printed frame fall back to their raw PCs (minus one, as pprof does), unsymbolized.
 */
export function parseGoroutineDebug1(text: string): Profile {
  const lines = text.split(/\r?\n/);
  let i = 0;
  while (i < lines.length && (lines[i]!.trim() === '' || lines[i]!.trim().startsWith('#'))) i++;
  const header = countHeaderRe.exec((lines[i] ?? '').trim());
  if (!header)
    throw new ProfileFormatError(`not a debug=1 count profile: line ${i + 1} is not "<name> profile: total N"`);
  const name = header[1]!;
  i++;
  const interner = new LocationInterner();
  const out = new SampleTableBuilder(1);
  let cur: { count: number; pcs: bigint[]; labels?: Label[]; stack: number[] } | undefined;
  const flush = (): void => {
    if (!cur) return;
    const stack = interner.recordStack(cur.stack, cur.pcs);
    out.add(stack, [cur.count], cur.labels);
    cur = undefined;
  };
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('---')) break;
    const rec = countRecordRe.exec(trimmed);
    if (rec) {
      flush();
      cur = { count: Number(rec[1]), pcs: parseAddressList(rec[2]!) ?? [], stack: [] };
      continue;
    }
    if (cur && trimmed.startsWith('# labels:')) {
      const pairs = parseGoLabelMap(trimmed.slice('# labels:'.length));
      if (!pairs) throw new ProfileFormatError(`line ${i + 1}: malformed labels ${JSON.stringify(trimmed)}`);
      cur.labels = pairs.map(([key, str]) => ({ key, str }));
      continue;
    }
    const frame = parseFrameComment(line);
    if (cur && frame) {
      cur.stack.push(interner.frameComment(frame));
      continue;
    }
    if (trimmed.startsWith('#')) continue;
    throw new ProfileFormatError(
      `line ${i + 1}: unexpected ${JSON.stringify(trimmed.slice(0, 80))} in a ${name} profile`,
    );
  }
  flush();
  return countProfile(name, out, interner);
}

/** A profile of one `count` sample type named `name`, from the built samples and the interned locations. */
function countProfile(name: string, out: SampleTableBuilder, interner: LocationInterner): Profile {
  return {
    sampleTypes: [{ type: name, unit: 'count' }],
    samples: out.build(),
    mappings: [],
    locations: interner.locations,
    functions: interner.functions,
    dropFrames: '',
    keepFrames: '',
    timeNanos: 0n,
    durationNanos: 0n,
    periodType: { type: name, unit: 'count' },
    period: 1,
    comments: [],
    defaultSampleType: '',
  };
}

const goroutineHeaderRe = /^goroutine (\d+)(?: gp=\S+)?(?: m=\S+)?(?: mp=\S+)? \[(.*)\]:$/;
const fileLineRe = /^\t(.+):(\d+)(?: [+-]0x[0-9a-fA-F]+)?(?: .*)?$/;
const createdByRe = /^created by (.+?)(?: in goroutine (\d+))?$/;
const elidedRe = /^\.\.\.(?:additional|\d+) frames elided\.\.\.$/;

/**
 * Parses a `debug=2` goroutine dump into typed goroutines: id, state, wait minutes, locked-to-thread, the Go 1.26
 * `(leaked)` marker, header labels, frames with file:line, elision markers and `created by` (with or without
 * `in goroutine N`). Ancestor sections (`[originating from goroutine N]`, GODEBUG=tracebackancestors) are skipped.
 * A dump cut off mid-goroutine (Go truncates at 64 MiB) keeps what was read. Throws {@link ProfileFormatError} when
 * no goroutine header is found or a goroutine block holds a line that is not a frame.
 */
export function parseGoroutineDebug2(text: string): GoroutineDump {
  const lines = text.split(/\r?\n/);
  const goroutines: Goroutine[] = [];
  let g: Goroutine | undefined;
  let skipping = false;
  let pending: { function: string; lineNo: number } | undefined;
  let pendingCreatedBy: { function: string; goroutineId?: number } | undefined;
  const flushPending = (): void => {
    if (pending && g) g.frames.push({ function: pending.function, file: '', line: 0 });
    pending = undefined;
    if (pendingCreatedBy && g) g.createdBy = { ...pendingCreatedBy, file: '', line: 0 };
    pendingCreatedBy = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const header = goroutineHeaderRe.exec(line.trimEnd());
    if (header) {
      flushPending();
      g = { id: Number(header[1]), ...parseStatus(header[2]!), frames: [], framesElided: false };
      goroutines.push(g);
      skipping = false;
      continue;
    }
    if (line.trim() === '') {
      flushPending();
      skipping = false;
      if (g) g = undefined;
      continue;
    }
    if (!g || skipping) continue;
    const fl = fileLineRe.exec(line);
    if (fl) {
      const file = fl[1]!;
      const ln = Number(fl[2]);
      if (pending) g.frames.push({ function: pending.function, file, line: ln });
      else if (pendingCreatedBy) g.createdBy = { ...pendingCreatedBy, file, line: ln };
      else throw new ProfileFormatError(`line ${i + 1}: file position without a function in goroutine ${g.id}`);
      pending = undefined;
      pendingCreatedBy = undefined;
      continue;
    }
    flushPending();
    const t = line.trim();
    if (t.startsWith('[originating from goroutine')) {
      skipping = true;
      continue;
    }
    if (elidedRe.test(t)) {
      g.framesElided = true;
      continue;
    }
    const cb = createdByRe.exec(t);
    if (cb) {
      pendingCreatedBy = { function: cb[1]!, ...(cb[2] !== undefined ? { goroutineId: Number(cb[2]) } : {}) };
      continue;
    }
    const fn = functionOfCall(t);
    if (fn === undefined) {
      throw new ProfileFormatError(`line ${i + 1}: unexpected ${JSON.stringify(t.slice(0, 80))} in goroutine ${g.id}`);
    }
    pending = { function: fn, lineNo: i + 1 };
  }
  flushPending();
  if (goroutines.length === 0)
    throw new ProfileFormatError('not a debug=2 goroutine dump: no "goroutine N [state]:" header');
  return { goroutines };
}

function parseStatus(s: string): Omit<Goroutine, 'id' | 'frames' | 'framesElided'> {
  let rest = s;
  let labels: Record<string, string> | undefined;
  const li = rest.indexOf(' labels:{');
  if (li >= 0) {
    const pairs = parseGoLabelMap(rest.slice(li + ' labels:'.length));
    if (pairs) labels = Object.fromEntries(pairs);
    rest = rest.slice(0, li);
  }
  const parts = rest.split(', ');
  let state = parts[0] ?? '';
  let leaked = false;
  for (;;) {
    if (state.endsWith(' (leaked)')) {
      leaked = true;
      state = state.slice(0, -' (leaked)'.length);
    } else if (state.endsWith(' (scan)')) {
      state = state.slice(0, -' (scan)'.length);
    } else break;
  }
  let waitMinutes = 0;
  let lockedToThread = false;
  for (const p of parts.slice(1)) {
    const m = /^(\d+) minutes$/.exec(p);
    if (m) waitMinutes = Number(m[1]);
    else if (p === 'locked to thread') lockedToThread = true;
  }
  return { state, waitMinutes, lockedToThread, leaked, ...(labels ? { labels } : {}) };
}

/**
 * Extracts the function name from a traceback call line `name(args)`: the args are the final balanced parenthesized
 * group, since method names such as `main.(*T).m` contain parentheses themselves.
 */
function functionOfCall(t: string): string | undefined {
  if (!t.endsWith(')')) return undefined;
  let depth = 0;
  for (let k = t.length - 1; k >= 0; k--) {
    const c = t[k];
    if (c === ')') depth++;
    else if (c === '(') {
      depth--;
      if (depth === 0) {
        const name = t.slice(0, k);
        if (name === '' || /\s/.test(name)) return undefined;
        return name === 'panic' ? 'runtime.gopanic' : name;
      }
    }
  }
  return undefined;
}

/**
 * Converts a goroutine dump into a goroutine count profile (`goroutine/count`, one unit per goroutine) grouped by
 * identical stack and labels, the shape of `/debug/pprof/goroutine?debug=0`. Frames become locations keyed by
 * function, file and line (no addresses are known). Runtime frames the dump hides are absent, as in debug=1.
 */
export function goroutineDumpToProfile(d: GoroutineDump): Profile {
  const interner = new LocationInterner();
  const out = new SampleTableBuilder(1, d.goroutines.length);
  for (const g of d.goroutines) {
    const stack = g.frames.map((f) => interner.frame(0n, f.function, f.file, f.line));
    const labels = g.labels ? Object.entries(g.labels).map(([key, str]) => ({ key, str })) : undefined;
    out.add(stack, [1], labels);
  }
  return merge([countProfile('goroutine', out, interner)]);
}
