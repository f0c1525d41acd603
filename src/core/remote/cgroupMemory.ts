import type { AcquisitionTarget } from './acquisitionTarget';
import { pathArg, validatePid } from './remoteCommand';
import { silentLogger, type TraceLogger } from './traceLogger';

/** Memory figures of the cgroup a process lives in, as one snapshot sees them. */
export interface CgroupMemory {
  /** Which hierarchy the memory controller of this process is in; `none` when no figures could be read. */
  cgroup: 'v1' | 'v2' | 'none';
  /** The cgroup path from /proc/PID/cgroup, e.g. `/system.slice/docker-abc.scope`. */
  path: string | null;
  /** Usage in bytes (`memory.current` / `memory.usage_in_bytes`). */
  memoryCurrent: number | null;
  /** Limit in bytes; null when unlimited (`max`, or v1's huge sentinel) or unknown. */
  memoryMax: number | null;
  /** `memory.stat` as name → value. */
  stat: Record<string, number>;
  /** v2 `memory.events` counters (oom, oom_kill, max, high, ...). */
  events?: Record<string, number>;
  /** v1 `memory.failcnt`: times usage hit the limit. */
  failcnt?: number;
  /** v1 `memory.oom_control` (oom_kill_disable, under_oom, oom_kill). */
  oomControl?: Record<string, number>;
  /** Why `cgroup` is `none`, when it is. */
  reason?: string;
  /**
   * Set when the process is gone but its group's files could still be read (the group outlives a killed process until
   * it is removed): the figures, notably the OOM counters, are the group's as it stands after the process.
   */
  processGone?: true;
  /**
   * The watched process as /proc/PID/stat showed it at this read (read in the same exec as the group's files); absent
   * when it is gone. A new PID or start time from one read to the next is a new process: a restart.
   */
  process?: ProcessIdentity;
}

/** Which process a PID is: the PID with its start time, which no later process with a reused PID can share. */
export interface ProcessIdentity {
  pid: number;
  /** /proc/PID/stat field 22 `starttime`: clock ticks after boot. */
  startTicks: number;
  /** The same as wall-clock milliseconds (boot time from /proc/stat `btime` + ticks at USER_HZ 100), when known. */
  startedAtMs?: number;
  /** /proc/PID/stat field 2 (the executable's name, at most 15 characters). */
  comm: string;
}

/** Linux reports /proc times in USER_HZ ticks, which is 100 on every architecture leakhunt targets. */
const USER_HZ = 100;

/** Parses /proc/PID/stat: the comm in parentheses (it may itself contain ')' or spaces), then field 22 `starttime`. */
export function parseProcStat(text: string | null | undefined, bootTimeS?: number): ProcessIdentity | undefined {
  const t = text ?? '';
  const open = t.indexOf('(');
  const close = t.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(t.slice(0, open).trim());
  // Fields after the comm start at field 3 (state); starttime is field 22.
  const rest = t
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const start = rest[22 - 3];
  if (!Number.isSafeInteger(pid) || pid <= 0 || start === undefined || !/^\d+$/.test(start)) return undefined;
  const startTicks = Number(start);
  return {
    pid,
    startTicks,
    ...(bootTimeS !== undefined ? { startedAtMs: Math.round((bootTimeS + startTicks / USER_HZ) * 1000) } : {}),
    comm: t.slice(open + 1, close),
  };
}

/** The boot time in seconds since the epoch, from /proc/stat `btime`. */
export function parseBootTime(procStat: string | null | undefined): number | undefined {
  const m = /^btime (\d+)$/m.exec(procStat ?? '');
  return m ? Number(m[1]) : undefined;
}

