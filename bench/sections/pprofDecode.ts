/**
 * Bench section: pprof decode + per-function aggregation against node's plain gunzip (the physical floor)
 * and against `go tool pprof -top` (whole process), on synthetic Go heap profiles of about 1, 10 and 50 MB
 * made by the Go generator in `bench/gen/`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { aggregateByFunction } from '../../src/core/pprof/aggregate';
import { decodeProfile } from '../../src/core/pprof/decodeProfile';
import { defaultSampleIndex } from '../../src/core/pprof/profileModel';
import type { BenchContext, BenchSection } from '../benchSection';

/** Target sizes in MB (uncompressed) and the number of distinct allocation-site functions for each. */
const SIZES = [
  { mb: 1, sites: 500, runs: 9 },
  { mb: 10, sites: 2000, runs: 7 },
  { mb: 50, sites: 5000, runs: 5 },
];
/** Measured bytes per sample of the generator's output, to pick a sample count for a target size. */
const BYTES_PER_SAMPLE = 77;
const BYTES_PER_SITE = 200;

interface GenInfo {
  uncompressedBytes: number;
  samples: number;
  locations: number;
  functions: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const mb = (b: number): string => (b / 1e6).toFixed(1);

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs a process to completion, polling /proc for its peak RSS (VmHWM); returns wall ms and peak bytes. */
function runMeasured(cmd: string, args: string[]): Promise<{ ms: number; peakRss: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch {
        // The process has just exited.
      }
    }, 10);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`${cmd} exited ${code}: ${err.slice(0, 500)}`));
      else resolve({ ms, peakRss: peak, stdout: out });
    });
  });
}

