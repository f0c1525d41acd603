import type { TextEdit } from './rule';

/** Start offsets (UTF-16) of every line of `text`; line N starts at result[N]. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Converts a 0-based line/character position to a UTF-16 offset, clamped to the text. */
export function offsetAt(starts: readonly number[], textLength: number, line: number, character: number): number {
  if (line >= starts.length) return textLength;
  const lineStart = starts[Math.max(0, line)]!;
  const lineEnd = line + 1 < starts.length ? starts[line + 1]! - 1 : textLength;
  return Math.min(lineStart + Math.max(0, character), lineEnd);
}

/** Applies non-overlapping edits (positions refer to the original text), as an editor's workspace edit would. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = lineStarts(text);
  const spans = edits
    .map((e) => ({
      start: offsetAt(starts, text.length, e.startLine, e.startCharacter),
      end: offsetAt(starts, text.length, e.endLine, e.endCharacter),
      text: e.newText,
    }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + s.text + out.slice(s.end);
  return out;
}