/** The PIDs listed in a group's `cgroup.procs`. */
export function parseCgroupProcs(text: string | null | undefined): number[] {
  return (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

/** Where a process's memory controller files are. */
export interface CgroupLayout {
  version: 'v1' | 'v2';
  /** cgroup path as named in /proc/PID/cgroup. */
  path: string;
  /** Absolute folder of the group's files on the host. */
  dir: string;
}

/** The controllers → paths of /proc/PID/cgroup: v1 lines `N:ctrl,ctrl:/path`, the v2 line `0::/path`. */
export function parseProcCgroup(text: string): { v1: Map<string, string>; v2: string | null } {
  const v1 = new Map<string, string>();
  let v2: string | null = null;
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, id, ctrls, p] = m;
    if (id === '0' && ctrls === '') v2 = p ?? '/';
    else for (const c of (ctrls ?? '').split(',')) if (c) v1.set(c, p ?? '/');
  }
  return { v1, v2 };
}

/** Mount points (and mount roots) of the v1 memory hierarchy and of cgroup2, from /proc/self/mountinfo. */
export function parseCgroupMounts(mountinfo: string): {
  memoryV1: { mount: string; root: string } | null;
  v2: { mount: string; root: string } | null;
} {
  let memoryV1: { mount: string; root: string } | null = null;
  let v2: { mount: string; root: string } | null = null;
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const post = line.slice(sep + 3).split(' ');
    const root = unescapeMount(pre[3] ?? '/');
    const mount = unescapeMount(pre[4] ?? '');
    const fstype = post[0];
    const superOpts = (post[2] ?? '').split(',');
    if (fstype === 'cgroup' && superOpts.includes('memory') && !memoryV1) memoryV1 = { mount, root };
    if (fstype === 'cgroup2' && !v2) v2 = { mount, root };
  }
  return { memoryV1, v2 };
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

function joinUnder(mount: { mount: string; root: string }, p: string): string {
  let rel = p;
  if (mount.root !== '/' && (rel === mount.root || rel.startsWith(`${mount.root}/`)))
    rel = rel.slice(mount.root.length);
  return `${mount.mount.replace(/\/$/, '')}${rel === '/' ? '' : rel}`;
}

/** Decides v1 or v2 for the memory controller: a v1 `memory` line with a mounted memory hierarchy wins (hybrid hosts). */
export function cgroupLayout(procCgroup: string, mountinfo: string): CgroupLayout | null {
  const pc = parseProcCgroup(procCgroup);
  const mounts = parseCgroupMounts(mountinfo);
  const v1 = pc.v1.get('memory');
  if (v1 !== undefined && mounts.memoryV1) return { version: 'v1', path: v1, dir: joinUnder(mounts.memoryV1, v1) };
  if (pc.v2 !== null && mounts.v2) return { version: 'v2', path: pc.v2, dir: joinUnder(mounts.v2, pc.v2) };
  return null;
}

/** The files read per snapshot for a layout. */
export function cgroupFiles(layout: CgroupLayout): string[] {
  const names =
    layout.version === 'v2'
      ? ['memory.current', 'memory.max', 'memory.stat', 'memory.events']
      : ['memory.usage_in_bytes', 'memory.limit_in_bytes', 'memory.stat', 'memory.failcnt', 'memory.oom_control'];
  return names.map((n) => `${layout.dir}/${n}`);
}

/** Parses `key value` lines (memory.stat, memory.events, memory.oom_control). */
export function parseKeyValues(text: string | null | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const m = /^(\S+)\s+(-?\d+)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) out[m[1]] = Number(m[2]);
  }
  return out;
}

// v1 reports "no limit" as PAGE_COUNTER_MAX pages (9223372036854771712 on 4 KiB pages); anything this big is unlimited.
const V1_UNLIMITED = 1n << 60n;

/** Parses one number file; `max` and v1's huge sentinel mean unlimited (null). */
export function parseLimit(text: string | null | undefined): number | null {
  const t = (text ?? '').trim();
  if (t === '' || t === 'max' || !/^\d+$/.test(t)) return null;
  const v = BigInt(t);
  return v >= V1_UNLIMITED ? null : Number(v);
}

