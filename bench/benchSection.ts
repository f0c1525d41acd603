/**
 * The contract between `bench/run.ts` and the benchmark sections in `bench/sections/` (one file per section,
 * run in file-name order; each default-exports a {@link BenchSection}).
 */

/** What the runner gives every section. */
export interface BenchContext {
  /** The repository root. */
  root: string;
  /** A scratch directory for this run, removed afterwards. */
  tmpDir: string;
  /** Prints a progress line to the console (not to the results file). */
  log(line: string): void;
}

/** One benchmark section: measures something and returns its part of `bench/results.md` as Markdown. */
export interface BenchSection {
  /** Heading of the section in the results file. */
  title: string;
  run(ctx: BenchContext): Promise<string>;
}
