/**
 * Encodes a {@link Profile} back to a gzipped `profile.proto` that `go tool pprof` reads, so users can open
 * our snapshots and diffs there. Written with protobufjs's `Writer` field by field (the schema is
 * profile.proto), rebuilding the string table and ids from the resolved model.
 */
import { gzipSync } from 'node:zlib';
import * as protobuf from 'protobufjs';
import { ProfilePrecisionError } from './profileErrors';
import type { Label, Profile, ValueType } from './profileModel';

/** Encodes `p` as gzipped protobuf bytes; throws ProfilePrecisionError for a sample value that is not an int64. */
export function encodeProfile(p: Profile): Uint8Array {
  return gzipSync(encodeProfileUncompressed(p));
}

/** Encodes `p` as plain (not gzipped) protobuf bytes. */
export function encodeProfileUncompressed(p: Profile): Uint8Array {
  const strings = new StringTable();
  const w = protobuf.Writer.create();

  const valueType = (field: number, v: ValueType): void => {
    w.uint32((field << 3) | 2).fork();
    int64Opt(w, 1, strings.index(v.type));
    int64Opt(w, 2, strings.index(v.unit));
    w.ldelim();
  };

  for (const t of p.sampleTypes) valueType(1, t);

  const s = p.samples;
  const n = p.sampleTypes.length;
  const locIds = p.locations.map((l) => l.id);
  for (let i = 0; i < s.count; i++) {
    w.uint32(0x12).fork();
    const a = s.stackStart[i]!;
    const b = s.stackStart[i + 1]!;
    if (b > a) {
      w.uint32(0x0a).fork();
      for (let k = a; k < b; k++) w.uint64(locIds[s.locIndex[k]!]!);
      w.ldelim();
    }
    if (n > 0) {
      w.uint32(0x12).fork();
      for (let k = i * n; k < (i + 1) * n; k++) {
        const v = s.values[k]!;
        if (!Number.isSafeInteger(v)) {
          throw new ProfilePrecisionError(`sample ${i} value ${v} is not an integer that int64 can carry exactly`);
        }
        w.int64(v);
      }
      w.ldelim();
    }
    const labels = s.labels[i];
    if (labels) for (const l of labels) label(w, strings, l);
    w.ldelim();
  }

  for (const m of p.mappings) {
    w.uint32(0x1a).fork();
    uint64Opt(w, 1, m.id);
    bigOpt(w, 2, m.memoryStart);
    bigOpt(w, 3, m.memoryLimit);
    bigOpt(w, 4, m.fileOffset);
    int64Opt(w, 5, strings.index(m.file));
    int64Opt(w, 6, strings.index(m.buildId));
    boolOpt(w, 7, m.hasFunctions);
    boolOpt(w, 8, m.hasFilenames);
    boolOpt(w, 9, m.hasLineNumbers);
    boolOpt(w, 10, m.hasInlineFrames);
    w.ldelim();
  }

  for (const l of p.locations) {
    w.uint32(0x22).fork();
    uint64Opt(w, 1, l.id);
    uint64Opt(w, 2, l.mapping?.id ?? 0);
    bigOpt(w, 3, l.address);
    for (const ln of l.lines) {
      w.uint32(0x22).fork();
      uint64Opt(w, 1, ln.function.id);
      int64Opt(w, 2, ln.line);
      int64Opt(w, 3, ln.column);
      w.ldelim();
    }
    boolOpt(w, 5, l.isFolded);
    w.ldelim();
  }

  for (const f of p.functions) {
    w.uint32(0x2a).fork();
    uint64Opt(w, 1, f.id);
    int64Opt(w, 2, strings.index(f.name));
    int64Opt(w, 3, strings.index(f.systemName));
    int64Opt(w, 4, strings.index(f.filename));
    int64Opt(w, 5, f.startLine);
    w.ldelim();
  }

  // Everything after the string table still needs indexes, so intern those strings first.
  const drop = strings.index(p.dropFrames);
  const keep = strings.index(p.keepFrames);
  const comments = p.comments.map((c) => strings.index(c));
  const defaultType = strings.index(p.defaultSampleType);
  if (p.periodType) {
    strings.index(p.periodType.type);
    strings.index(p.periodType.unit);
  }

  for (const str of strings.list) w.uint32(0x32).string(str);
  int64Opt(w, 7, drop);
  int64Opt(w, 8, keep);
  bigOpt(w, 9, p.timeNanos);
  bigOpt(w, 10, p.durationNanos);
  if (p.periodType) valueType(11, p.periodType);
  int64Opt(w, 12, p.period);
  for (const c of comments) w.uint32(13 << 3).int64(c);
  int64Opt(w, 14, defaultType);
  return w.finish();
}

function label(w: protobuf.Writer, strings: StringTable, l: Label): void {
  w.uint32(0x1a).fork();
  int64Opt(w, 1, strings.index(l.key));
  if (l.str !== undefined) int64Opt(w, 2, strings.index(l.str));
  else {
    int64Opt(w, 3, l.num ?? 0);
    if (l.numUnit !== undefined) int64Opt(w, 4, strings.index(l.numUnit));
  }
  w.ldelim();
}

function int64Opt(w: protobuf.Writer, field: number, v: number): void {
  if (v !== 0) w.uint32(field << 3).int64(v);
}

function uint64Opt(w: protobuf.Writer, field: number, v: number): void {
  if (v !== 0) w.uint32(field << 3).uint64(v);
}

function boolOpt(w: protobuf.Writer, field: number, v: boolean): void {
  if (v) w.uint32(field << 3).bool(true);
}

function bigOpt(w: protobuf.Writer, field: number, v: bigint): void {
  if (v === 0n) return;
  // A signed decimal string is what protobufjs turns into exact 64-bit bits (via Long), for the whole uint64 range too.
  w.uint32(field << 3).int64(BigInt.asIntN(64, v).toString());
}

/** Interns strings into the table the profile refers to by index; index 0 is always the empty string. */
class StringTable {
  readonly list: string[] = [''];
  private readonly map = new Map<string, number>([['', 0]]);

  index(s: string): number {
    let i = this.map.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.map.set(s, i);
    }
    return i;
  }
}
