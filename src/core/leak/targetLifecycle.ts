import type { CgroupMemory, ProcessIdentity } from '../remote/cgroupMemory';
import type { ContainerRecord } from '../remote/containerStateProbe';
import type { ContainerState } from '../remote/dockerContainers';
import type { SnapshotGap } from '../series/seriesIndex';
import { formatBytes } from './units';

/** Whether the watched service lived through the window: the first thing an on-call engineer needs to know. */
export type TargetState = 'running' | 'oom-killed' | 'unreachable' | 'restarted';

/** Counters that only grow during one process's life, so a decrease means a new process answers. */
export interface ProcessCounters {
  /** MemStats.TotalAlloc (bytes allocated since the process started). */
  totalAlloc?: number;
  /** MemStats.Mallocs. */
  mallocs?: number;
  /** MemStats.NumGC. */
  numGC?: number;
  /** Heap profile alloc_space total (scaled estimate, cumulative since the process started). */
  allocSpace?: number;
}

/** What one snapshot tells about the target's life; gap snapshots are included. */
export interface LifecycleSnapshot {
  /** Sequence number in the series, when known. */
  seq?: number;
  /** Wall-clock time of the snapshot, in milliseconds since the epoch. */
  timeMs: number;
  /** Whether the service answered at least one profile fetch in this snapshot. */
  answered: boolean;
  /** The fetch failures recorded for the snapshot (series gaps). */
  failures: readonly SnapshotGap[];
  /** cgroup figures read with the snapshot; after a death they are the group's, with `processGone`. */
  cgroup?: CgroupMemory;
  /** Monotonic counters of the answering process. */
  counters?: ProcessCounters;
  /** The watched process (PID and start time) as read with the cgroup figures; absent when gone or not read. */
  process?: ProcessIdentity;
  /** Docker's state of the watched container, when this snapshot asked for it. */
  container?: ContainerRecord;
}

/** One fact behind a lifecycle verdict, with a stable code for tools and a sentence for people. */
export interface LifecycleEvidence {
  code:
    | 'oom-kill-counter'
    | 'no-oom-kill'
    | 'near-limit'
    | 'limit-hits'
    | 'endpoint-unreachable'
    | 'host-unreachable'
    | 'process-gone'
    | 'no-cgroup-after'
    | 'counters-reset'
    | 'counters-continue'
    | 'restart-unknown'
    | 'outage'
    | 'process-replaced'
    | 'docker-oom-killed'
    | 'docker-exited'
    | 'docker-running'
    | 'docker-restarted'
    | 'docker-unknown';
  message: string;
}

/** The last snapshot the service answered in before it died or restarted. */
export interface LastGoodSnapshot {
  seq: number | null;
  timeMs: number;
  /** memory.current and memory.max read with it; null when unknown. */
  memoryCurrent: number | null;
  memoryMax: number | null;
}

/** The report's `lifecycle` section: what happened to the target process during the window. */
export interface TargetLifecycle {
  state: TargetState;
  /** When the state was first seen (the first snapshot that found the target dead or new); null while running. */
  atMs: number | null;
  /** The last snapshot answered before that; null while running, or when nothing answered in the window. */
  lastGoodSnapshot: LastGoodSnapshot | null;
  /** Whether the cgroup's OOM-kill counter rose across the death or restart (the kernel's own word for it). */
  oomKilled: boolean;
  /** The OOM-kill counter before and after, when both were read. */
  oomKill: { before: number; after: number } | null;
  /** Docker's last word on the watched container in the window (containers only): its state and restart count. */
  docker?: { name: string; state: ContainerState };
  /** Snapshots at the end of the window that the service did not answer. */
  unansweredSnapshots: number;
  evidence: LifecycleEvidence[];
  /** One sentence for the top of every rendering; empty while running without incident. */
  summary: string;
}

