import { decodeProfile, DEFAULT_MAX_DECOMPRESSED_BYTES, inflateProfileBytes } from './decodeProfile';
import type { GoroutineDump } from './goroutineText';
import { goroutineDumpToProfile, parseGoroutineDebug1, parseGoroutineDebug2 } from './goroutineText';
import type { MemStats } from './heapText';
import { parseHeapDebug1 } from './heapText';
import type { Profile } from './profileModel';

/** Which input format {@link readAnyProfile} recognised. */
export type ProfileInputFormat = 'proto' | 'count-debug1' | 'goroutine-debug2' | 'heap-debug1';

/** What {@link readAnyProfile} returns: the profile plus what the text formats carry beyond it. */
export interface AnyProfile {
  profile: Profile;
  format: ProfileInputFormat;
  /** The typed dump, for `debug=2` goroutine input. */
  goroutines?: GoroutineDump;
  /** The `# runtime.MemStats` block, for heap `debug=1` input that has one. */
  memStats?: MemStats;
}

/** Options of {@link readAnyProfile}. */
export interface ReadAnyProfileOptions {
  /** Cap on the gunzipped size (default 256 MiB), against decompression bombs. */
  maxDecompressedBytes?: number;
}

const countHeader = /^\S+ profile: total \d+\s*$/;
const goroutineHeader = /^goroutine \d+ (?:gp=\S+ )?(?:m=\S+ )?(?:mp=\S+ )?\[.*\]:\s*$/m;

/**
 * Reads a profile in any format a Go service serves: profile.proto (gzipped or not, `?debug=0`), count profiles in
 * `debug=1` text (goroutine, goroutineleak, threadcreate), goroutine dumps in `debug=2` text (which become a goroutine
 * count profile, the dump itself is returned too), and heap `debug=1` text with its MemStats. Gzip is undone first
 * under a size cap, whatever is inside. Throws ProfileFormatError for anything else, e.g. an HTML error page.
 */
export function readAnyProfile(data: Uint8Array, opts: ReadAnyProfileOptions = {}): AnyProfile {
  const raw = inflateProfileBytes(data, opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
  const kind = sniffText(raw);
  if (kind === undefined) return { profile: decodeProfile(raw), format: 'proto' };
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('utf8');
  switch (kind) {
    case 'count-debug1':
      return { profile: parseGoroutineDebug1(text), format: kind };
    case 'heap-debug1': {
      const { profile, memStats } = parseHeapDebug1(text);
      return memStats ? { profile, format: kind, memStats } : { profile, format: kind };
    }
    case 'goroutine-debug2': {
      const goroutines = parseGoroutineDebug2(text);
      return { profile: goroutineDumpToProfile(goroutines), format: kind, goroutines };
    }
  }
}

/** Recognises the text formats from their first line (or, for a goroutine dump, a goroutine header near the top). */
function sniffText(raw: Uint8Array): Exclude<ProfileInputFormat, 'proto'> | undefined {
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.length, 65536)).toString('latin1');
  const firstLine = (head.split(/\r?\n/).find((l) => l.trim() !== '') ?? '').trim();
  if (countHeader.test(firstLine)) return 'count-debug1';
  if (firstLine.startsWith('heap profile:')) return 'heap-debug1';
  if (!/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(head.slice(0, 4096)) && goroutineHeader.test(head))
    return 'goroutine-debug2';
  return undefined;
}
