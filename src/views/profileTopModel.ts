import type { Profile } from '../core/pprof/profileModel';
import type { ProfileTopModel, TopRow } from './dashboardMessages';

/** Rows beyond this many are summarised as a count: the webview stays responsive on profiles with huge symbol tables. */
export const MAX_TOP_ROWS = 3000;

/**
 * Builds the dashboard's top-functions model for one sample type: per-function flat (leaf frame) and cum (anywhere
 * on the stack, once per sample), as `go tool pprof -top` computes them.
 */
export function profileTopModel(p: Profile, sampleIndex: number, title: string): ProfileTopModel {
  const rows = functionTotals(p, sampleIndex);
  rows.sort((a, b) => b.flat - a.flat || b.cum - a.cum || a.name.localeCompare(b.name));
  const kept = rows.slice(0, MAX_TOP_ROWS);
  let total = 0;
  const n = p.sampleTypes.length;
  for (let i = 0; i < p.samples.count; i++) total += p.samples.values[i * n + sampleIndex]!;
  return {
    title,
    sampleTypes: p.sampleTypes.map((t) => ({ type: t.type, unit: t.unit })),
    sampleIndex,
    total,
    rows: kept,
    omittedRows: rows.length - kept.length,
  };
}

function functionTotals(p: Profile, sampleIndex: number): TopRow[] {
  const n = p.sampleTypes.length;
  const flat = new Map<string, number>();
  const cum = new Map<string, number>();
  const info = new Map<string, { file: string; line: number }>();
  const seen = new Set<string>();
  const { values, stackStart, locIndex } = p.samples;
  for (let i = 0; i < p.samples.count; i++) {
    const v = values[i * n + sampleIndex]!;
    if (v === 0) continue;
    seen.clear();
    let leaf = true;
    for (let k = stackStart[i]!; k < stackStart[i + 1]!; k++) {
      const loc = p.locations[locIndex[k]!]!;
      for (const line of loc.lines) {
        // pprof -top keys functions by name; an unsymbolized frame has none and is skipped here.
        const name = line.function.name;
        if (leaf) {
          flat.set(name, (flat.get(name) ?? 0) + v);
          leaf = false;
        }
        if (!seen.has(name)) {
          seen.add(name);
          cum.set(name, (cum.get(name) ?? 0) + v);
          if (!info.has(name)) info.set(name, { file: line.function.filename, line: line.function.startLine });
        }
      }
    }
  }
  const rows: TopRow[] = [];
  for (const [name, c] of cum) {
    const f = flat.get(name) ?? 0;
    if (c === 0 && f === 0) continue;
    const i = info.get(name)!;
    rows.push({ name, file: i.file, line: i.line, flat: f, cum: c });
  }
  return rows;
}