/** Error classes of series gaps meaning the service, or the way to it, was not there. */
const ENDPOINT_ERRORS = new Set(['EndpointUnreachableError']);
const HOST_ERRORS = new Set(['HostUnreachableError', 'ConnectionLostError', 'RemoteTimeoutError']);

/** The cgroup's OOM-kill counter: v2 memory.events `oom_kill`, v1 memory.oom_control `oom_kill`; null when unread. */
export function oomKillCount(c: CgroupMemory | undefined): number | null {
  if (!c || c.cgroup === 'none') return null;
  return c.events?.['oom_kill'] ?? c.oomControl?.['oom_kill'] ?? null;
}

/** Times the group hit its limit: v2 memory.events `max`, v1 memory.failcnt; null when unread. */
function limitHits(c: CgroupMemory | undefined): number | null {
  if (!c || c.cgroup === 'none') return null;
  return c.events?.['max'] ?? c.failcnt ?? null;
}

/** `05:40:03 UTC`: the wall-clock time reports print for lifecycle events. */
export function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

/**
 * Reads the target's life from a series of snapshots (gaps included, oldest first): `running`; `oom-killed` when it
 * stopped answering and its cgroup's oom_kill counter rose across that boundary; `unreachable` when it stopped
 * answering without that evidence; `restarted` when a new process answers (monotonic counters went back, or the
 * watched PID is gone while the endpoint answers). Figures near the limit at the last good snapshot are evidence
 * but never a verdict of OOM on their own: only the kernel's counter is.
 */
export function analyzeLifecycle(snaps: readonly LifecycleSnapshot[]): TargetLifecycle {
  let lastAnswered = -1;
  for (let i = snaps.length - 1; i >= 0; i--) {
    if (snaps[i]!.answered) {
      lastAnswered = i;
      break;
    }
  }
  const trailing = snaps.slice(lastAnswered + 1);
  const last = snaps[lastAnswered];
  if (snaps.length > 0 && (trailing.length > 0 || (last && diedDuring(last)))) {
    return deathOf(snaps, lastAnswered, trailing);
  }
  return runningOrRestarted(snaps);
}

/**
 * A snapshot the service answered at first and then refused, whose cgroup (read last) no longer had the process:
 * it died during that snapshot, and the group figures read with it are from after the death.
 */
function diedDuring(s: LifecycleSnapshot): boolean {
  return s.answered && s.cgroup?.processGone === true && s.failures.some(isReachFailure);
}

/** A cgroup reading taken while the process lived (not one read after its death). */
function liveReading(s: LifecycleSnapshot | undefined): CgroupMemory | undefined {
  const c = s?.cgroup;
  return c && c.cgroup !== 'none' && !c.processGone ? c : undefined;
}

/** The last good snapshot `snaps[i]`, with the memory figures of the latest reading taken while the process lived. */
function lastGoodOf(snaps: readonly LifecycleSnapshot[], i: number): LastGoodSnapshot | null {
  const s = snaps[i];
  if (!s) return null;
  let c: CgroupMemory | undefined;
  for (let k = i; k >= 0 && !c; k--) c = liveReading(snaps[k]);
  return {
    seq: s.seq ?? null,
    timeMs: s.timeMs,
    memoryCurrent: c?.memoryCurrent ?? null,
    memoryMax: c?.memoryMax ?? null,
  };
}

/** The latest reading at or before index `i` taken while the process lived (the baseline before an event). */
function counterBefore(snaps: readonly LifecycleSnapshot[], i: number, read = oomKillCount): number | null {
  for (let k = i; k >= 0; k--) {
    const v = read(liveReading(snaps[k]));
    if (v !== null) return v;
  }
  return null;
}

/** The highest reading among `after` (the counter never goes down while the group lives). */
function counterAfter(after: readonly LifecycleSnapshot[], read = oomKillCount): number | null {
  let best: number | null = null;
  for (const s of after) {
    const v = read(s.cgroup);
    if (v !== null && (best === null || v > best)) best = v;
  }
  return best;
}

