import type { LeakReport } from './leakReport';
import { formatBytes } from './units';

/** The budgets of the CI memory gate; each limit is optional. */
export interface LeakBudgets {
  /** Most heap growth allowed, bytes per second. */
  maxHeapGrowthBytesPerSec?: number;
  /** Most goroutine growth allowed, goroutines per second. */
  maxGoroutineGrowthPerSec?: number;
  /** Highest memory.current / memory.max allowed. */
  maxCgroupRatio?: number;
  /** Highest allocation rate allowed, bytes per second. */
  maxAllocBytesPerSec?: number;
  /** Fail when the target was OOM-killed in the window (its cgroup's oom_kill counter rose as it died or restarted). */
  failOnOomKill?: boolean;
}

/** The gate's defaults, as `leakhunt gate` documents them: 1 MB/min, 10/min, 0.9, 50 MB/s. */
export const DEFAULT_BUDGETS: Required<LeakBudgets> = {
  maxHeapGrowthBytesPerSec: 1e6 / 60,
  maxGoroutineGrowthPerSec: 10 / 60,
  maxCgroupRatio: 0.9,
  maxAllocBytesPerSec: 50e6,
  failOnOomKill: true,
};

/** The gate's verdict: passed, or the reasons it failed. */
export interface BudgetResult {
  passed: boolean;
  reasons: string[];
  /** Things the gate saw but does not fail on (a target that stopped answering or restarted without an OOM kill). */
  notes: string[];
}

/**
 * Checks a report against budgets.
 *
 * A trend only counts when the analysis judged it real: the heap budget applies to a total heap that is
 * `leak`/`growing` and to each `leak` site, the goroutine budget to `leak`/`growing` groups and to the total. A
 * noisy but stable heap never fails the gate on its least-squares slope alone.
 */
export function checkBudgets(r: LeakReport, b: LeakBudgets): BudgetResult {
  const reasons: string[] = [];
  const notes: string[] = [];
  // The lifecycle goes first: an OOM kill is the verdict the other budgets only predict.
  const life = r.lifecycle;
  if (b.failOnOomKill && life.oomKilled) reasons.push(`target ${life.summary}`);
  else if (life.state !== 'running') notes.push(life.summary);
  if (b.maxHeapGrowthBytesPerSec !== undefined && r.heap) {
    const limitMin = b.maxHeapGrowthBytesPerSec * 60;
    const totalGrows = r.heap.totalVerdict === 'leak' || r.heap.totalVerdict === 'growing';
    if (totalGrows && r.heap.trendBytesPerMin > limitMin) {
      reasons.push(
        `heap grows ${formatBytes(r.heap.trendBytesPerMin)}/min (${r.heap.totalVerdict}), budget ${formatBytes(limitMin)}/min`,
      );
    }
    for (const s of r.heap.suspects) {
      if (s.verdict === 'leak' && s.slopeBytesPerMin > limitMin) {
        reasons.push(
          `heap leak at ${s.file}:${s.line} (${s.function}): ${formatBytes(s.slopeBytesPerMin)}/min, budget ${formatBytes(limitMin)}/min`,
        );
      }
    }
  }
  if (b.maxGoroutineGrowthPerSec !== undefined && r.goroutines) {
    const limitMin = b.maxGoroutineGrowthPerSec * 60;
    const growingGroups = r.goroutines.suspects.filter((g) => g.verdict === 'leak' || g.verdict === 'growing');
    if (growingGroups.length > 0 && r.goroutines.slopePerMin > limitMin) {
      reasons.push(`goroutines grow ${r.goroutines.slopePerMin.toFixed(1)}/min, budget ${limitMin.toFixed(1)}/min`);
    }
    for (const g of growingGroups) {
      if (g.slopePerMin > limitMin || g.proven) {
        reasons.push(
          `goroutine ${g.verdict}${g.proven ? ' (proven)' : ''} at ${g.file}:${g.line} (${g.function}, ${g.state}): ` +
            `${g.count} goroutines, ${g.slopePerMin.toFixed(1)}/min, budget ${limitMin.toFixed(1)}/min`,
        );
      }
    }
  }
  if (b.maxCgroupRatio !== undefined && r.container.ratio !== null && r.container.ratio > b.maxCgroupRatio) {
    reasons.push(
      `cgroup memory at ${(r.container.ratio * 100).toFixed(1)}% of its limit, budget ${(b.maxCgroupRatio * 100).toFixed(1)}%`,
    );
  }
  const alloc = r.sli.allocBytesPerSec.value;
  if (b.maxAllocBytesPerSec !== undefined && alloc !== null && alloc > b.maxAllocBytesPerSec) {
    reasons.push(
      `allocation rate ${(alloc / 1e6).toFixed(1)} MB/s, budget ${(b.maxAllocBytesPerSec / 1e6).toFixed(1)} MB/s`,
    );
  }
  return { passed: reasons.length === 0, reasons, notes };
}
