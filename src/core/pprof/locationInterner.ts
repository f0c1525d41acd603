import type { Location, ProfileFunction } from './profileModel';
import type { FrameComment } from './stackRecordText';

/**
 * Interns functions (by name and file) and locations (by address and frame) while a text profile is parsed, so that
 * text formats produce the same deduplicated location/function tables as a decoded profile.proto.
 */
export class LocationInterner {
  /** Interned functions, ids from 1 in order of first use. */
  readonly functions: ProfileFunction[] = [];
  /** Interned locations, ids from 1 in order of first use. */
  readonly locations: Location[] = [];
  private readonly fnByKey = new Map<string, ProfileFunction>();
  private readonly locByKey = new Map<string, number>();

  /** Returns the location index for a symbolized frame (one line) at `address` (0n when unknown). */
  frame(address: bigint, name: string, file: string, line: number): number {
    const key = `${address}\u0000${name}\u0000${file}\u0000${line}`;
    let i = this.locByKey.get(key);
    if (i === undefined) {
      i = this.locations.length;
      this.locations.push({
        id: i + 1,
        mapping: undefined,
        address,
        lines: [{ function: this.fn(name, file), line, column: 0 }],
        isFolded: false,
      });
      this.locByKey.set(key, i);
    }
    return i;
  }

  /** Returns the location index for an unsymbolized address. */
  address(address: bigint): number {
    const key = `${address}`;
    let i = this.locByKey.get(key);
    if (i === undefined) {
      i = this.locations.length;
      this.locations.push({ id: i + 1, mapping: undefined, address, lines: [], isFolded: false });
      this.locByKey.set(key, i);
    }
    return i;
  }

  /** Returns the location index for a `#\t0xPC...` frame line: symbolized when it names a function, else by address. */
  frameComment(c: FrameComment): number {
    return c.function === undefined ? this.address(c.pc) : this.frame(c.pc, c.function, c.file ?? '', c.line ?? 0);
  }

  /**
   * Returns the stack of a `count @ 0x...` record: its frame lines when it had any, else its addresses, each minus one
   * because they are return addresses (as pprof does for legacy profiles).
   */
  recordStack(frames: number[], pcs: bigint[]): number[] {
    return frames.length > 0 ? frames : pcs.map((pc) => this.address(pc - 1n));
  }

  private fn(name: string, file: string): ProfileFunction {
    const key = `${name}\u0000${file}`;
    let f = this.fnByKey.get(key);
    if (!f) {
      f = { id: this.functions.length + 1, name, systemName: name, filename: file, startLine: 0 };
      this.functions.push(f);
      this.fnByKey.set(key, f);
    }
    return f;
  }
}