/** The first failure of a snapshot that says why it was not answered (a skipped fetch only repeats it). */
function firstFailure(s: LifecycleSnapshot): SnapshotGap | undefined {
  const own = s.failures.filter((g) => g.what !== 'cgroup');
  const first = (ok: (g: SnapshotGap) => boolean) => own.find((g) => ok(g) && !g.reason.startsWith('skipped:'));
  return first(isReachFailure) ?? first(() => true) ?? own[0];
}

function memoryAt(g: LastGoodSnapshot | null): string {
  if (!g || g.memoryCurrent === null) return '';
  return g.memoryMax !== null
    ? `memory.current ${formatBytes(g.memoryCurrent)} of ${formatBytes(g.memoryMax)} at the last good snapshot`
    : `memory.current ${formatBytes(g.memoryCurrent)} (no limit) at the last good snapshot`;
}

/** `06:10:02 UTC` for a docker RFC 3339 time, or the text itself when it does not parse. */
function dockerClock(t: string): string {
  const ms = Date.parse(t);
  return Number.isFinite(ms) ? clockTime(ms) : t;
}

/** The latest docker record with a state among `snaps[from..to]` (inclusive), with its index. */
function dockerIndexIn(
  snaps: readonly LifecycleSnapshot[],
  from: number,
  to: number,
): { record: ContainerRecord; index: number } | undefined {
  for (let k = Math.min(to, snaps.length - 1); k >= Math.max(from, 0); k--) {
    const c = snaps[k]!.container;
    if (c?.state) return { record: c, index: k };
  }
  return undefined;
}

/** The latest docker record with a state among `snaps[from..to]` (inclusive). */
function dockerStateIn(snaps: readonly LifecycleSnapshot[], from: number, to: number): ContainerRecord | undefined {
  return dockerIndexIn(snaps, from, to)?.record;
}

/** The latest watched-process identity at or before index `i`, with its index. */
function processIndexBefore(
  snaps: readonly LifecycleSnapshot[],
  i: number,
): { process: ProcessIdentity; index: number } | undefined {
  for (let k = Math.min(i, snaps.length - 1); k >= 0; k--) {
    const p = snaps[k]!.process;
    if (p) return { process: p, index: k };
  }
  return undefined;
}

/** The latest watched-process identity at or before index `i`. */
function processBefore(snaps: readonly LifecycleSnapshot[], i: number): ProcessIdentity | undefined {
  return processIndexBefore(snaps, i)?.process;
}

function processName(p: ProcessIdentity): string {
  return `PID ${p.pid}${p.startedAtMs !== undefined ? `, started ${clockTime(p.startedAtMs)}` : `, start tick ${p.startTicks}`}`;
}

/** Whether docker's state says a run ended after the baseline state (its FinishedAt moved): a death in the window. */
function endedSince(base: ContainerState | undefined, now: ContainerState): boolean {
  return base !== undefined && now.finishedAt !== null && now.finishedAt !== base.finishedAt;
}

/** Whether docker's state says the container was started again after the baseline (restart policy or by hand). */
function restartedSince(base: ContainerState | undefined, now: ContainerState): string[] {
  if (!base) return [];
  const out: string[] = [];
  if (now.restartCount > base.restartCount) out.push(`RestartCount ${base.restartCount}→${now.restartCount}`);
  if (now.startedAt !== null && now.startedAt !== base.startedAt) out.push(`StartedAt ${dockerClock(now.startedAt)}`);
  if (now.pid !== null && base.pid !== null && now.pid !== base.pid) out.push(`Pid ${base.pid}→${now.pid}`);
  return out;
}

/** `docker: OOMKilled, exit 137 at 06:12:03 UTC`: the words docker gives an OOM kill. */
function dockerOomWords(st: ContainerState): string {
  const at = st.finishedAt ? dockerClock(st.finishedAt) : '?';
  // Once started again the container's ExitCode is the new run's (0); OOMKilled and FinishedAt still tell the last end.
  return st.running
    ? `docker: OOMKilled at ${at} (the run before)`
    : `docker: OOMKilled, exit ${st.exitCode ?? '?'} at ${at}`;
}

