/** A `file:line` reference found in a goroutine dump or stack text, with its position for a document link. */
export interface SourceFrameRef {
  /** 0-based line in the text. */
  line: number;
  /** UTF-16 column where `file` starts. */
  start: number;
  /** UTF-16 column just after the line number. */
  end: number;
  file: string;
  /** The 1-based source line number. */
  sourceLine: number;
}

// Frames look like "\t/build/ecu/can/reader.go:42 +0x1d" (debug=2) or "#\t0x4a1\tmain.f+0x2c\t/build/x.go:42" (debug=1).
const FRAME = /(?<=^|[\t ])((?:[A-Za-z]:)?[^\s:]+\.(?:go|s)):(\d+)(?=$|[\s])/g;

/** Finds every `path.go:N` (or `.s`) frame in the text of a goroutine dump, in order. */
export function findSourceFrames(text: string): SourceFrameRef[] {
  const out: SourceFrameRef[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((lineText, line) => {
    if (lineText.length > 8192) return;
    for (const m of lineText.matchAll(FRAME)) {
      const n = Number(m[2]);
      if (!Number.isSafeInteger(n) || n < 1) continue;
      out.push({ line, start: m.index, end: m.index + m[0].length, file: m[1]!, sourceLine: n });
    }
  });
  return out;
}
