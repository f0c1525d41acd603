import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '../analysis/finding';
import { functionRanges } from './functionRanges';
import type { PatchVariable } from './patchTargets';

/** A pool variable with the static `pool-misuse` findings that concern it. */
export interface RankedPool {
  pool: PatchVariable;
  /** Findings about this pool's New (same package; the finding names the New function when it can be read). */
  findings: Finding[];
}

/** The identifier after `New:` in the pool's declaration line(s), e.g. `leakyNew` in `sync.Pool{New: leakyNew}`. */
export function poolNewName(pool: PatchVariable, source?: string): string | undefined {
  let text = source;
  if (text === undefined) {
    try {
      text = readFileSync(pool.file, 'utf8');
    } catch {
      return undefined;
    }
  }
  const lines = text
    .split('\n')
    .slice(pool.line - 1, pool.line + 5)
    .join('\n');
  const name = /\bNew\s*:\s*([A-Za-z_][A-Za-z0-9_]*)\b/.exec(lines)?.[1];
  // A function literal has no name to look for in a finding.
  return name === 'func' ? undefined : name;
}

/**
 * Orders pools for the picker: those the static `pool-misuse` rule flags first. A finding concerns a pool when it is
 * in the pool's package folder and either names the pool's New function or the package has only that one pool;
 * findings whose paths are relative are resolved against `root`.
 */
export function rankPoolsByFindings(
  pools: readonly PatchVariable[],
  findings: readonly Finding[],
  root: string,
  newNameOf: (p: PatchVariable) => string | undefined = (p) => poolNewName(p),
): RankedPool[] {
  const misuse = findings.filter((f) => f.rule === 'pool-misuse');
  const dirOf = (f: string): string => path.dirname(path.resolve(root, f));
  const ranked = pools.map((pool) => {
    const dir = dirOf(pool.file);
    const samePkg = misuse.filter((f) => dirOf(f.file) === dir);
    const siblings = pools.filter((p) => dirOf(p.file) === dir).length;
    const name = newNameOf(pool);
    const mine = samePkg.filter((f) =>
      name !== undefined ? new RegExp(`\\b${name}\\b`).test(f.message) || siblings === 1 : siblings === 1,
    );
    return { pool, findings: mine };
  });
  // Stable: flagged pools first, each group in the order given.
  return [...ranked.filter((r) => r.findings.length > 0), ...ranked.filter((r) => r.findings.length === 0)];
}

/**
 * Whether runtime detection flags a pool: a leaking site (1-based lines of runtime diagnostics in the pool's file) lies
 * inside the top-level function the pool's New names, i.e. the allocations New makes are the ones growing.
 */
export function runtimeFlagsPool(
  newName: string | undefined,
  source: string,
  runtimeLines: readonly number[],
): boolean {
  if (!newName) return false;
  const fn = functionRanges(source).find((f) => f.name === newName);
  return fn !== undefined && runtimeLines.some((l) => l >= fn.startLine && l <= fn.endLine);
}