/**
 * Docker's evidence on a death: from the latest state at or before the last answer (`base`) to the latest state read
 * after it. Returns whether docker calls it an OOM kill, and its evidence lines.
 */
function dockerOnDeath(
  base: ContainerRecord | undefined,
  after: ContainerRecord | undefined,
): { oom: boolean; words: string | undefined; evidence: LifecycleEvidence[] } {
  const evidence: LifecycleEvidence[] = [];
  if (!after) return { oom: false, words: undefined, evidence };
  const name = after.name;
  if (!after.state) {
    evidence.push({
      code: 'docker-unknown',
      message: `docker could not say what became of container ${name} after it stopped answering: ${after.error ?? 'no state'}`,
    });
    return { oom: false, words: undefined, evidence };
  }
  const st = after.state;
  const b = base?.state;
  let oom = false;
  let words: string | undefined;
  if (endedSince(b, st)) {
    if (st.oomKilled) {
      oom = true;
      words = dockerOomWords(st);
      evidence.push({
        code: 'docker-oom-killed',
        message: `${words} (container ${name} ${st.status}): the kernel OOM-killed it, in docker's own record`,
      });
    } else {
      words = `docker: exited with code ${st.exitCode ?? '?'} at ${dockerClock(st.finishedAt!)}, not OOM-killed`;
      evidence.push({ code: 'docker-exited', message: `${words} (container ${name} ${st.status})` });
    }
  } else if (!b) {
    evidence.push({
      code: 'docker-unknown',
      message:
        `docker says container ${name} is ${st.status}` +
        (st.oomKilled
          ? ` and its last run was OOM-killed at ${st.finishedAt ? dockerClock(st.finishedAt) : '?'}`
          : '') +
        ', with no earlier state in the window to compare: when it ended cannot be told',
    });
  } else if (st.running) {
    evidence.push({
      code: 'docker-running',
      message: `docker says container ${name} still runs (PID ${st.pid ?? '?'}, started ${st.startedAt ? dockerClock(st.startedAt) : '?'}): the service stopped answering inside a running container`,
    });
  }
  const restarted = restartedSince(b, st);
  if (restarted.length > 0) {
    evidence.push({
      code: 'docker-restarted',
      message: `docker started container ${name} again (${restarted.join(', ')}), status ${st.status}; its endpoint did not answer yet`,
    });
  }
  return { oom, words, evidence };
}

