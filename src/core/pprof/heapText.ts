import { LocationInterner } from './locationInterner';
import { ProfileFormatError } from './profileErrors';
import type { Profile } from './profileModel';
import { SampleTableBuilder } from './sampleTableBuilder';
import { parseAddressList, parseFrameComment } from './stackRecordText';

/**
 * The `# runtime.MemStats` block at the end of a heap `debug=1` profile (runtime.MemStats field names). Byte and count
 * fields are numbers; the nanosecond timestamps `LastGC` and `PauseEnd` are bigints because they exceed 2^53.
 * `NextGC` is a bigint too (with GC off Go prints ~2^63). Fields absent from the text are absent here; unknown keys,
 * and numbers a JavaScript number cannot hold exactly, are kept as text in `other`.
 */
export interface MemStats {
  Alloc?: number;
  TotalAlloc?: number;
  Sys?: number;
  Lookups?: number;
  Mallocs?: number;
  Frees?: number;
  HeapAlloc?: number;
  HeapSys?: number;
  HeapIdle?: number;
  HeapInuse?: number;
  HeapReleased?: number;
  HeapObjects?: number;
  StackInuse?: number;
  StackSys?: number;
  MSpanInuse?: number;
  MSpanSys?: number;
  MCacheInuse?: number;
  MCacheSys?: number;
  BuckHashSys?: number;
  GCSys?: number;
  OtherSys?: number;
  NextGC?: bigint;
  LastGC?: bigint;
  /** Circular buffer of recent GC pause times (ns), as printed. */
  PauseNs?: number[];
  /** Circular buffer of recent GC pause end times (ns since epoch), as printed. */
  PauseEnd?: bigint[];
  NumGC?: number;
  NumForcedGC?: number;
  GCCPUFraction?: number;
  DebugGC?: boolean;
  /** Peak resident set size, printed on some platforms. */
  MaxRSS?: number;
  other: Record<string, string>;
}

const headerRe = /heap profile: *(\d+): *(\d+) *\[ *(\d+): *(\d+) *\] *@ *(heap[_a-z0-9]*)\/?(\d*)/;
const sampleRe = /^(-?\d+): *(-?\d+) *\[ *(\d+): *(\d+) *\] @([ x0-9a-fA-F]*)$/;

/**
 * Estimates unsampled values from a heap sample, exactly as google/pprof's legacy parser and Go's runtime
 * (`scaleHeapSample`) do: divide by the probability `1 - exp(-avgSize/rate)` and truncate to an integer.
 */
export function scaleHeapSample(count: number, size: number, rate: number): [number, number] {
  if (count === 0 || size === 0) return [0, 0];
  if (rate <= 1) return [count, size];
  const avg = size / count;
  const s = 1 / (1 - Math.exp(-avg / rate));
  return [Math.trunc(count * s), Math.trunc(size * s)];
}

/**
 * Parses a heap profile in `debug=1` text (`heap profile: A: B [C: D] @ heap/2*rate`, records `A: B [C: D] @ PCs`
 * with `#` frames, then `# runtime.MemStats`) into a Profile and the MemStats.
 *
 * Matches what `go tool pprof` makes of this text (google/pprof legacy_profile.go), which in turn matches the
 * runtime's own proto output (`?debug=0`): sample types alloc_objects/alloc_space/inuse_objects/inuse_space, period
 * type space/bytes, period = header rate / 2 (Go writes 2×MemProfileRate there for historic reasons), and each value
 * pair unsampled with {@link scaleHeapSample}. Differences: pprof reads a file whose alloc totals equal its inuse totals
 * as a 2-type (objects/space) profile, we always give the 4 types (Go bumps the header to avoid that case anyway);
 * frames come from the `#` lines, so they are symbolized without the binary, and leading runtime frames are hidden as
 * in Go's proto output; the `bytes` label is the allocation block size, as the runtime's proto writer sets it.
 */
