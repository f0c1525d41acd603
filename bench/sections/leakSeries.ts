/**
 * Bench section: the leak series (issue 4's performance figures) on a synthetic 10 MB Go heap profile from
 * `bench/gen`, replayed as a 60-snapshot series of one process (same stacks, values changing per snapshot):
 * 1. updating the series with a new snapshot (decode + site aggregation) against decoding it alone (≤ 3×);
 * 2. the report over 60 snapshots (< 1 s);
 * 3. memory held by a 60-snapshot window (< 300 MB).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeHeap } from '../../src/core/leak/heapAnalysis';
import { HeapSeries } from '../../src/core/leak/heapSeries';
import { resolveLeakConfig } from '../../src/core/leak/leakConfig';
import { decodeProfile } from '../../src/core/pprof/decodeProfile';
import type { Profile } from '../../src/core/pprof/profileModel';
import type { BenchContext, BenchSection } from '../benchSection';

const SNAPSHOTS = 60;
const TARGET_MB = 10;
const SITES = 2000;
const BYTES_PER_SAMPLE = 77;
const BYTES_PER_SITE = 200;

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const mb = (b: number): string => (b / 1e6).toFixed(1);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const held = (): number => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/**
 * Makes snapshot `k` of the replayed process: every 10th sample leaks (in-use grows with k), the rest wobble,
 * and alloc counters grow, so each snapshot is a new GC epoch with changing per-site values.
 */
function evolve(p: Profile, k: number): void {
  const v = p.samples.values;
  const w = p.sampleTypes.length;
  for (let s = 0; s < p.samples.count; s++) {
    const b = s * w;
    const grow = s % 10 === 0 ? 1 + k / 10 : 1 + (((s * 7 + k) % 5) - 2) / 100;
    v[b + 2] = Math.round(v[b + 2]! * grow);
    v[b + 3] = Math.round(v[b + 3]! * grow);
    v[b + 0] = v[b + 0]! * (1 + k);
    v[b + 1] = v[b + 1]! * (1 + k);
  }
}

async function run(ctx: BenchContext): Promise<string> {
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function')
    throw new Error('run with node --expose-gc (npm run bench does)');
  const gen = path.join(ctx.tmpDir, 'pprof-gen-leak');
  ctx.log('building bench/gen');
  execFileSync('go', ['build', '-o', gen, '.'], { cwd: path.join(ctx.root, 'bench', 'gen'), stdio: 'inherit' });
  const file = path.join(ctx.tmpDir, `heap-${TARGET_MB}mb-series.pb.gz`);
  const samples = Math.round((TARGET_MB * 1e6 - SITES * BYTES_PER_SITE) / BYTES_PER_SAMPLE);
  const info = JSON.parse(
    execFileSync(gen, ['-out', file, '-samples', String(samples), '-sites', String(SITES)], { encoding: 'utf8' }),
  ) as { uncompressedBytes: number; samples: number };
  const gz = readFileSync(file);
  ctx.log(`${mb(info.uncompressedBytes)} MB raw, ${mb(gz.length)} MB gzipped, ${info.samples} samples`);

  const config = resolveLeakConfig();
  // Warm the decoder's JIT outside the series so the first snapshot's figure is about interning, not compiling.
  decodeProfile(gz);
  gc();
  const before = held();
  const series = new HeapSeries({ config, window: SNAPSHOTS });
  const decodeWall: number[] = [];
  const decodeCpu: number[] = [];
  const updateWall: number[] = [];
  const updateCpu: number[] = [];
  let firstRatio = 0;
  for (let k = 0; k < SNAPSHOTS; k++) {
    gc();
    let c0 = cpuMs();
    let t0 = performance.now();
    const p = decodeProfile(gz);
    const dWall = performance.now() - t0;
    const dCpu = cpuMs() - c0;
    evolve(p, k);
    c0 = cpuMs();
    t0 = performance.now();
    series.add(1_700_000_000_000 + k * 10_000, p);
    const aWall = performance.now() - t0;
    const aCpu = cpuMs() - c0;
    if (k === 0) firstRatio = (dCpu + aCpu) / dCpu;
    else {
      decodeWall.push(dWall);
      decodeCpu.push(dCpu);
      updateWall.push(dWall + aWall);
      updateCpu.push(dCpu + aCpu);
    }
  }
  gc();
  gc();
  const window = held() - before;
  const rss = process.memoryUsage().rss;

  const reportWall: number[] = [];
  let suspects = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const a = analyzeHeap(series, config);
    reportWall.push(performance.now() - t0);
    suspects = a.suspects.length;
  }
  const sizes = series.internedSizes;
  const ratioCpu = median(updateCpu) / median(decodeCpu);
  const ratioWall = median(updateWall) / median(decodeWall);
  const rep = median(reportWall);
  const ok = (b: boolean): string => (b ? 'met' : 'MISSED');
  return [
    `A ${mb(info.uncompressedBytes)} MB heap profile (${mb(gz.length)} MB gzipped, ${info.samples} samples, ${SITES} site`,
    `functions) from \`bench/gen\`, replayed as ${SNAPSHOTS} snapshots of one process: each is decoded from the gzipped bytes,`,
    'its values evolved (every 10th stack leaks, the rest wobble), and added to one `HeapSeries`. Medians of snapshots',
    `2–${SNAPSHOTS}; CPU time is this process, all threads.`,
    '',
    '| figure | wall | CPU |',
    '|---|---|---|',
    `| decode alone | ${median(decodeWall).toFixed(0)} ms | ${median(decodeCpu).toFixed(0)} ms |`,
    `| decode + series update | ${median(updateWall).toFixed(0)} ms | ${median(updateCpu).toFixed(0)} ms |`,
    `| ratio (target ≤ 3×) | **${ratioWall.toFixed(2)}×** | **${ratioCpu.toFixed(2)}×** |`,
    `| first snapshot (interning every frame and stack), ratio | | ${firstRatio.toFixed(2)}× |`,
    `| heap report over ${SNAPSHOTS} snapshots (analyzeHeap, median of 5) | ${rep.toFixed(0)} ms | |`,
    '',
    `Interned: ${sizes.frames} frames, ${sizes.stacks} stack nodes (${mb(sizes.stackTableBytes)} MB of tables), ${sizes.sites} sites;`,
    `${suspects} suspects listed. Memory held by the ${SNAPSHOTS}-snapshot window after GC (JS heap + array buffers, the`,
    `decoded profiles already dropped): **${mb(window)} MB**; process RSS at that point ${mb(rss)} MB.`,
    '',
    'Targets (issue 4):',
    '',
    `- series update within 3× decode: ${ratioCpu.toFixed(2)}× CPU, ${ratioWall.toFixed(2)}× wall — ${ok(ratioCpu <= 3)}`,
    `- report over ${SNAPSHOTS} snapshots under 1 s: ${rep.toFixed(0)} ms — ${ok(rep < 1000)}`,
    `- ${SNAPSHOTS}-snapshot window of 10 MB profiles under 300 MB: ${mb(window)} MB held (RSS ${mb(rss)} MB) — ${ok(window < 300e6)}`,
  ].join('\n');
}

/** The leak series benchmark section. */
const section: BenchSection = { title: 'leak series: update cost, 60-snapshot report, window memory', run };
export default section;