function deathOf(
  snaps: readonly LifecycleSnapshot[],
  lastAnswered: number,
  trailing: readonly LifecycleSnapshot[],
): TargetLifecycle {
  const evidence: LifecycleEvidence[] = [];
  const good = lastGoodOf(snaps, lastAnswered);
  const dying = snaps[lastAnswered] && diedDuring(snaps[lastAnswered]) ? snaps[lastAnswered] : undefined;
  // The snapshots that found the target dead: the one it died during (if any), then those it did not answer.
  const down = dying ? [dying, ...trailing] : trailing;
  const first = down[0]!;
  const atMs = first.timeMs;
  const failure = firstFailure(first);
  const hostDown = failure !== undefined && HOST_ERRORS.has(failure.error);
  if (dying) {
    evidence.push({
      code: 'endpoint-unreachable',
      message: `it died during the snapshot at ${clockTime(dying.timeMs)}: ${failure?.reason ?? 'its later fetches failed'}`,
    });
  }
  const noAnswer = trailing[0] ? firstFailure(trailing[0]) : undefined;
  if (noAnswer) {
    const hd = HOST_ERRORS.has(noAnswer.error);
    evidence.push({
      code: hd ? 'host-unreachable' : 'endpoint-unreachable',
      message:
        `${trailing.length} snapshot${trailing.length === 1 ? '' : 's'} from ${clockTime(trailing[0]!.timeMs)} got no answer: ` +
        `${noAnswer.reason}` +
        (hd ? ' (the host, not only the service, was out of reach: the service may still run)' : ''),
    });
  }
  const gone = down.find((s) => s.cgroup?.processGone);
  if (gone) {
    const was = processBefore(snaps, lastAnswered);
    evidence.push({
      code: 'process-gone',
      message: `the watched process${was ? ` (${processName(was)})` : ''} was gone by ${clockTime(gone.timeMs)} (its /proc entry disappeared; its cgroup remained readable)`,
    });
  }
  const before = counterBefore(snaps, lastAnswered);
  const after = counterAfter(down);
  const counterOom = before !== null && after !== null && after > before;
  const docker = dockerOnDeath(
    dockerStateIn(snaps, 0, dying ? lastAnswered - 1 : lastAnswered),
    [...down].reverse().find((s) => s.container)?.container,
  );
  const oomKilled = counterOom || docker.oom;
  evidence.push(...docker.evidence);
  if (counterOom) {
    evidence.push({
      code: 'oom-kill-counter',
      message: `the cgroup's oom_kill counter rose from ${before} to ${after} across the last answer: the kernel OOM-killed a process in the group`,
    });
  } else if (before !== null && after !== null) {
    evidence.push({
      code: 'no-oom-kill',
      message:
        after === before
          ? `the cgroup's oom_kill counter stayed at ${after} after it stopped answering: no OOM kill in its group`
          : `the cgroup's oom_kill counter went back from ${before} to ${after}: the group read after it is not the same group`,
    });
  } else if (!docker.oom) {
    evidence.push({
      code: 'no-cgroup-after',
      message:
        before === null && after !== null
          ? `the cgroup's oom_kill counter was ${after} after it stopped answering, with no reading before to compare: an OOM kill in the window cannot be confirmed`
          : before === null
            ? 'no OOM-kill counter was read (no --pid/--container, or no readable memory cgroup): an OOM kill cannot be told from a crash or a stop'
            : 'the cgroup could not be read after it stopped answering (removed with the process, or the host was out of reach): an OOM kill cannot be confirmed',
    });
  }
  const hitsBefore = counterBefore(snaps, lastAnswered, limitHits);
  const hitsAfter = counterAfter(down, limitHits);
  if (hitsBefore !== null && hitsAfter !== null && hitsAfter > hitsBefore) {
    evidence.push({
      code: 'limit-hits',
      message: `the group hit its memory limit ${hitsAfter - hitsBefore} more times (failcnt / memory.events max ${hitsBefore}→${hitsAfter})`,
    });
  }
  if (good && good.memoryCurrent !== null && good.memoryMax !== null && good.memoryMax > 0) {
    const ratio = good.memoryCurrent / good.memoryMax;
    if (ratio >= NEAR_LIMIT) {
      evidence.push({
        code: 'near-limit',
        message:
          `memory.current was ${(ratio * 100).toFixed(1)}% of memory.max at the last good snapshot` +
          (oomKilled ? '' : ': an OOM kill is likely, but the counters do not show it'),
      });
    }
  }
  const restart = restartIn(snaps.slice(0, dying ? lastAnswered : lastAnswered + 1));
  if (restart) evidence.push(...restart.evidence);

  const state: TargetState = oomKilled ? 'oom-killed' : 'unreachable';
  // The death happened between the last answer and the first snapshot without one; say both ends.
  const when = dying
    ? `during the snapshot at ${clockTime(dying.timeMs)}`
    : good
      ? `between ${clockTime(good.timeMs).slice(0, 8)} and ${clockTime(atMs)}`
      : `by ${clockTime(atMs)} (no answer in the window)`;
  const mem = memoryAt(good);
  let summary: string;
  if (oomKilled) {
    const proof = [counterOom ? `oom_kill ${before}→${after}` : '', docker.oom ? docker.words : '']
      .filter(Boolean)
      .join('; ');
    summary = `OOM killed ${when}: ${proof}${mem ? `, ${mem}` : ''}`;
  } else {
    const why = failure ? failure.reason.replace(/^skipped: /, '') : 'no answer';
    const oomWord = docker.words
      ? docker.words
      : before !== null && after !== null && after === before
        ? `not an OOM kill (oom_kill stayed ${after})`
        : 'no OOM evidence (cgroup counters not read both before and after it)';
    summary = `${hostDown ? 'Unreachable' : 'Stopped answering'} ${when}: ${why}; ${oomWord}` + (mem ? `; ${mem}` : '');
  }
  return {
    state,
    atMs,
    lastGoodSnapshot: good,
    oomKilled,
    oomKill: before !== null && after !== null ? { before, after } : null,
    ...dockerField(snaps),
    unansweredSnapshots: trailing.length,
    evidence,
    summary,
  };
}