export function parseHeapDebug1(text: string): { profile: Profile; memStats: MemStats | undefined } {
  const lines = text.split(/\r?\n/);
  let i = 0;
  while (i < lines.length && lines[i]!.trim() === '') i++;
  const header = headerRe.exec(lines[i] ?? '');
  if (!header || !(lines[i] ?? '').trimStart().startsWith('heap profile:')) {
    throw new ProfileFormatError(`not a debug=1 heap profile: line ${i + 1} is not "heap profile: ... @ heap/N"`);
  }
  const kind = header[5]!;
  const n = header[6] === '' ? 0 : Number(header[6]);
  let period: number;
  let rate: number;
  if (kind === 'heap') {
    period = Math.floor(n / 2);
    rate = period;
  } else if (kind === 'heap_v2' || kind === 'heapz_v2') {
    period = n;
    rate = n;
  } else if (kind === 'heapprofile') {
    period = 1;
    rate = 1;
  } else {
    throw new ProfileFormatError(`unsupported heap profile kind ${JSON.stringify(kind)}`);
  }
  i++;
  const interner = new LocationInterner();
  const out = new SampleTableBuilder(4);
  let cur: { values: number[]; blockSize: number; pcs: bigint[]; stack: number[] } | undefined;
  const flush = (): void => {
    if (!cur) return;
    const stack = interner.recordStack(cur.stack, cur.pcs);
    out.add(stack, cur.values, cur.blockSize !== 0 ? [{ key: 'bytes', num: cur.blockSize }] : undefined);
    cur = undefined;
  };
  let memStats: MemStats | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed === '# runtime.MemStats') {
      flush();
      memStats = parseMemStats(lines.slice(i + 1));
      break;
    }
    const rec = sampleRe.exec(trimmed);
    if (rec) {
      flush();
      const [inuseObjects, inuseBytes, allocObjects, allocBytes] = [1, 2, 3, 4].map((k) => Number(rec[k]));
      for (const [c, s, what] of [
        [allocObjects!, allocBytes!, 'allocation'],
        [inuseObjects!, inuseBytes!, 'inuse'],
      ] as const) {
        if (c === 0 && s !== 0) throw new ProfileFormatError(`line ${i + 1}: ${what} count was 0 but bytes was ${s}`);
      }
      const pcs = parseAddressList(rec[5]!);
      if (!pcs) throw new ProfileFormatError(`line ${i + 1}: malformed addresses in ${JSON.stringify(trimmed)}`);
      cur = {
        values: [
          ...scaleHeapSample(allocObjects!, allocBytes!, rate),
          ...scaleHeapSample(inuseObjects!, inuseBytes!, rate),
        ],
        blockSize: allocObjects! > 0 ? Math.trunc(allocBytes! / allocObjects!) : 0,
        pcs,
        stack: [],
      };
      continue;
    }
    const frame = parseFrameComment(line);
    if (cur && frame) {
      cur.stack.push(interner.frameComment(frame));
      continue;
    }
    if (trimmed.startsWith('#')) continue;
    throw new ProfileFormatError(`line ${i + 1}: unexpected ${JSON.stringify(trimmed.slice(0, 80))} in a heap profile`);
  }
  flush();
  const profile: Profile = {
    sampleTypes: [
      { type: 'alloc_objects', unit: 'count' },
      { type: 'alloc_space', unit: 'bytes' },
      { type: 'inuse_objects', unit: 'count' },
      { type: 'inuse_space', unit: 'bytes' },
    ],
    samples: out.build(),
    mappings: [],
    locations: interner.locations,
    functions: interner.functions,
    dropFrames: '',
    keepFrames: '',
    timeNanos: 0n,
    durationNanos: 0n,
    periodType: { type: 'space', unit: 'bytes' },
    period,
    comments: [],
    defaultSampleType: '',
  };
  return { profile, memStats };
}

const pairs: Record<string, [keyof MemStats, keyof MemStats]> = {
  Stack: ['StackInuse', 'StackSys'],
  MSpan: ['MSpanInuse', 'MSpanSys'],
  MCache: ['MCacheInuse', 'MCacheSys'],
};

/** Parses `# Key = value` lines of a `# runtime.MemStats` block (the lines after its title). */
export function parseMemStats(lines: readonly string[]): MemStats {
  const ms: MemStats = { other: {} };
  const rec = ms as unknown as Record<string, unknown>;
  for (const line of lines) {
    const m = /^#\s*(\w+)\s*=\s*(.*?)\s*$/.exec(line.trim());
    if (!m) continue;
    const key = m[1]!;
    const v = m[2]!;
    const pair = pairs[key];
    const pm = /^(\d+)\s*\/\s*(\d+)$/.exec(v);
    if (pair && pm) {
      rec[pair[0]] = Number(pm[1]);
      rec[pair[1]] = Number(pm[2]);
    } else if (key === 'PauseNs' || key === 'PauseEnd') {
      const items = v
        .replace(/^\[|\]$/g, '')
        .trim()
        .split(/\s+/)
        .filter((s) => /^\d+$/.test(s));
      rec[key] = key === 'PauseNs' ? items.map(Number) : items.map((s) => BigInt(s));
    } else if ((key === 'LastGC' || key === 'NextGC') && /^\d+$/.test(v)) {
      ms[key] = BigInt(v);
    } else if (key === 'GCCPUFraction' && v !== '' && Number.isFinite(Number(v))) {
      ms.GCCPUFraction = Number(v);
    } else if (key === 'DebugGC' && (v === 'true' || v === 'false')) {
      ms.DebugGC = v === 'true';
    } else if (knownNumeric.has(key) && /^\d+$/.test(v) && Number.isSafeInteger(Number(v))) {
      rec[key] = Number(v);
    } else {
      ms.other[key] = v;
    }
  }
  return ms;
}

const knownNumeric = new Set([
  'Alloc',
  'TotalAlloc',
  'Sys',
  'Lookups',
  'Mallocs',
  'Frees',
  'HeapAlloc',
  'HeapSys',
  'HeapIdle',
  'HeapInuse',
  'HeapReleased',
  'HeapObjects',
  'BuckHashSys',
  'GCSys',
  'OtherSys',
  'NumGC',
  'NumForcedGC',
  'MaxRSS',
]);
