/**
 * Columnar decoder for pprof `profile.proto` (gzipped or plain) into the resolved {@link Profile} model.
 *
 * Not protobufjs message classes: per-object decoding (one JS object per sample, Long for int64) costs
 * ~10–40× the gunzip time on large heap profiles (FACTS.md). Samples go straight into typed arrays; only
 * locations, functions, mappings and (shared) labels become objects. The varint reading is hand-written
 * rather than protobufjs's `Reader`: walking the samples of a 49 MB profile with `Reader` costs about what
 * this whole decode's sample pass costs, but `Reader` throws a bare RangeError at a bad length, reads
 * int64 through Long, and cannot be inlined into the hot loop. Here every index and id is resolved and
 * checked, and every malformed input becomes a {@link ProfileFormatError} naming what is wrong and the
 * byte offset where it was found.
 */
import { kMaxLength } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { ProfileFormatError, ProfilePrecisionError } from './profileErrors';
import type { Label, Line, Location, Mapping, Profile, ProfileFunction, SampleTable, ValueType } from './profileModel';

/** Options of {@link decodeProfile}. */
export interface DecodeProfileOptions {
  /** Upper bound for the gunzipped size in bytes; protects against decompression bombs. Default 256 MiB. */
  maxDecompressedBytes?: number;
}

/** The default cap on the decompressed size of a gzipped profile (256 MiB). */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

/** Decodes a gzipped or plain `profile.proto` into a resolved profile, or throws {@link ProfileFormatError}. */
export function decodeProfile(data: Uint8Array, opts: DecodeProfileOptions = {}): Profile {
  const raw = inflateProfileBytes(data, opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES);
  try {
    return new ProfileDecoder(raw).decode();
  } catch (e) {
    if (e instanceof ProfileFormatError && !(e instanceof ProfilePrecisionError) && looksLikeText(raw)) {
      throw new ProfileFormatError(
        `input is text, not a protobuf profile (starts with ${JSON.stringify(textHead(raw))})`,
        0,
      );
    }
    throw e;
  }
}

/** Returns the protobuf bytes of `data`: gunzipped under a size cap when it is gzip, else as is; rejects HTML. */
export function inflateProfileBytes(data: Uint8Array, maxDecompressedBytes: number): Uint8Array {
  if (!Number.isSafeInteger(maxDecompressedBytes) || maxDecompressedBytes < 1 || maxDecompressedBytes > kMaxLength) {
    throw new RangeError(
      `maxDecompressedBytes must be an integer from 1 to ${kMaxLength}, got ${maxDecompressedBytes}`,
    );
  }
  if (data.length === 0) throw new ProfileFormatError('empty input: not a profile', 0);
  let raw = data;
  if (data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b) {
    // gzip's trailer holds the uncompressed size (mod 2^32, of the last member): one output chunk of that size
    // avoids zlib's chunk list plus the final concatenation, which would double the peak memory. A wrong
    // size (crafted, multi-member, > 4 GiB) only means more chunks; the cap below still holds.
    const isize =
      data.length >= 18 ? Buffer.from(data.buffer, data.byteOffset, data.length).readUInt32LE(data.length - 4) : 0;
    const chunkSize = Math.max(64 * 1024, Math.min(isize + 64, maxDecompressedBytes + 64));
    try {
      raw = gunzipSync(data, { maxOutputLength: maxDecompressedBytes, chunkSize });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
        throw new ProfileFormatError(
          `decompressed size exceeds ${maxDecompressedBytes} bytes (maxDecompressedBytes); refusing a possible decompression bomb`,
        );
      }
      throw new ProfileFormatError(`not a valid gzip stream: ${err.message}`);
    }
    if (raw.length === 0) throw new ProfileFormatError('gzip stream decompresses to nothing: not a profile', 0);
  }
  if (looksLikeHtml(raw)) throw new ProfileFormatError('got an HTML page, not a profile', 0);
  return raw;
}

const HTML_START = /^\s*<(!doctype|html|head|body|title|\?xml|!--|h1|pre|p>)/i;

function looksLikeHtml(b: Uint8Array): boolean {
  // '<' (field 7, wire type 4) can never start a valid profile, so the first byte alone is decisive.
  if (b[0] === 0x3c) return true;
  return HTML_START.test(textHead(b));
}

function textHead(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, Math.min(b.length, 48)).toString('latin1');
}

function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 64);
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c !== 9 && c !== 10 && c !== 13 && (c < 0x20 || c > 0x7e)) return false;
  }
  return n >= 8;
}