/** The figures of a snapshot in which no memory cgroup could be read, with why. */
function noCgroupFigures(path: string | null, reason: string): CgroupMemory {
  return { cgroup: 'none', path, memoryCurrent: null, memoryMax: null, stat: {}, reason };
}

/** Turns the file contents of one snapshot into figures. */
export function cgroupFigures(layout: CgroupLayout, files: Map<string, string | null>): CgroupMemory {
  const get = (n: string): string | null => files.get(`${layout.dir}/${n}`) ?? null;
  if (layout.version === 'v2') {
    const current = parseLimit(get('memory.current'));
    if (current === null) {
      return noCgroupFigures(
        layout.path,
        `no memory.current in ${layout.dir} (memory controller not enabled for this v2 group, or the root group)`,
      );
    }
    return {
      cgroup: 'v2',
      path: layout.path,
      memoryCurrent: current,
      memoryMax: parseLimit(get('memory.max')),
      stat: parseKeyValues(get('memory.stat')),
      events: parseKeyValues(get('memory.events')),
    };
  }
  const usage = parseLimit(get('memory.usage_in_bytes'));
  if (usage === null) {
    return noCgroupFigures(layout.path, `cannot read ${layout.dir}/memory.usage_in_bytes`);
  }
  const failcnt = parseLimit(get('memory.failcnt'));
  return {
    cgroup: 'v1',
    path: layout.path,
    memoryCurrent: usage,
    memoryMax: parseLimit(get('memory.limit_in_bytes')),
    stat: parseKeyValues(get('memory.stat')),
    ...(failcnt !== null ? { failcnt } : {}),
    oomControl: parseKeyValues(get('memory.oom_control')),
  };
}

/**
 * Reads the cgroup memory figures of one PID through a target: the layout is resolved once (from /proc/PID/cgroup
 * and the host's mountinfo), then every `read()` is ONE `readFiles` (remotely one exec) of /proc/PID/cgroup plus the
 * group's memory files, so a process that moved to another group is noticed.
 */
export class CgroupMemoryReader {
  private layout: CgroupLayout | null | undefined;
  private pidNow: number;
  private bootTimeS: number | undefined;
  /** The identity last read, to tell the watched process from a newcomer in its group. */
  private last: ProcessIdentity | undefined;
  /** /proc/PID/stat as the last resolve read it (used when there is no group to read it with). */
  private statAtResolve: string | null = null;

  constructor(
    private readonly target: AcquisitionTarget,
    pid: number | string,
    private readonly log: TraceLogger = silentLogger,
  ) {
    this.pidNow = validatePid(pid);
  }

  /** The PID read now: the one given, or the process that replaced it (see {@link CgroupMemoryReader.follow}). */
  get pid(): number {
    return this.pidNow;
  }

  /** Reads another PID from now on (a container whose process docker restarted under a new PID). */
  follow(pid: number): void {
    const p = validatePid(pid);
    if (p === this.pidNow) return;
    this.log.trace('cgroup', `following pid ${p} (was ${this.pidNow})`);
    this.pidNow = p;
    this.layout = undefined;
  }

  private procCgroup(): string {
    return `/proc/${this.pidNow}/cgroup`;
  }

  private procStat(): string {
    return `/proc/${this.pidNow}/stat`;
  }

  private async resolve(): Promise<CgroupLayout | null> {
    // /proc/stat (boot time) is read once, with the layout: it turns start ticks into a wall-clock time.
    const files = await this.target.readFiles([
      pathArg(this.procCgroup()),
      pathArg('/proc/self/mountinfo'),
      pathArg('/proc/stat'),
      pathArg(this.procStat()),
    ]);
    this.statAtResolve = files.get(this.procStat()) ?? null;
    const pc = files.get(this.procCgroup()) ?? null;
    const mi = files.get('/proc/self/mountinfo') ?? null;
    this.bootTimeS ??= parseBootTime(files.get('/proc/stat'));
    if (pc === null || mi === null) return null;
    const l = cgroupLayout(pc, mi);
    this.log.trace('cgroup', `pid ${this.pidNow}: ${l ? `${l.version} ${l.dir}` : 'no memory cgroup'}`);
    return l;
  }

