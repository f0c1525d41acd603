/**
 * Child-process probe for the pprof benchmark: decodes and aggregates one profile in a fresh process and
 * prints its memory figures as JSON, so the peak is not polluted by earlier runs in the bench process.
 */
import { readFileSync } from 'node:fs';
import { aggregateByFunction } from '../../src/core/pprof/aggregate';
import { decodeProfile } from '../../src/core/pprof/decodeProfile';
import { defaultSampleIndex } from '../../src/core/pprof/profileModel';

const file = process.argv[2];
if (!file) throw new Error('usage: pprofMemProbe FILE');
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const rssBefore = process.memoryUsage().rss;
const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
const t0 = performance.now();
let input: Buffer | undefined = readFileSync(file);
// VmHWM, not getrusage's maxRSS: the latter survives exec and so starts at the forking parent's RSS.
const maxRss = (): number =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) * 1024;
const afterRead = maxRss();
const p = decodeProfile(input);
input = undefined; // only the decoded profile should count as retained
const afterDecode = maxRss();
const agg = aggregateByFunction(p, defaultSampleIndex(p));
const ms = performance.now() - t0;
// Twice: array buffers released by the first collection are only freed by the next.
gc?.();
gc?.();
const retained = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heapBefore;
const peakRss = maxRss();
process.stdout.write(
  JSON.stringify({
    rssBefore,
    afterRead,
    afterDecode,
    peakRss,
    retained,
    ms,
    rows: agg.rows.length,
    samples: p.samples.count,
    execArgv: process.execArgv,
  }) + '\n',
);
