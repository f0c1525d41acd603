import type { SnapshotEntry } from './seriesIndex';

/** How a series run is paced and when it stops. */
export interface RunSeriesOptions {
  /** Time between snapshot starts. */
  intervalMs: number;
  /** Stop after this many snapshots in this run; unlimited when absent. */
  count?: number;
  /** Stops the run between snapshots (Ctrl-C); the snapshot in progress is finished and recorded first. */
  signal?: AbortSignal;
  /** Called after every recorded snapshot. */
  onSnapshot?(entry: SnapshotEntry): void;
}

/** Why a run ended. */
export interface RunSeriesResult {
  stoppedBy: 'count' | 'signal' | 'error';
  taken: number;
  error?: Error;
}

/**
 * Runs `collect` every `intervalMs` (fixed rate from the start of the run; an overrunning snapshot delays the next one
 * instead of piling up). A thrown error ends the run (collectSnapshot only throws for refusals that need the user).
 */
export async function runSeries(
  collect: () => Promise<SnapshotEntry>,
  opts: RunSeriesOptions,
): Promise<RunSeriesResult> {
  const start = Date.now();
  let taken = 0;
  for (let k = 0; ; k++) {
    if (opts.signal?.aborted) return { stoppedBy: 'signal', taken };
    if (opts.count !== undefined && taken >= opts.count) return { stoppedBy: 'count', taken };
    const due = start + k * opts.intervalMs;
    const wait = due - Date.now();
    if (wait > 0 && !(await sleep(wait, opts.signal))) return { stoppedBy: 'signal', taken };
    try {
      const entry = await collect();
      taken++;
      opts.onSnapshot?.(entry);
    } catch (e) {
      taken++;
      return { stoppedBy: 'error', taken, error: e instanceof Error ? e : new Error(String(e)) };
    }
  }
}

/** Sleeps; resolves false early when the signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