/** The report's `docker` field: the latest docker state recorded in the window, if any. */
function dockerField(snaps: readonly LifecycleSnapshot[]): { docker?: { name: string; state: ContainerState } } {
  const rec = dockerStateIn(snaps, 0, snaps.length - 1);
  return rec?.state ? { docker: { name: rec.name, state: rec.state } } : {};
}

/** memory.current / memory.max at the last good snapshot from which an OOM kill is called likely. */
const NEAR_LIMIT = 0.9;

/** A decrease of any monotonic counter between two answered snapshots: a new process answers. */
function countersReset(a: ProcessCounters, b: ProcessCounters): string[] {
  const out: string[] = [];
  const exact: [keyof ProcessCounters, string, (v: number) => string][] = [
    ['totalAlloc', 'TotalAlloc', formatBytes],
    ['mallocs', 'Mallocs', String],
    ['numGC', 'NumGC', String],
  ];
  for (const [k, name, fmt] of exact) {
    const x = a[k];
    const y = b[k];
    if (x !== undefined && y !== undefined && y < x) out.push(`${name} ${fmt(x)}→${fmt(y)}`);
  }
  // alloc_space is a scaled sampling estimate: only a clear fall counts.
  const x = a.allocSpace;
  const y = b.allocSpace;
  if (out.length === 0 && x !== undefined && y !== undefined && y < 0.5 * x) {
    out.push(`heap alloc_space ${formatBytes(x)}→${formatBytes(y)}`);
  }
  return out;
}

function hasCounters(c: ProcessCounters | undefined): boolean {
  return !!c && Object.values(c).some((v) => v !== undefined);
}

interface Restart {
  /** Index of the first snapshot of the new process. */
  index: number;
  evidence: LifecycleEvidence[];
  /** Snapshots not answered just before it. */
  outage: number;
}

