/** One `#\t0xPC\tfunc+0xoff\tfile:line` frame line of a legacy text profile (runtime/pprof `printStackRecord`). */
export interface FrameComment {
  pc: bigint;
  /** Function name without the `+0xoff` suffix; absent for an unsymbolized `#\t0xPC` line. */
  function?: string;
  file?: string;
  line?: number;
}

/**
 * Parses a frame comment line, or returns `undefined` if the line is not one. Go writes these through a tabwriter that
 * pads with tabs, so fields are separated by runs of tabs.
 */
export function parseFrameComment(line: string): FrameComment | undefined {
  if (!line.startsWith('#\t')) return undefined;
  const fields = line.slice(2).split(/\t+/);
  const pcText = fields[0] ?? '';
  if (!/^0x[0-9a-fA-F]+$/.test(pcText)) return undefined;
  const pc = BigInt(pcText);
  if (fields.length < 3) return { pc };
  const fnField = fields[1]!;
  const fileLine = fields.slice(2).join('\t');
  const off = fnField.lastIndexOf('+0x');
  const fn = off > 0 ? fnField.slice(0, off) : fnField;
  const colon = fileLine.lastIndexOf(':');
  const ln = colon >= 0 ? Number(fileLine.slice(colon + 1)) : NaN;
  if (colon < 0 || !Number.isInteger(ln)) return { pc, function: fn, file: fileLine, line: 0 };
  return { pc, function: fn, file: fileLine.slice(0, colon), line: ln };
}

/** Parses the ` 0x.. 0x..` address list after `@` in a record line into bigints; `undefined` if malformed. */
export function parseAddressList(s: string): bigint[] | undefined {
  const t = s.trim();
  if (t === '') return [];
  const parts = t.split(/\s+/);
  if (!parts.every((p) => /^0x[0-9a-fA-F]{1,16}$/.test(p))) return undefined;
  return parts.map((p) => BigInt(p));
}
