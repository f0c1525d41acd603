import type { Profile } from '../core/pprof/profileModel';
import { readAnyProfile } from '../core/pprof/readAnyProfile';

/**
 * Reads the bytes of a profile file the user opened, in any format a Go service serves (profile.proto gzipped or not,
 * goroutine `debug=1`/`debug=2` text, heap `debug=1` text). Throws the readers' typed ProfileFormatError otherwise.
 */
export function loadProfileFile(bytes: Uint8Array, maxDecompressedBytes: number): Profile {
  return readAnyProfile(bytes, { maxDecompressedBytes }).profile;
}