/** The latest restart among answered snapshots, if any, with its evidence. */
function restartIn(snaps: readonly LifecycleSnapshot[]): Restart | undefined {
  let prev: number | undefined;
  let found: Restart | undefined;
  for (let i = 0; i < snaps.length; i++) {
    const s = snaps[i]!;
    if (!s.answered) continue;
    const evidence: LifecycleEvidence[] = [];
    if (prev !== undefined) {
      const p = snaps[prev]!;
      const reset = countersReset(p.counters ?? {}, s.counters ?? {});
      if (reset.length > 0) {
        evidence.push({
          code: 'counters-reset',
          message: `counters that only grow within one process went back at ${clockTime(s.timeMs)}: ${reset.join(', ')}`,
        });
      }
      const wasGone = snaps.slice(0, i).some((x) => x.answered && x.cgroup?.processGone);
      // A change seen after a restart already found since the old process or state was last seen is that restart
      // (its evidence came in a later read, e.g. the successor found a snapshot after the PID vanished).
      const same = (since: number): LifecycleEvidence[] => (found && found.index > since ? found.evidence : evidence);
      const wasAt = processIndexBefore(snaps, prev);
      const was = wasAt?.process;
      if (
        s.process &&
        wasAt &&
        (s.process.pid !== wasAt.process.pid || s.process.startTicks !== wasAt.process.startTicks)
      ) {
        same(wasAt.index).push({
          code: 'process-replaced',
          message: `another process serves it from ${clockTime(s.timeMs)}: ${processName(wasAt.process)} → ${processName(s.process)}`,
        });
      }
      if (s.cgroup?.processGone && !wasGone && !diedDuring(s)) {
        evidence.push({
          code: 'process-gone',
          message: `the watched PID${was ? ` (${processName(was)})` : ''} was gone at ${clockTime(s.timeMs)} while the endpoint answered: another process serves it`,
        });
      }
      const baseAt = dockerIndexIn(snaps, 0, prev);
      const now = dockerStateIn(snaps, prev + 1, i);
      const restarted = now?.state ? restartedSince(baseAt?.record.state, now.state) : [];
      if (now?.state && restarted.length > 0) {
        same(baseAt?.index ?? -1).push({
          code: 'docker-restarted',
          message: `docker started container ${now.name} again (${restarted.join(', ')})`,
        });
      }
      if (evidence.length > 0) found = { index: i, evidence, outage: i - prev - 1 };
    }
    prev = i;
  }
  return found;
}

function runningOrRestarted(snaps: readonly LifecycleSnapshot[]): TargetLifecycle {
  const restart = restartIn(snaps);
  const running: TargetLifecycle = {
    state: 'running',
    atMs: null,
    lastGoodSnapshot: null,
    oomKilled: false,
    oomKill: null,
    unansweredSnapshots: 0,
    evidence: [],
    summary: '',
  };
  if (!restart) {
    // An outage the service came back from without a restart (or without the counters to tell).
    const evidence: LifecycleEvidence[] = [];
    let prev: number | undefined;
    for (let i = 0; i < snaps.length; i++) {
      if (!snaps[i]!.answered) continue;
      if (prev !== undefined && i - prev > 1) {
        const a = snaps[prev]!;
        const b = snaps[i]!;
        const known = hasCounters(a.counters) && hasCounters(b.counters);
        evidence.push({
          code: known ? 'counters-continue' : 'restart-unknown',
          message:
            `no answer for ${i - prev - 1} snapshot${i - prev - 1 === 1 ? '' : 's'} after ${clockTime(a.timeMs)}, then answers again at ${clockTime(b.timeMs)}` +
            (known
              ? ': the same process (its counters continued)'
              : ': whether it restarted cannot be told (no MemStats or allocation totals were recorded)'),
        });
      }
      prev = i;
    }
    if (evidence.length === 0) return { ...running, ...dockerField(snaps) };
    return {
      ...running,
      ...dockerField(snaps),
      evidence,
      summary: `Running; ${evidence.map((e) => e.message).join('; ')}`,
    };
  }
  let before = restart.index - 1;
  while (before >= 0 && !snaps[before]!.answered) before--;
  const good = lastGoodOf(snaps, before);
  const at = snaps[restart.index]!;
  const between = snaps.slice(before + 1, restart.index + 1);
  const kBefore = counterBefore(snaps, before);
  const kAfter = counterAfter(between);
  const counterOom = kBefore !== null && kAfter !== null && kAfter > kBefore;
  // Docker keeps OOMKilled set after its restart policy starts the container again, with the death's FinishedAt.
  const dBase = dockerStateIn(snaps, 0, before)?.state;
  const dOom = between
    .map((x) => x.container?.state)
    .find((st): st is ContainerState => st !== undefined && st.oomKilled && endedSince(dBase, st));
  const oomKilled = counterOom || dOom !== undefined;
  const evidence = [...restart.evidence];
  if (restart.outage > 0) {
    evidence.unshift({
      code: 'outage',
      message: `no answer for ${restart.outage} snapshot${restart.outage === 1 ? '' : 's'} before it`,
    });
  }
  if (counterOom) {
    evidence.push({
      code: 'oom-kill-counter',
      message: `the cgroup's oom_kill counter rose from ${kBefore} to ${kAfter} before the restart: the previous process was OOM-killed`,
    });
  }
  if (dOom) {
    evidence.push({
      code: 'docker-oom-killed',
      message: `${dockerOomWords(dOom)} before the restart: the previous process was OOM-killed, in docker's own record`,
    });
  }
  const mem = memoryAt(good);
  // The most direct evidence of the new process goes into the summary.
  const direct = (['process-replaced', 'docker-restarted', 'counters-reset'] as const)
    .map((c) => restart.evidence.find((e) => e.code === c))
    .find((e) => e !== undefined);
  const reset =
    direct?.code === 'docker-restarted'
      ? `docker: ${/\((.*)\)$/.exec(direct.message)?.[1] ?? ''}`
      : direct?.message.replace(/^.*?: /, '');
  const oomWords = [counterOom ? `oom_kill ${kBefore}→${kAfter}` : '', dOom ? dockerOomWords(dOom) : '']
    .filter(Boolean)
    .join('; ');
  return {
    state: 'restarted',
    atMs: at.timeMs,
    lastGoodSnapshot: good,
    oomKilled,
    oomKill: kBefore !== null && kAfter !== null ? { before: kBefore, after: kAfter } : null,
    ...dockerField(snaps),
    unansweredSnapshots: 0,
    evidence,
    summary:
      `Restarted at ${clockTime(at.timeMs)}${good ? ` (previous process last answered ${clockTime(good.timeMs)})` : ''}` +
      (oomKilled ? ` after an OOM kill: ${oomWords}` : '') +
      (reset ? `; ${reset}` : '; the watched PID is gone while the endpoint answers') +
      (oomKilled && mem ? `; ${mem}` : '') +
      '. Figures before the restart belong to the previous process.',
  };
}