const TWO32 = 4294967296;
const MAX_SAFE_HI = 0x1fffff;

/** Offsets of one length-delimited field's payload: [start, end). */
type Range = [number, number];

/** One-shot decoder over the uncompressed bytes; `pos` is the cursor shared by all read methods. */
class ProfileDecoder {
  private readonly buf: Uint8Array;
  private pos = 0;
  private strings: string[] = [];
  private readonly text: Buffer;
  // Results of the slow 64-bit varint path.
  private lo = 0;
  private hi = 0;
  // Distinct labels, each as a shared one-element list (label lists are never mutated by the pprof operations).
  private readonly fastLabels = new Map<number, Label[]>();
  private readonly labelCache = new Map<number, Map<number, Map<number, Label[]>>>();

  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  decode(): Profile {
    const buf = this.buf;
    const end = buf.length;
    const sampleTypeR: Range[] = [];
    const mappingR: Range[] = [];
    const locationR: Range[] = [];
    const functionR: Range[] = [];
    let periodTypeR: Range | undefined;
    let dropX = 0;
    let keepX = 0;
    let timeNanos = 0n;
    let durationNanos = 0n;
    let period = 0;
    const commentX: number[] = [];
    let defaultX = 0;
    let sampleCount = 0;
    let sampleBytes = 0;
    // The exact number of location ids, so the stack column is allocated once at its final size; -1 if unknown.
    let locIdCount = 0;

    // Pass 1: everything but the samples, which need the location table (written after them) to resolve.
    while (this.pos < end) {
      const at = this.pos;
      const tag = this.uint32(end);
      const field = tag >>> 3;
      const wt = tag & 7;
      switch (field) {
        case 1:
          sampleTypeR.push(this.message(wt, end, 'Profile.sample_type', at));
          break;
        case 2: {
          // The most frequent field: no [start, end) tuple allocated.
          if (wt !== 2) this.wireTypeError('Profile.sample', wt, at);
          const e = this.lengthPrefix(end);
          sampleCount++;
          sampleBytes += e - this.pos;
          if (locIdCount >= 0) {
            const n = this.countLocationIds(this.pos, e);
            locIdCount = n < 0 ? -1 : locIdCount + n;
          }
          this.pos = e;
          break;
        }
        case 3:
          mappingR.push(this.message(wt, end, 'Profile.mapping', at));
          break;
        case 4:
          locationR.push(this.message(wt, end, 'Profile.location', at));
          break;
        case 5:
          functionR.push(this.message(wt, end, 'Profile.function', at));
          break;
        case 6: {
          const [s, e] = this.message(wt, end, 'Profile.string_table', at);
          this.strings.push(this.text.toString('utf8', s, e));
          break;
        }
        case 7:
          this.expectVarint(wt, 'Profile.drop_frames', at);
          dropX = this.int64(end, 'Profile.drop_frames');
          break;
        case 8:
          this.expectVarint(wt, 'Profile.keep_frames', at);
          keepX = this.int64(end, 'Profile.keep_frames');
          break;
        case 9:
          this.expectVarint(wt, 'Profile.time_nanos', at);
          timeNanos = this.int64Big(end);
          break;
        case 10:
          this.expectVarint(wt, 'Profile.duration_nanos', at);
          durationNanos = this.int64Big(end);
          break;
        case 11:
          periodTypeR = this.message(wt, end, 'Profile.period_type', at);
          break;
        case 12:
          this.expectVarint(wt, 'Profile.period', at);
          period = this.int64(end, 'Profile.period');
          break;
        case 13:
          this.repeatedInt64(wt, end, 'Profile.comment', at, commentX);
          break;
        case 14:
          this.expectVarint(wt, 'Profile.default_sample_type', at);
          defaultX = this.int64(end, 'Profile.default_sample_type');
          break;
        default:
          this.skip(wt, end, at);
      }
    }

    if (this.strings.length === 0) throw new ProfileFormatError('string table is empty: not a profile', 0);
    if (this.strings[0] !== '') throw new ProfileFormatError("string_table[0] must be ''", 0);

    const sampleTypes = sampleTypeR.map((r, i) => this.valueType(r, `sample_type[${i}]`));
    const periodType = periodTypeR ? this.valueType(periodTypeR, 'period_type') : undefined;
    const mappings = mappingR.map((r) => this.mapping(r));
    const mappingById = new Map<number, Mapping>();
    for (const m of mappings) {
      if (m.id === 0) throw new ProfileFormatError('mapping has reserved id 0');
      if (mappingById.has(m.id)) throw new ProfileFormatError(`duplicate mapping id ${m.id}`);
      mappingById.set(m.id, m);
    }
    const functions = functionR.map((r) => this.func(r));
    const functionById = new Map<number, ProfileFunction>();
    for (const f of functions) {
      if (f.id === 0) throw new ProfileFormatError('function has reserved id 0');
      if (functionById.has(f.id)) throw new ProfileFormatError(`duplicate function id ${f.id}`);
      functionById.set(f.id, f);
    }
    const locations = locationR.map((r) => this.location(r, mappingById, functionById));
    const locIds = new LocationIndex(locations);

    if (sampleCount > 0 && sampleTypes.length === 0) {
      throw new ProfileFormatError(`profile has ${sampleCount} samples but no sample types`);
    }
    const samples = this.samples(
      sampleCount,
      locIdCount >= 0 ? locIdCount : Math.ceil(sampleBytes / 3),
      sampleTypes.length,
      locIds,
    );

    return {
      sampleTypes,
      samples,
      mappings,
      locations,
      functions,
      dropFrames: this.str(dropX, 'Profile.drop_frames'),
      keepFrames: this.str(keepX, 'Profile.keep_frames'),
      timeNanos,
      durationNanos,
      periodType,
      period,
      comments: commentX.map((x, i) => this.str(x, `Profile.comment[${i}]`)),
      defaultSampleType: this.str(defaultX, 'Profile.default_sample_type'),
    };
  }

