/**
 * Loads the shipped `profile.proto` schema with protobufjs, for small messages and for tests that need an
 * independent encoder/decoder; the hot decode path does not use it (see decodeProfile.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';

let cached: protobuf.Root | undefined;

/** Finds `profile.proto` next to this module (tsx) or next to the bundle in dist/. */
export function profileProtoPath(): string {
  const candidates = [
    path.join(__dirname, 'profile.proto'),
    path.join(__dirname, '..', 'profile.proto'),
    path.join(__dirname, '..', '..', '..', 'dist', 'profile.proto'),
    path.join(__dirname, '..', '..', '..', 'src', 'core', 'pprof', 'profile.proto'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`profile.proto not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Returns the parsed `perftools.profiles` schema root, loading it once. */
export function profileSchema(): protobuf.Root {
  cached ??= protobuf.parse(readFileSync(profileProtoPath(), 'utf8'), { keepCase: true }).root;
  return cached;
}

/** Returns the protobufjs type of a message of `profile.proto`, e.g. `Profile` or `Sample`. */
export function profileMessageType(name: string): protobuf.Type {
  return profileSchema().lookupType(`perftools.profiles.${name}`);
}