/** Turns a series entry's recorded facts into a lifecycle snapshot (counters from MemStats; `allocSpace` if known). */
export function lifecycleSnapshotOf(
  e: {
    seq?: number;
    takenAtMs: number;
    status: 'ok' | 'partial' | 'gap';
    gaps: readonly SnapshotGap[];
    cgroup?: CgroupMemory;
    memStats?: { TotalAlloc?: number; Mallocs?: number; NumGC?: number };
    container?: ContainerRecord;
  },
  allocSpace?: number,
): LifecycleSnapshot {
  const ms = e.memStats;
  const counters: ProcessCounters = {
    ...(ms?.TotalAlloc !== undefined ? { totalAlloc: ms.TotalAlloc } : {}),
    ...(ms?.Mallocs !== undefined ? { mallocs: ms.Mallocs } : {}),
    ...(ms?.NumGC !== undefined ? { numGC: ms.NumGC } : {}),
    ...(allocSpace !== undefined ? { allocSpace } : {}),
  };
  return {
    ...(e.seq !== undefined ? { seq: e.seq } : {}),
    timeMs: e.takenAtMs,
    // A gap whose fetches failed for other reasons (HTTP 500, a bad body) still heard from the service.
    answered: e.status !== 'gap' || e.gaps.some((g) => g.what !== 'cgroup' && !isReachFailure(g)),
    failures: e.gaps,
    ...(e.cgroup ? { cgroup: e.cgroup } : {}),
    ...(e.cgroup?.process ? { process: e.cgroup.process } : {}),
    ...(e.container ? { container: e.container } : {}),
    ...(hasCounters(counters) ? { counters } : {}),
  };
}

/** Whether a gap's error class means the service, or the way to it, was out of reach. */
function isReachFailure(g: SnapshotGap): boolean {
  return ENDPOINT_ERRORS.has(g.error) || HOST_ERRORS.has(g.error);
}