async function run(ctx: BenchContext): Promise<string> {
  const genDir = path.join(ctx.root, 'bench', 'gen');
  const gen = path.join(ctx.tmpDir, 'pprof-gen');
  ctx.log('building bench/gen');
  execFileSync('go', ['build', '-o', gen, '.'], { cwd: genDir, stdio: 'inherit' });
  // The pprof tool binary itself, so the peak RSS we poll is pprof's and not the go command's.
  const pprofBin = execFileSync('go', ['tool', '-n', 'pprof'], { encoding: 'utf8' }).trim();
  const probe = path.join(ctx.root, 'bench', 'probes', 'pprofMemProbe.ts');

  const timeRows: string[] = [];
  const memRows: string[] = [];
  const verdicts: string[] = [];
  // PPROF_BENCH_SIZES=50 (comma-separated MB targets) runs a subset, e.g. while tuning.
  const only = process.env.PPROF_BENCH_SIZES?.split(',').map(Number);
  for (const size of SIZES.filter((x) => !only || only.includes(x.mb))) {
    const file = path.join(ctx.tmpDir, `heap-${size.mb}mb.pb.gz`);
    const samples = Math.max(1000, Math.round((size.mb * 1e6 - size.sites * BYTES_PER_SITE) / BYTES_PER_SAMPLE));
    const info = JSON.parse(
      execFileSync(gen, ['-out', file, '-samples', String(samples), '-sites', String(size.sites)], {
        encoding: 'utf8',
      }),
    ) as GenInfo;
    const gz = readFileSync(file);
    ctx.log(
      `${size.mb} MB target: ${mb(info.uncompressedBytes)} MB raw, ${mb(gz.length)} MB gzipped, ${info.samples} samples`,
    );

    // In-process timings, gunzip and decode+aggregate interleaved so both see the same machine load. CPU time
    // (this process, all threads) is reported beside wall time because the machine may be shared.
    const t = performance.now();
    const p0 = decodeProfile(gz);
    aggregateByFunction(p0, defaultSampleIndex(p0));
    const coldMs = performance.now() - t;
    const gunzipMs: number[] = [];
    const gunzipCpu: number[] = [];
    const decodeAggMs: number[] = [];
    const decodeAggCpu: number[] = [];
    const decodeMs: number[] = [];
    // No forced GC between runs: a forced full GC right before a decode makes it several times slower (V8 drops
    // optimized code and shrinks the young generation), which is not how the extension or CLI run.
    for (let r = 0; r < size.runs; r++) {
      let c0 = cpuMs();
      let t0 = performance.now();
      gunzipSync(gz);
      gunzipMs.push(performance.now() - t0);
      gunzipCpu.push(cpuMs() - c0);
      c0 = cpuMs();
      t0 = performance.now();
      const p = decodeProfile(gz);
      const t1 = performance.now();
      aggregateByFunction(p, defaultSampleIndex(p));
      decodeAggMs.push(performance.now() - t0);
      decodeAggCpu.push(cpuMs() - c0);
      decodeMs.push(t1 - t0);
    }
    const g = median(gunzipMs);
    const gCpu = median(gunzipCpu);
    const da = median(decodeAggMs);
    const dac = median(decodeAggCpu);
    const d = median(decodeMs);

    ctx.log('memory probe (fresh node process)');
    const probeRun = await runMeasured(process.execPath, ['--expose-gc', '--import', 'tsx', probe, file]);
    const mem = JSON.parse(probeRun.stdout) as { rssBefore: number; peakRss: number; retained: number; ms: number };
    const peakGrowth = mem.peakRss - mem.rssBefore;
    ctx.log(`probe: ${probeRun.stdout.trim()}`);

    ctx.log('go tool pprof -top (whole process)');
    const goRun = await runMeasured(pprofBin, [
      '-top',
      '-nodecount=1000000',
      '-nodefraction=0',
      '-edgefraction=0',
      '-unit=B',
      '-sample_index=inuse_space',
      file,
    ]);

    timeRows.push(
      `| ${mb(info.uncompressedBytes)} MB (${mb(gz.length)} MB gz) | ${info.samples} | ${info.functions} | ` +
        `${g.toFixed(0)} / ${gCpu.toFixed(0)} | ${d.toFixed(0)} | ${da.toFixed(0)} / ${dac.toFixed(0)} | ` +
        `**${(da / g).toFixed(2)}×** / **${(dac / gCpu).toFixed(2)}×** | ${coldMs.toFixed(0)} | ` +
        `${(goRun.ms / 1000).toFixed(2)} s | **${(goRun.ms / da).toFixed(0)}×** | ${(probeRun.ms / 1000).toFixed(2)} s |`,
    );
    memRows.push(
      `| ${mb(info.uncompressedBytes)} MB | ${mb(peakGrowth)} MB (**${(peakGrowth / info.uncompressedBytes).toFixed(2)}×**) | ` +
        `${mb(mem.retained)} MB | ${mb(mem.peakRss)} MB | ${mb(goRun.peakRss)} MB (${(goRun.peakRss / info.uncompressedBytes).toFixed(1)}×) |`,
    );
    if (size.mb === 50) {
      const ok = (b: boolean): string => (b ? 'met' : 'MISSED');
      verdicts.push(
        `- decode + aggregation within 4× gunzip on the 50 MB profile: ${(dac / gCpu).toFixed(2)}× in CPU time, ` +
          `${(da / g).toFixed(2)}× in wall time — ${ok(dac / gCpu <= 4)} (CPU time; wall time on a shared machine is noisier)`,
        `- at least 20× faster than \`go tool pprof -top\`: ${(goRun.ms / da).toFixed(0)}× in-process, ` +
          `${(goRun.ms / probeRun.ms).toFixed(0)}× counting our whole fresh process (node + tsx start-up) — ${ok(goRun.ms / da >= 20)}`,
        `- peak memory under 4× the uncompressed size: peak RSS growth ${(peakGrowth / info.uncompressedBytes).toFixed(2)}× ` +
          `(it includes the ${mb(gz.length)} MB gzipped input held by the caller; whole-process peak RSS ` +
          `${(mem.peakRss / info.uncompressedBytes).toFixed(2)}× with Node's own ~${mb(mem.rssBefore)} MB) — ${ok(peakGrowth / info.uncompressedBytes < 4)}`,
      );
    }
  }

  return [
    'Synthetic Go heap profiles from `bench/gen` (google/pprof `profile` package: four heap sample types, a `bytes` label',
    'on every sample, inlined frames, thousands of allocation sites under a layered call graph). Times in ms, medians of',
    'warm runs, as wall / CPU time; "decode+agg" is `decodeProfile` on the gzipped bytes (gunzip included) plus',
    '`aggregateByFunction` on the default sample type; "first run" is the cold first call. `go tool pprof -top',
    '-nodecount=1000000 -nodefraction=0 -edgefraction=0 -unit=B` is timed as a whole process (wall).',
    '',
    '| profile | samples | functions | gunzip | decode | decode+agg | ÷ gunzip | first run | go pprof -top | speed-up | our whole process |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...timeRows,
    '',
    'Memory, ours measured in a fresh Node process (`bench/probes/pprofMemProbe.ts`): "peak growth" is peak RSS minus RSS',
    'before reading the file (so it includes the gzipped input); "retained" is heap + array buffers still held by the',
    'decoded profile after GC. go pprof peak RSS is polled from /proc.',
    '',
    '| profile | our peak growth (÷ raw size) | retained | our peak RSS | go pprof peak RSS |',
    '|---|---|---|---|---|',
    ...memRows,
    '',
    'Targets (issue 2), on the 50 MB profile:',
    '',
    ...verdicts,
  ].join('\n');
}

/** The pprof decode benchmark section. */
const section: BenchSection = { title: 'pprof decode + aggregation vs gunzip and go tool pprof', run };
export default section;
