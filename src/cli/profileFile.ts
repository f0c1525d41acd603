import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AnyProfile } from '../core/pprof/readAnyProfile';
import { readAnyProfile } from '../core/pprof/readAnyProfile';

/** Raised when a profile file named on the command line cannot be read. */
export class ProfileFileError extends Error {
  override name = 'ProfileFileError';
}

/** Reads and parses a profile file named on the command line (relative to `cwd`), in any format readAnyProfile knows. */
export function readProfileFile(file: string, cwd: string): AnyProfile {
  let data: Buffer;
  try {
    data = readFileSync(path.resolve(cwd, file));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : (err.code ?? err.message);
    throw new ProfileFileError(`cannot read ${file}: ${why}`);
  }
  return readAnyProfile(data);
}
