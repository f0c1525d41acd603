import { open } from 'node:fs/promises';
import { HotpatchError } from './hotpatchErrors';

/** Random access to a file's bytes, local or (later) remote, so ELF inspection never needs the whole binary. */
export interface ByteSource {
  read(offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** Opens a local file as a ByteSource. */
export async function localByteSource(file: string): Promise<ByteSource> {
  const fh = await open(file, 'r');
  return {
    async read(offset, length) {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    },
    close: () => fh.close(),
  };
}

/** One ELF section header. */
export interface ElfSection {
  name: string;
  type: number;
  flags: bigint;
  addr: number;
  offset: number;
  size: number;
  link: number;
}

/** One ELF symbol table entry. */
export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  /** STT_* type: 1 object, 2 func. */
  type: number;
}

const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;

/**
 * A minimal ELF64 little-endian reader for what a hot patch must know before touching the process: whether the
 * binary has DWARF (or a debug link), which Go built it, and where its symbols and read-only funcvals are.
 */
export class ElfFile {
  private constructor(
    private readonly src: ByteSource,
    readonly sections: ElfSection[],
  ) {}

  /** Reads the ELF header and section headers; throws a HotpatchError for anything that is not ELF64 LE. */
  static async read(src: ByteSource): Promise<ElfFile> {
    const h = await src.read(0, 64);
    if (h.length < 64 || h.readUInt32BE(0) !== 0x7f454c46)
      throw new HotpatchError('no-debug-info', 'not an ELF binary');
    if (h[4] !== 2 || h[5] !== 1)
      throw new HotpatchError('no-debug-info', 'only 64-bit little-endian ELF is supported');
    const shoff = Number(h.readBigUInt64LE(0x28));
    const shentsize = h.readUInt16LE(0x3a);
    const shnum = h.readUInt16LE(0x3c);
    const shstrndx = h.readUInt16LE(0x3e);
    if (shoff === 0 || shnum === 0 || shentsize < 64) return new ElfFile(src, []);
    const table = await src.read(shoff, shnum * shentsize);
    const raw = [];
    for (let i = 0; i < shnum; i++) {
      const o = i * shentsize;
      if (o + 64 > table.length) break;
      raw.push({
        nameOff: table.readUInt32LE(o),
        type: table.readUInt32LE(o + 4),
        flags: table.readBigUInt64LE(o + 8),
        addr: Number(table.readBigUInt64LE(o + 16)),
        offset: Number(table.readBigUInt64LE(o + 24)),
        size: Number(table.readBigUInt64LE(o + 32)),
        link: table.readUInt32LE(o + 40),
      });
    }
    const strSec = raw[shstrndx];
    const names = strSec ? await src.read(strSec.offset, strSec.size) : Buffer.alloc(0);
    const sections = raw.map(({ nameOff, ...s }) => ({ ...s, name: cString(names, nameOff) }));
    return new ElfFile(src, sections);
  }

  /** The section with this name, if any. */
  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /** The bytes of a section (empty for NOBITS). */
  async sectionData(s: ElfSection): Promise<Buffer> {
    if (s.type === SHT_NOBITS) return Buffer.alloc(0);
    return this.src.read(s.offset, s.size);
  }

  /** Whether DWARF is in the file itself (`.debug_info`, possibly compressed, or the old `.zdebug_info`). */
  hasDwarf(): boolean {
    return this.sections.some((s) => (s.name === '.debug_info' || s.name === '.zdebug_info') && s.size > 0);
  }

  /** The file name a `.gnu_debuglink` section points to (split debug info), if any. */
  async debugLink(): Promise<string | undefined> {
    const s = this.section('.gnu_debuglink');
    if (!s) return undefined;
    const name = cString(await this.sectionData(s), 0);
    return name || undefined;
  }

  /** The Go version recorded in `.go.buildinfo` (e.g. `go1.26.8`), or undefined for non-Go or pre-1.18 binaries. */
  async goVersion(): Promise<string | undefined> {
    const s = this.section('.go.buildinfo');
    if (!s) return undefined;
    const d = await this.src.read(s.offset, Math.min(s.size, 4096));
    if (d.subarray(0, 14).toString('latin1') !== '\xff Go buildinf:') return undefined;
    const flags = d[15] ?? 0;
    if ((flags & 2) === 0) return undefined; // pointer-based layout of Go < 1.18
    let off = 32;
    let len = 0;
    for (let shift = 0; off < d.length; shift += 7) {
      const b = d[off++] ?? 0;
      len |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    return d.subarray(off, off + len).toString('utf8') || undefined;
  }

  /** All symbols of `.symtab` (empty when stripped). */
  async symbols(): Promise<ElfSymbol[]> {
    const st = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (!st) return [];
    const strs = this.sections[st.link];
    const [data, names] = await Promise.all([
      this.sectionData(st),
      strs ? this.sectionData(strs) : Promise.resolve(Buffer.alloc(0)),
    ]);
    const out: ElfSymbol[] = [];
    for (let o = 24; o + 24 <= data.length; o += 24) {
      out.push({
        name: cString(names, data.readUInt32LE(o)),
        type: (data[o + 4] ?? 0) & 0xf,
        value: Number(data.readBigUInt64LE(o + 8)),
        size: Number(data.readBigUInt64LE(o + 16)),
      });
    }
    return out;
  }

  /**
   * Addresses of read-only funcvals for a top-level function: 8-byte words in `.rodata`, at or after the linker's
   * `go:funcdesc` symbol, that hold the function's entry PC. Go emits one when the program takes the function's value.
   */
  async funcvalsFor(entry: number, funcdescStart: number | undefined): Promise<number[]> {
    const ro = this.section('.rodata');
    if (!ro) return [];
    const data = await this.sectionData(ro);
    const want = BigInt(entry);
    const out: number[] = [];
    const from = funcdescStart !== undefined && funcdescStart > ro.addr ? funcdescStart - ro.addr : 0;
    for (let o = from - (from % 8); o + 8 <= data.length; o += 8) {
      if (data.readBigUInt64LE(o) === want) out.push(ro.addr + o);
    }
    return out;
  }

  /** Releases the underlying file. */
  close(): Promise<void> {
    return this.src.close();
  }
}

function cString(buf: Buffer, off: number): string {
  if (off >= buf.length) return '';
  const end = buf.indexOf(0, off);
  return buf.subarray(off, end < 0 ? buf.length : end).toString('utf8');
}