  // ---- pass 2: samples, the hot path ----

  private samples(count: number, locCapacity: number, numTypes: number, locIds: LocationIndex): SampleTable {
    const buf = this.buf;
    const end = buf.length;
    const values = new Float64Array(count * numTypes);
    const stackStart = new Uint32Array(count + 1);
    let locIndex: Uint32Array = new Uint32Array(Math.max(16, locCapacity));
    let nLoc = 0;
    const labels: (Label[] | undefined)[] = new Array<Label[] | undefined>(count);
    const dense = locIds.dense;
    const denseLen = dense.length;
    let i = 0;
    this.pos = 0;
    while (this.pos < end) {
      const at = this.pos;
      // Tags and lengths below 128 (nearly all, inside samples) are read inline; anything else takes the general path.
      let tag = buf[at]!;
      if (tag < 0x80) this.pos = at + 1;
      else tag = this.uint32(end);
      if (tag !== 0x12) {
        this.skip(tag & 7, end, at);
        continue;
      }
      let sEnd: number;
      const sl = buf[this.pos]!;
      if (sl < 0x80 && this.pos + 1 + sl <= end) sEnd = ++this.pos + sl;
      else sEnd = this.lengthPrefix(end);
      stackStart[i] = nLoc;
      const vBase = i * numTypes;
      let nv = 0;
      let firstLabel: Label[] | undefined;
      let moreLabels: Label[] | undefined;
      while (this.pos < sEnd) {
        const fAt = this.pos;
        let ftag = buf[fAt]!;
        if (ftag < 0x80) this.pos = fAt + 1;
        else ftag = this.uint32(sEnd);
        if (ftag === 0x0a) {
          // Packed location ids, the hot loop: varints of up to four bytes decoded inline.
          let pEnd: number;
          const pl = buf[this.pos]!;
          if (pl < 0x80 && this.pos < sEnd && this.pos + 1 + pl <= sEnd) pEnd = ++this.pos + pl;
          else pEnd = this.lengthPrefix(sEnd);
          let pos = this.pos;
          // One id per byte at most; only when that bound does not fit (the last samples, as the column is
          // sized exactly) is capacity checked per id.
          const roomy = nLoc + (pEnd - pos) <= locIndex.length;
          while (pos < pEnd) {
            if (!roomy && nLoc === locIndex.length) locIndex = grow(locIndex, nLoc + 1);
            const idAt = pos;
            let id: number;
            if (pos + 4 <= end) {
              // Branch-free for 1–4 byte varints: ids are 2 or 3 bytes at random, which a branchy decode mispredicts.
              const w = buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24);
              const stop = ~w & 0x80808080;
              if (stop !== 0) {
                const low = stop & -stop;
                const kept = w & (low * 2 - 1);
                id = (kept & 0x7f) | ((kept >>> 1) & 0x3f80) | ((kept >>> 2) & 0x1fc000) | ((kept >>> 3) & 0xfe00000);
                pos += (32 - Math.clz32(low)) >>> 3;
                // The word may reach past the field; a varint that does is truncated, which the slow path reports.
                if (pos > pEnd) {
                  this.pos = idAt;
                  id = this.uint64(pEnd, 'Sample.location_id');
                  pos = this.pos;
                }
              } else {
                this.pos = pos;
                id = this.uint64(pEnd, 'Sample.location_id');
                pos = this.pos;
              }
            } else {
              this.pos = pos;
              id = this.uint64(pEnd, 'Sample.location_id');
              pos = this.pos;
            }
            const idx = id < denseLen ? dense[id]! : (locIds.sparse?.get(id) ?? -1);
            if (idx < 0) this.missingLocation(i, id, idAt);
            locIndex[nLoc++] = idx;
          }
          this.pos = pos;
        } else if (ftag === 0x12) {
          // Packed values: varints of up to four bytes (28 bits) decoded inline, longer ones (and negatives) by int64().
          const pEnd = this.lengthPrefix(sEnd);
          let pos = this.pos;
          while (pos < pEnd) {
            let v: number;
            if (pos + 4 <= end) {
              // Branch-free for 1–4 byte varints, like the location ids above.
              const w = buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24);
              const stop = ~w & 0x80808080;
              if (stop !== 0) {
                const low = stop & -stop;
                const kept = w & (low * 2 - 1);
                v = (kept & 0x7f) | ((kept >>> 1) & 0x3f80) | ((kept >>> 2) & 0x1fc000) | ((kept >>> 3) & 0xfe00000);
                if (pos + ((32 - Math.clz32(low)) >>> 3) > pEnd) {
                  this.pos = pos;
                  v = this.int64(pEnd, 'Sample.value');
                  pos = this.pos;
                } else pos += (32 - Math.clz32(low)) >>> 3;
              } else {
                this.pos = pos;
                v = this.int64(pEnd, 'Sample.value');
                pos = this.pos;
              }
            } else {
              this.pos = pos;
              v = this.int64(pEnd, 'Sample.value');
              pos = this.pos;
            }
            if (nv >= numTypes) {
              throw new ProfileFormatError(
                `sample ${i} has more values than the ${numTypes} sample types at byte ${fAt}`,
                fAt,
              );
            }
            values[vBase + nv++] = v;
          }
          this.pos = pos;
        } else if (ftag === 0x10) {
          const v = this.int64(sEnd, 'Sample.value');
          if (nv >= numTypes) {
            throw new ProfileFormatError(
              `sample ${i} has more values than the ${numTypes} sample types at byte ${fAt}`,
              fAt,
            );
          }
          values[vBase + nv++] = v;
        } else if (ftag === 0x08) {
          const idAt = this.pos;
          const id = this.uint64(sEnd, 'Sample.location_id');
          const idx = id < denseLen ? dense[id]! : (locIds.sparse?.get(id) ?? -1);
          if (idx < 0) this.missingLocation(i, id, idAt);
          if (nLoc === locIndex.length) locIndex = grow(locIndex, nLoc + 1);
          locIndex[nLoc++] = idx;
        } else if (ftag === 0x1a) {
          const lEnd = this.lengthPrefix(sEnd);
          const l = this.label(this.pos, lEnd, i);
          this.pos = lEnd;
          if (firstLabel === undefined) firstLabel = l;
          else (moreLabels ??= [firstLabel[0]!]).push(l[0]!);
        } else {
          const f = ftag >>> 3;
          if (f >= 1 && f <= 3) this.wireTypeError(`Sample field ${f}`, ftag & 7, fAt);
          this.skip(ftag & 7, sEnd, fAt);
        }
      }
      if (moreLabels) labels[i] = moreLabels;
      else if (firstLabel) labels[i] = firstLabel;
      if (nv !== numTypes) {
        throw new ProfileFormatError(`sample ${i} has ${nv} values but there are ${numTypes} sample types`, at);
      }
      i++;
    }
    stackStart[count] = nLoc;
    // Drop the growth slack unless it is small; keeping a large spare buffer alive would inflate retained memory.
    const finalLoc = nLoc >= locIndex.length * 0.75 ? locIndex.subarray(0, nLoc) : locIndex.slice(0, nLoc);
    return { count, values, stackStart, locIndex: finalLoc, labels };
  }

  /**
   * Counts the location ids of one sample without decoding them (one per varint-final byte of the packed
   * field); returns -1 on anything unusual, which pass 2 then reports precisely.
   */
  private countLocationIds(start: number, end: number): number {
    const buf = this.buf;
    let pos = start;
    let n = 0;
    while (pos < end) {
      const tag = buf[pos++]!;
      if (tag === 0x0a || tag === 0x12 || tag === 0x1a) {
        let len = 0;
        let shift = 0;
        let b = 0x80;
        while (b >= 0x80) {
          if (pos >= end || shift > 28) return -1;
          b = buf[pos++]!;
          len += (b & 0x7f) * 2 ** shift;
          shift += 7;
        }
        const e = pos + len;
        if (e > end) return -1;
        if (tag === 0x0a) {
          // Branch-free: a data-dependent branch per byte mispredicts half the time and costs 3× as much.
          let cont = 0;
          for (let k = pos; k < e; k++) cont += buf[k]! >>> 7;
          n += e - pos - cont;
        }
        pos = e;
      } else if (tag === 0x08 || tag === 0x10) {
        if (tag === 0x08) n++;
        while (pos < end && buf[pos]! >= 0x80) pos++;
        pos++;
      } else return -1;
    }
    return n;
  }

  /**
   * Decodes a label, returning one shared one-element list per distinct (key, str, num, unit): heap profiles carry a
   * `bytes` label on every sample, and one object each would dominate decode time and memory.
   */
  private label(start: number, end: number, sample: number): Label[] {
    this.pos = start;
    let keyX = 0;
    let strX = 0;
    let num = 0;
    let unitX = 0;
    while (this.pos < end) {
      const at = this.pos;
      const tag = this.uint32(end);
      const f = tag >>> 3;
      if (f >= 1 && f <= 4) {
        this.expectVarint(tag & 7, 'Label field', at, f);
        const v = this.int64(end, 'Label');
        if (f === 1) keyX = v;
        else if (f === 2) strX = v;
        else if (f === 3) num = v;
        else unitX = v;
      } else this.skip(tag & 7, end, at);
    }
    // pprof reads a label as a string label when str is set, else as a number with an optional unit.
    const isStr = strX !== 0;
    // One small-integer key covers nearly every label (small indexes, modest numbers); a key outside V8's
    // small-integer range would be boxed on every lookup, so larger labels use the nested maps instead.
    let fast = -1;
    if (isStr) {
      if (keyX >= 0 && keyX < 0x400 && strX > 0 && strX < 0x80000) fast = 0x20000000 + ((keyX << 19) | strX);
    } else if (keyX >= 0 && keyX < 0x20 && unitX >= 0 && unitX < 0x20 && num >= 0 && num < 0x80000) {
      fast = (((keyX << 5) | unitX) << 19) | num;
    }
    let one = fast >= 0 ? this.fastLabels.get(fast) : this.slowLabel(keyX, isStr ? -1 - strX : unitX, isStr ? 0 : num);
    if (!one) {
      const what = `sample ${sample} label`;
      const l: Label = { key: this.str(keyX, `${what} key`, start) };
      if (isStr) l.str = this.str(strX, `${what} str`, start);
      else {
        l.num = num;
        if (unitX !== 0) l.numUnit = this.str(unitX, `${what} num_unit`, start);
      }
      one = [l];
      if (fast >= 0) this.fastLabels.set(fast, one);
      else this.slowLabel(keyX, isStr ? -1 - strX : unitX, isStr ? 0 : num, one);
    }
    return one;
  }

  /** Looks up (or, given `set`, stores) a label list in the nested cache for labels the flat key cannot hold. */
  private slowLabel(keyX: number, inner: number, value: number, set?: Label[]): Label[] | undefined {
    let byKey = this.labelCache.get(keyX);
    if (!byKey) this.labelCache.set(keyX, (byKey = new Map()));
    let byInner = byKey.get(inner);
    if (!byInner) byKey.set(inner, (byInner = new Map()));
    if (set) byInner.set(value, set);
    return byInner.get(value);
  }

  private missingLocation(sample: number, id: number, at: number): never {
    throw new ProfileFormatError(`sample ${sample} references missing location id ${id} at byte ${at}`, at);
  }

  // ---- the small tables ----

  private valueType([start, end]: Range, what: string): ValueType {
    this.pos = start;
    let typeX = 0;
    let unitX = 0;
    while (this.pos < end) {
      const at = this.pos;
      const tag = this.uint32(end);
      const f = tag >>> 3;
      if (f === 1 || f === 2) {
        this.expectVarint(tag & 7, 'ValueType field', at, f);
        const v = this.int64(end, 'ValueType');
        if (f === 1) typeX = v;
        else unitX = v;
      } else this.skip(tag & 7, end, at);
    }
    return { type: this.str(typeX, `${what}.type`, start), unit: this.str(unitX, `${what}.unit`, start) };
  }

  private mapping([start, end]: Range): Mapping {
    this.pos = start;
    let id = 0;
    let memoryStart = 0n;
    let memoryLimit = 0n;
    let fileOffset = 0n;
    let fileX = 0;
    let buildX = 0;
    const flags = [false, false, false, false];
    while (this.pos < end) {
      const at = this.pos;
      const tag = this.uint32(end);
      const f = tag >>> 3;
      if (f >= 1 && f <= 10) {
        this.expectVarint(tag & 7, 'Mapping field', at, f);
        if (f === 1) id = this.uint64(end, 'Mapping.id');
        else if (f === 2) memoryStart = this.uint64Big(end);
        else if (f === 3) memoryLimit = this.uint64Big(end);
        else if (f === 4) fileOffset = this.uint64Big(end);
        else if (f === 5) fileX = this.int64(end, 'Mapping.filename');
        else if (f === 6) buildX = this.int64(end, 'Mapping.build_id');
        else flags[f - 7] = this.uint64Big(end) !== 0n;
      } else this.skip(tag & 7, end, at);
    }
    return {
      id,
      memoryStart,
      memoryLimit,
      fileOffset,
      file: this.str(fileX, `mapping ${id} filename`, start),
      buildId: this.str(buildX, `mapping ${id} build_id`, start),
      hasFunctions: flags[0]!,
      hasFilenames: flags[1]!,
      hasLineNumbers: flags[2]!,
      hasInlineFrames: flags[3]!,
    };
  }

  private func([start, end]: Range): ProfileFunction {
    this.pos = start;
    let id = 0;
    let nameX = 0;
    let sysX = 0;
    let fileX = 0;
    let startLine = 0;
    while (this.pos < end) {
      const at = this.pos;
      const tag = this.uint32(end);
      const f = tag >>> 3;
      if (f >= 1 && f <= 5) {
        this.expectVarint(tag & 7, 'Function field', at, f);
        if (f === 1) id = this.uint64(end, 'Function.id');
        else if (f === 2) nameX = this.int64(end, 'Function.name');
        else if (f === 3) sysX = this.int64(end, 'Function.system_name');
        else if (f === 4) fileX = this.int64(end, 'Function.filename');
        else startLine = this.int64(end, 'Function.start_line');
      } else this.skip(tag & 7, end, at);
    }
    return {
      id,
      name: this.str(nameX, `function ${id} name`, start),
      systemName: this.str(sysX, `function ${id} system_name`, start),
      filename: this.str(fileX, `function ${id} filename`, start),
      startLine,
    };
  }

  private location(
    [start, end]: Range,
    mappings: Map<number, Mapping>,
    functions: Map<number, ProfileFunction>,
  ): Location {
    this.pos = start;
    let id = 0;
    let mappingId = 0;
    let address = 0n;
    let isFolded = false;
    const lines: Line[] = [];
    while (this.pos < end) {
      const at = this.pos;
      const tag = this.uint32(end);
      const f = tag >>> 3;
      if (f === 4) {
        const [ls, le] = this.message(tag & 7, end, 'Location.line', at);
        lines.push(this.line(ls, le, functions));
        this.pos = le;
      } else if (f >= 1 && f <= 5) {
        this.expectVarint(tag & 7, 'Location field', at, f);
        if (f === 1) id = this.uint64(end, 'Location.id');
        else if (f === 2) mappingId = this.uint64(end, 'Location.mapping_id');
        else if (f === 3) address = this.uint64Big(end);
        else isFolded = this.uint64Big(end) !== 0n;
      } else this.skip(tag & 7, end, at);
    }
    if (id === 0) throw new ProfileFormatError(`location at byte ${start} has reserved id 0`, start);
    let mapping: Mapping | undefined;
    if (mappingId !== 0) {
      mapping = mappings.get(mappingId);
      if (!mapping) throw new ProfileFormatError(`location ${id} references missing mapping id ${mappingId}`, start);
    }
    // Line objects of a location are owned by it; the function objects are shared.
    return { id, mapping, address, lines, isFolded };
  }

  private line(start: number, end: number, functions: Map<number, ProfileFunction>): Line {
    this.pos = start;
    let fnId = 0;
    let line = 0;
    let column = 0;
    while (this.pos < end) {
      const at = this.pos;
      const tag = this.uint32(end);
      const f = tag >>> 3;
      if (f >= 1 && f <= 3) {
        this.expectVarint(tag & 7, 'Line field', at, f);
        if (f === 1) fnId = this.uint64(end, 'Line.function_id');
        else if (f === 2) line = this.int64(end, 'Line.line');
        else column = this.int64(end, 'Line.column');
      } else this.skip(tag & 7, end, at);
    }
    const fn = functions.get(fnId);
    if (!fn) {
      throw new ProfileFormatError(
        fnId === 0
          ? `location line at byte ${start} has no function (function_id 0)`
          : `location line at byte ${start} references missing function id ${fnId}`,
        start,
      );
    }
    return { function: fn, line, column };
  }

  private str(x: number, what: string, at?: number): string {
    const s = this.strings[x];
    if (s === undefined || x < 0) {
      throw new ProfileFormatError(
        `${what}: string index ${x} is out of range (string table has ${this.strings.length} entries)`,
        at,
      );
    }
    return s;
  }

  // ---- wire-level reading ----

  private fail(msg: string, at: number): never {
    throw new ProfileFormatError(`${msg} at byte ${at}`, at);
  }

  private wireTypeError(what: string, wt: number, at: number): never {
    this.fail(`${what} has wire type ${wt}, which is wrong for that field`, at);
  }

  /** Checks a varint field's wire type; the message is only built on failure (this runs per label on hot paths). */
  private expectVarint(wt: number, what: string, at: number, field?: number): void {
    if (wt !== 0) this.wireTypeError(field === undefined ? what : `${what} ${field}`, wt, at);
  }

  /** Reads a length-delimited field's length and returns its [start, end); the cursor moves past it. */
  private message(wt: number, end: number, what: string, at: number): Range {
    if (wt !== 2) this.wireTypeError(what, wt, at);
    const e = this.lengthPrefix(end);
    const s = this.pos;
    this.pos = e;
    return [s, e];
  }

  /** Reads a length prefix, checks it fits in [pos, end) and returns the payload's end; the cursor is at its start. */
  private lengthPrefix(end: number): number {
    const at = this.pos;
    const len = this.uint32(end);
    const e = this.pos + len;
    if (e > end) {
      this.fail(`length ${len} runs past the end of its enclosing message (${end - this.pos} bytes left)`, at);
    }
    return e;
  }

  private repeatedInt64(wt: number, end: number, what: string, at: number, out: number[]): void {
    if (wt === 0) out.push(this.int64(end, what));
    else if (wt === 2) {
      const pEnd = this.lengthPrefix(end);
      while (this.pos < pEnd) out.push(this.int64(pEnd, what));
    } else this.wireTypeError(what, wt, at);
  }

  private skip(wt: number, end: number, at: number): void {
    switch (wt) {
      case 0:
        this.slowVarint(this.pos, end);
        return;
      case 1:
        if (this.pos + 8 > end) this.fail('truncated fixed64 field', at);
        this.pos += 8;
        return;
      case 2:
        this.pos = this.lengthPrefix(end);
        return;
      case 5:
        if (this.pos + 4 > end) this.fail('truncated fixed32 field', at);
        this.pos += 4;
        return;
      default:
        this.fail(`invalid wire type ${wt}`, at);
    }
  }

  /** Reads a varint that must fit 32 unsigned bits (tags, lengths). */
  private uint32(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= end) this.fail('truncated input: expected a varint', pos);
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let v = b & 0x7f;
    let mul = 0x80;
    for (let i = 1; i < 5; i++) {
      if (pos >= end) this.fail('truncated varint', pos);
      b = buf[pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (v > 0xffffffff) this.fail('tag or length varint exceeds 32 bits', this.pos);
        this.pos = pos;
        return v;
      }
      mul *= 0x80;
    }
    this.fail('tag or length varint exceeds 32 bits', this.pos);
  }

  /** Reads an unsigned varint as an exact number; throws ProfilePrecisionError beyond 2^53 − 1. */
  private uint64(end: number, what: string): number {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    if (pos >= end) this.fail('truncated input: expected a varint', pos);
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let v = b & 0x7f;
    let mul = 0x80;
    // Seven bytes hold 49 bits: always exact in a double.
    for (let i = 1; i < 7; i++) {
      if (pos >= end) this.fail('truncated varint', pos);
      b = buf[pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        return v;
      }
      mul *= 0x80;
    }
    this.slowVarint(start, end);
    if (this.hi > MAX_SAFE_HI) this.precision(what, (BigInt(this.hi) << 32n) | BigInt(this.lo), start);
    return this.hi * TWO32 + this.lo;
  }

  /** Reads an int64 varint (two's complement for negatives) as an exact number; throws ProfilePrecisionError beyond ±(2^53 − 1). */
  private int64(end: number, what: string): number {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    if (pos >= end) this.fail('truncated input: expected a varint', pos);
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.pos = pos;
      return b;
    }
    let v = b & 0x7f;
    let mul = 0x80;
    for (let i = 1; i < 7; i++) {
      if (pos >= end) this.fail('truncated varint', pos);
      b = buf[pos++]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        return v;
      }
      mul *= 0x80;
    }
    this.slowVarint(start, end);
    const lo = this.lo;
    const hi = this.hi;
    if (hi >>> 31 === 0) {
      if (hi > MAX_SAFE_HI) this.precision(what, (BigInt(hi) << 32n) | BigInt(lo), start);
      return hi * TWO32 + lo;
    }
    const nhi = ~hi >>> 0;
    const mag = nhi * TWO32 + (~lo >>> 0) + 1;
    if (nhi > MAX_SAFE_HI || mag > Number.MAX_SAFE_INTEGER) {
      this.precision(what, BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)), start);
    }
    return -mag;
  }

  private uint64Big(end: number): bigint {
    this.slowVarint(this.pos, end);
    return this.hi === 0 ? BigInt(this.lo) : (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  private int64Big(end: number): bigint {
    return BigInt.asIntN(64, this.uint64Big(end));
  }

  private precision(what: string, value: bigint, at: number): never {
    throw new ProfilePrecisionError(
      `${what} value ${value} at byte ${at} does not fit a JavaScript number exactly (|v| > 2^53 - 1)`,
      at,
    );
  }

  /** Decodes a full 64-bit varint starting at `start` into this.lo/this.hi (unsigned 32-bit halves); moves the cursor past it. */
  private slowVarint(start: number, end: number): void {
    const buf = this.buf;
    let pos = start;
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let i = 0; i < 4; i++) {
      if (pos >= end) this.fail('truncated varint', pos);
      b = buf[pos++]!;
      lo = (lo | ((b & 0x7f) << (i * 7))) >>> 0;
      if (b < 0x80) return this.setVarint(pos, lo, hi);
    }
    if (pos >= end) this.fail('truncated varint', pos);
    b = buf[pos++]!;
    lo = (lo | ((b & 0x7f) << 28)) >>> 0;
    hi = (b & 0x7f) >>> 4;
    if (b < 0x80) return this.setVarint(pos, lo, hi);
    for (let i = 0; i < 5; i++) {
      if (pos >= end) this.fail('truncated varint', pos);
      b = buf[pos++]!;
      hi = (hi | ((b & 0x7f) << (i * 7 + 3))) >>> 0;
      if (b < 0x80) return this.setVarint(pos, lo, hi);
    }
    this.fail('varint longer than 10 bytes', start);
  }

  private setVarint(pos: number, lo: number, hi: number): void {
    this.pos = pos;
    this.lo = lo;
    this.hi = hi;
  }
}

function grow(a: Uint32Array, need: number): Uint32Array {
  const g = new Uint32Array(Math.max(need, a.length * 2));
  g.set(a);
  return g;
}

/** Maps location ids to indexes in `Profile.locations`: a dense table for the usual small ids, a Map otherwise. */
class LocationIndex {
  readonly dense: Int32Array;
  readonly sparse: Map<number, number> | undefined;

  constructor(locations: Location[]) {
    let max = 0;
    for (const l of locations) if (l.id > max) max = l.id;
    const denseOk = max <= locations.length * 4 + 1024;
    this.dense = new Int32Array(denseOk ? max + 1 : 0).fill(-1);
    if (!denseOk) this.sparse = new Map();
    locations.forEach((l, i) => {
      const seen = denseOk ? this.dense[l.id]! >= 0 : this.sparse!.has(l.id);
      if (seen) throw new ProfileFormatError(`duplicate location id ${l.id}`);
      if (denseOk) this.dense[l.id] = i;
      else this.sparse!.set(l.id, i);
    });
  }
}
