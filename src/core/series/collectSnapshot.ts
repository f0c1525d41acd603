import { decodeProfile } from '../pprof/decodeProfile';
import { parseMemStats } from '../pprof/heapText';
import type { Profile } from '../pprof/profileModel';
import type { AcquisitionTarget } from '../remote/acquisitionTarget';
import type { CgroupMemoryReader } from '../remote/cgroupMemory';
import type { ContainerStateProbe } from '../remote/containerStateProbe';
import { decodedBody, type HttpGetOptions } from '../remote/httpGet';
import { DEFAULT_PPROF_PREFIX, fetchProfile, PPROF_ENDPOINTS, type ProfileKind } from '../remote/pprofEndpoints';
import { RemoteError } from '../remote/remoteErrors';
import { silentLogger, type TraceLogger } from '../remote/traceLogger';
import type { MemStatsFigures, SnapshotEntry, SnapshotGap } from './seriesIndex';
import type { SnapshotSeries } from './snapshotSeries';

/** The kinds a snapshot collects by default, in fetch order (heap first: it is what the series is about). */
export const SNAPSHOT_KINDS: ProfileKind[] = [
  'heap',
  'goroutine',
  'goroutine-debug2',
  'goroutineleak',
  'heap-debug1',
  'vars',
];

/** What and how to collect per snapshot. */
export interface SnapshotPlan {
  target: AcquisitionTarget;
  /** pprof mount point, default `/debug/pprof`. */
  prefix?: string;
  kinds?: ProfileKind[];
  /** Reader of the target PID's cgroup memory, when a PID is known. */
  cgroup?: CgroupMemoryReader;
  /** Docker's state of the watched container, asked only when a snapshot gives reason to (see the probe). */
  container?: ContainerStateProbe;
  /**
   * Ask for the heap profile with `?gc=1`, so every snapshot is a fresh GC epoch: the runtime publishes heap profiles
   * only at the end of a GC, so a quiet process otherwise serves the same profile again and again. Costs the target
   * one full GC per snapshot.
   */
  forceGc?: boolean;
  http?: HttpGetOptions;
  logger?: TraceLogger;
  now?: () => number;
}

/** Errors after which the remaining fetches of this snapshot are skipped (the connection or endpoint is gone). */
function stopsSnapshot(e: unknown): boolean {
  if (!(e instanceof RemoteError)) return false;
  return [
    'connection-lost',
    'unreachable',
    'endpoint-unreachable',
    'timeout',
    'host-key-mismatch',
    'host-key-unknown',
    'host-key-revoked',
    'auth',
  ].includes(e.kind);
}

function gapOf(what: SnapshotGap['what'], e: unknown): SnapshotGap {
  const err = e instanceof Error ? e : new Error(String(e));
  return { what, reason: err.message, error: err.name };
}

function total(p: Profile, type: string): number | undefined {
  const idx = p.sampleTypes.findIndex((t) => t.type === type);
  if (idx < 0) return undefined;
  const n = p.sampleTypes.length;
  let sum = 0;
  for (let i = 0; i < p.samples.count; i++) sum += p.samples.values[i * n + idx] ?? 0;
  return sum;
}

const MEMSTATS_KEYS = [
  'HeapAlloc',
  'HeapInuse',
  'HeapIdle',
  'HeapReleased',
  'HeapSys',
  'HeapObjects',
  'Sys',
  'StackInuse',
  'TotalAlloc',
  'Mallocs',
  'Frees',
  'NumGC',
] as const;