  /**
   * A process of the same name that now lives in the group of the watched one, which is gone: what a supervisor
   * (systemd, docker) restarted into the same group. Two more reads, only when the watched process is gone.
   */
  private async successor(layout: CgroupLayout): Promise<ProcessIdentity | undefined> {
    const before = this.last;
    if (!before) return undefined;
    const procsFile = `${layout.dir}/cgroup.procs`;
    const procs = parseCgroupProcs((await this.target.readFiles([pathArg(procsFile)])).get(procsFile));
    // A crowded group (the root, a whole slice) is no supervisor's group of one service: do not guess in it.
    if (procs.length === 0 || procs.length > MAX_SUCCESSOR_CANDIDATES) return undefined;
    const stats = await this.target.readFiles(procs.map((p) => pathArg(`/proc/${p}/stat`)));
    const same = procs
      .map((p) => parseProcStat(stats.get(`/proc/${p}/stat`), this.bootTimeS))
      .filter(
        (x): x is ProcessIdentity => x !== undefined && x.comm === before.comm && x.startTicks >= before.startTicks,
      )
      .sort((a, b) => b.startTicks - a.startTicks);
    return same[0];
  }

  /** One snapshot of the figures; never throws for a missing process or group (figures become `none` with a reason). */
  async read(): Promise<CgroupMemory> {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (this.layout === undefined) this.layout = await this.resolve();
      const layout = this.layout;
      if (layout === null) {
        this.layout = undefined;
        const st = parseProcStat(this.statAtResolve, this.bootTimeS);
        const none = noCgroupFigures(null, `no readable memory cgroup for PID ${this.pidNow}`);
        return this.identified(none, st);
      }
      const files = await this.target.readFiles([
        pathArg(this.procCgroup()),
        pathArg(this.procStat()),
        ...cgroupFiles(layout).map(pathArg),
      ]);
      const pc = files.get(this.procCgroup()) ?? null;
      const st = parseProcStat(files.get(this.procStat()), this.bootTimeS);
      if (pc === null) {
        // The process is gone, its group may not be: an OOM kill shows only in the group's counters read after the
        // death, so the group resolved while the process lived is still read (until it is removed).
        const left = cgroupFigures(layout, files);
        if (left.cgroup !== 'none') {
          const next = await this.successor(layout).catch(() => undefined);
          if (next) {
            this.log.trace('cgroup', `pid ${this.pidNow} is gone; ${next.comm} pid ${next.pid} took its place`);
            this.pidNow = next.pid;
            this.last = next;
            return { ...left, process: next };
          }
          return { ...left, processGone: true };
        }
        this.layout = undefined;
        return noCgroupFigures(null, `process ${this.pidNow} is gone, and so is its group ${layout.path}`);
      }
      const pcs = parseProcCgroup(pc);
      const now = layout.version === 'v1' ? pcs.v1.get('memory') : pcs.v2;
      if (now === layout.path) return this.identified(cgroupFigures(layout, files), st);
      this.log.trace('cgroup', `pid ${this.pidNow} moved from ${layout.path} to ${now ?? '?'}; re-resolving`);
      this.layout = undefined;
    }
    return noCgroupFigures(null, `PID ${this.pidNow} keeps changing cgroup`);
  }

  private identified(c: CgroupMemory, st: ProcessIdentity | undefined): CgroupMemory {
    if (!st) return c;
    this.last = st;
    return { ...c, process: st };
  }
}

/** More processes than this in the group of a dead watched process: do not pick a successor among them. */
const MAX_SUCCESSOR_CANDIDATES = 32;
