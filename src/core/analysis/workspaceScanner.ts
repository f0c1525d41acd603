import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FindingWithFixes } from './analyzePackage';
import { compareFindings, type SkippedFile } from './finding';
import { findGoPackages, type GoPackageFiles, type WalkOptions } from './findGoFiles';
import { createGoParser } from './goParser';
import { selectRules } from './rules/index';
import { scanPackage, type PackageScanResult } from './scanPackage';
import type { ScanRequest } from './scanWorker';

/** Options for a workspace scan. */
export interface ScanOptions extends WalkOptions {
  /** Rule ids to run; all by default. */
  rules?: string[];
  /** Overrides the go.mod `go` version for every package (rules that depend on it use this). */
  goVersion?: string;
  /** Worker threads; 0 analyses on the calling thread. Default: all cores (at most 8). */
  threads?: number;
  /** Cancels the scan; the promise then rejects with an AbortError and the workers are terminated. */
  signal?: AbortSignal;
  /** Called after each package with files done so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /** The worker script to run instead of scanWorker; a seam for tests of crash handling. */
  worker?: { file: string; execArgv: string[] };
}

/** The outcome of a scan: files seen, findings (sorted), and files skipped with reasons. */
export interface ScanResult {
  files: number;
  findings: FindingWithFixes[];
  skipped: SkippedFile[];
}

/** Raised when a scan is cancelled through its AbortSignal. */
export class ScanAbortedError extends Error {
  override name = 'AbortError';
  constructor() {
    super('the scan was cancelled');
  }
}

/** Scans every Go package under `paths`, spreading packages over worker threads because parsing is CPU-bound. */
export async function scanWorkspace(paths: readonly string[], opts: ScanOptions = {}): Promise<ScanResult> {
  selectRules(opts.rules); // fail fast on unknown rule ids, before any thread starts
  if (opts.signal?.aborted) throw new ScanAbortedError();
  const pkgs = findGoPackages(paths, opts);
  const total = pkgs.reduce((n, p) => n + p.files.length, 0);
  // Biggest packages first, so no thread is left with one large package at the end.
  pkgs.sort((a, b) => b.files.length - a.files.length);
  const threads = Math.min(opts.threads ?? Math.min(8, availableParallelism()), pkgs.length);
  const results = threads <= 0 ? await scanInline(pkgs, total, opts) : await scanInWorkers(pkgs, total, threads, opts);
  return {
    files: total,
    findings: results.flatMap((r) => r.findings).sort(compareFindings),
    skipped: results.flatMap((r) => r.skipped).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0)),
  };
}

async function scanInline(pkgs: GoPackageFiles[], total: number, opts: ScanOptions): Promise<PackageScanResult[]> {
  const parser = await createGoParser();
  try {
    const out: PackageScanResult[] = [];
    let done = 0;
    for (const p of pkgs) {
      if (opts.signal?.aborted) throw new ScanAbortedError();
      out.push(scanPackage(parser, p, opts.rules, opts.goVersion));
      done += p.files.length;
      opts.onProgress?.(done, total);
      await new Promise((r) => setImmediate(r)); // let an abort be observed
    }
    return out;
  } finally {
    parser.delete();
  }
}

/** The worker script and the Node options it needs: the bundle's scanWorker.js, or the .ts source under tsx. */
export function workerEntry(): { file: string; execArgv: string[] } {
  const js = path.join(__dirname, 'scanWorker.js');
  if (existsSync(js)) return { file: js, execArgv: [] };
  return { file: path.join(__dirname, 'scanWorker.ts'), execArgv: ['--require', 'tsx/cjs'] };
}

function scanInWorkers(
  pkgs: GoPackageFiles[],
  total: number,
  threads: number,
  opts: ScanOptions,
): Promise<PackageScanResult[]> {
  return new Promise((resolve, reject) => {
    const entry = opts.worker ?? workerEntry();
    const workers = new Set<Worker>();
    const inFlight = new Map<Worker, GoPackageFiles>();
    const out: PackageScanResult[] = [];
    let next = 0;
    let done = 0;
    let crashes = 0;
    let answers = 0;
    let finished = false;
    const finish = (err?: Error): void => {
      if (finished) return;
      finished = true;
      opts.signal?.removeEventListener('abort', onAbort);
      for (const w of workers) void w.terminate();
      if (err) reject(err);
      else resolve(out);
    };
    const onAbort = (): void => finish(new ScanAbortedError());
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const record = (r: PackageScanResult): void => {
      out.push(r);
      done += r.files;
      opts.onProgress?.(done, total);
    };
    const failed = (pkg: GoPackageFiles, reason: string): PackageScanResult => ({
      dir: pkg.dir,
      files: pkg.files.length,
      findings: [],
      skipped: pkg.files.map((file) => ({ file, reason })),
    });
    const feed = (w: Worker): void => {
      if (finished) return;
      const pkg = pkgs[next++];
      if (!pkg) {
        if (inFlight.size === 0) finish();
        return;
      }
      inFlight.set(w, pkg);
      const req: ScanRequest = { pkg, ruleIds: opts.rules, goVersion: opts.goVersion };
      w.postMessage(req);
    };
    const spawnWorker = (): void => {
      const w = new Worker(entry.file, { execArgv: entry.execArgv });
      workers.add(w);
      w.on('message', (msg: { ok: true; result: PackageScanResult } | { ok: false; dir: string; error: string }) => {
        const pkg = inFlight.get(w);
        inFlight.delete(w);
        answers++;
        if (msg.ok) record(msg.result);
        else if (pkg) record(failed(pkg, msg.error));
        feed(w);
      });
      // A worker that dies (a crash in the parser, say) costs its package, not the scan: skip it, start another.
      const lost = (why: string): void => {
        if (finished || !workers.delete(w)) return;
        const pkg = inFlight.get(w);
        inFlight.delete(w);
        void w.terminate();
        if (pkg) record(failed(pkg, `the analyzer crashed: ${why}`));
        if (next >= pkgs.length && inFlight.size === 0) {
          finish();
          return;
        }
        // Workers that die before ever answering (the script cannot load, say) would die forever: give up.
        if (++crashes > threads + 2 && answers === 0) {
          finish(new Error(`scan worker failed: ${why}`));
          return;
        }
        spawnWorker();
      };
      w.on('error', (err) => lost(err.message));
      w.on('exit', (code) => lost(`exit code ${code}`));
      feed(w);
    };
    for (let i = 0; i < threads; i++) spawnWorker();
  });
}