/** Extracts the MemStats block of a heap `debug=1` text into plain numbers. */
export function memStatsFromHeapText(text: string): MemStatsFigures | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === '# runtime.MemStats');
  if (start < 0) return undefined;
  const ms = parseMemStats(lines.slice(start + 1));
  const out: MemStatsFigures = {};
  for (const k of MEMSTATS_KEYS) {
    const v = ms[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

/**
 * Collects one snapshot into the series: fetches each kind in turn, writes each body as served, validates proto
 * bodies by decoding them (and keeps a few totals), reads cgroup figures, then appends the entry. A failed fetch becomes
 * a gap with its reason; a dropped connection or unreachable endpoint skips the rest of this snapshot. Refusals that
 * need the user (host key, authentication) are rethrown after the entry is recorded, so the caller can stop.
 */
export async function collectSnapshot(series: SnapshotSeries, plan: SnapshotPlan): Promise<SnapshotEntry> {
  const log = plan.logger ?? silentLogger;
  const now = plan.now ?? Date.now;
  const seq = series.nextSeq;
  const takenAtMs = now();
  const entry: SnapshotEntry = {
    seq,
    takenAtMs,
    startedAt: new Date(takenAtMs).toISOString(),
    finishedAt: '',
    status: 'ok',
    files: {},
    sha256: {},
    notAvailable: [],
    gaps: [],
    summary: {},
  };
  let fatal: unknown;
  let skipReason: unknown;
  for (const kind of plan.kinds ?? SNAPSHOT_KINDS) {
    if (skipReason !== undefined) {
      entry.gaps.push({ ...gapOf(kind, skipReason), reason: `skipped: ${(skipReason as Error).message}` });
      continue;
    }
    try {
      const out = await fetchProfile(
        plan.target,
        kind,
        plan.prefix ?? DEFAULT_PPROF_PREFIX,
        plan.http,
        plan.forceGc === true,
      );
      if (out.status === 'not-available') {
        entry.notAvailable.push(kind);
        continue;
      }
      const spec = PPROF_ENDPOINTS[kind];
      // Content-Encoding is transport: undo it. What remains is stored as the service wrote it, so a proto profile
      // stays the gzipped .pb.gz Go produces itself.
      const body = decodedBody({ status: 200, contentType: '', contentEncoding: out.contentEncoding, body: out.body });
      if (spec.proto) {
        const p = decodeProfile(body);
        if (kind === 'heap') {
          const s = total(p, 'inuse_space');
          const o = total(p, 'inuse_objects');
          if (s !== undefined) entry.summary.heapInuseBytes = s;
          if (o !== undefined) entry.summary.heapInuseObjects = o;
        } else if (kind === 'goroutine') {
          const g = total(p, 'goroutine');
          if (g !== undefined) entry.summary.goroutines = g;
        } else if (kind === 'goroutineleak') {
          const g = total(p, 'goroutineleak') ?? total(p, 'goroutine');
          if (g !== undefined) entry.summary.leakedGoroutines = g;
        }
      }
      if (kind === 'heap-debug1') {
        const ms = memStatsFromHeapText(body.toString('utf8'));
        if (ms) entry.memStats = ms;
      }
      const w = await series.writeProfile(seq, kind, body);
      entry.files[kind] = w.file;
      entry.sha256[kind] = w.sha256;
    } catch (e) {
      log.trace('series', `snapshot ${seq}: ${kind} failed: ${(e as Error).message}`);
      entry.gaps.push(gapOf(kind, e));
      if (stopsSnapshot(e)) skipReason = e;
      if (e instanceof RemoteError && !e.transient) fatal = e;
    }
  }
  // A refused or unanswered pprof endpoint says nothing about the host: the cgroup is still read, because after the
  // service died its group's counters (oom_kill) are the evidence of why. A lost connection or a refusal is different:
  // nothing more can be read through it.
  const endpointOnly = skipReason instanceof RemoteError && skipReason.kind === 'endpoint-unreachable';
  if (plan.cgroup && (skipReason === undefined || endpointOnly)) {
    try {
      entry.cgroup = await plan.cgroup.read();
    } catch (e) {
      entry.gaps.push(gapOf('cgroup', e));
    }
  } else if (plan.cgroup) {
    entry.gaps.push({ ...gapOf('cgroup', skipReason), reason: `skipped: ${(skipReason as Error).message}` });
  }
  if (plan.container && (skipReason === undefined || endpointOnly)) {
    const rec = await plan.container.sample({
      endpointFailed: endpointOnly,
      process: entry.cgroup?.process,
      // Gone: the group outlived it (processGone), or neither a group nor the process could be read any more.
      processGone:
        entry.cgroup?.processGone === true || (entry.cgroup?.cgroup === 'none' && entry.cgroup.process === undefined),
    });
    if (rec) {
      entry.container = rec;
      // Docker restarted the container under a new PID: read that process's group from now on, and for this snapshot.
      const pid = rec.state?.running ? rec.state.pid : null;
      if (plan.cgroup && pid !== null && pid !== plan.cgroup.pid) {
        plan.cgroup.follow(pid);
        try {
          entry.cgroup = await plan.cgroup.read();
        } catch (e) {
          entry.gaps.push(gapOf('cgroup', e));
        }
      }
    }
  }
  entry.finishedAt = new Date(now()).toISOString();
  const fetched = Object.keys(entry.files).length;
  entry.status = fetched === 0 ? 'gap' : entry.gaps.length > 0 || entry.files.heap === undefined ? 'partial' : 'ok';
  await series.append(entry);
  if (fatal !== undefined) throw fatal;
  return entry;
}
