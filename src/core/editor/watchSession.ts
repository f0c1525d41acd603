import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { lifecycleSnapshotOf } from '../leak/targetLifecycle';
import { LeakAnalyzer } from '../leak/leakAnalyzer';
import { resolveLeakConfig, type LeakConfig } from '../leak/leakConfig';
import type { LeakReport } from '../leak/leakReport';
import { loadSeriesInto } from '../leak/loadSeries';
import { openTarget, type ConnectedHost, type OpenedTarget, type OpenTargetOptions } from '../remote/openTarget';
import type { SshAuthCallbacks, UnknownHostKeyInfo } from '../remote/sshConnection';
import type { TraceLogger } from '../remote/traceLogger';
import { collectSnapshot } from '../series/collectSnapshot';
import { pruneSeries } from '../series/pruneSeries';
import { runSeries } from '../series/runSeries';
import type { SnapshotEntry } from '../series/seriesIndex';
import { SnapshotSeries } from '../series/snapshotSeries';
import { leakSitesOf, type LeakSite } from './leakSites';
import { seriesFolderName, targetOpenOptions, type TargetConfig } from './targetConfig';

/** Where the connection to a configured target stands. */
export type ConnectionState = 'idle' | 'connecting' | 'watching' | 'stopped' | 'error';

/** A leak site plus the workspace file it maps to (undefined when it maps nowhere inside the workspace). */
export interface ResolvedSite<U> {
  site: LeakSite;
  uri: U | undefined;
}

/** The user interactions a watch needs (SSH secrets, unknown host keys), injected so the session has no UI wording. */
export interface WatchPrompts {
  auth: SshAuthCallbacks;
  unknownHostKey(info: UnknownHostKeyInfo): Promise<boolean>;
}

/** The log a watch writes to (the editor's LogOutputChannel; the SSH/HTTP trace goes to `debug`). */
export interface WatchLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Shows long steps to the user: `notification` for connect and manual snapshots, `window` for scheduled ones. */
export interface WatchProgress {
  run<T>(title: string, where: 'notification' | 'window', task: () => Promise<T>): Promise<T>;
}

/** Maps a profile's source path to a workspace file of the host's own type (a `vscode.Uri` in the editor). */
export interface SitePathResolver<U> {
  resolve(file: string): Promise<U | undefined>;
}

/** The capabilities a {@link WatchSession} is given by its host (the editor adapter, or a test). */
export interface WatchSessionHost<U> {
  /** Series folders go to `<storageDir>/series/<target>/<stamp>/`. */
  storageDir: string;
  log: WatchLog;
  progress: WatchProgress;
  resolver: SitePathResolver<U>;
  prompts: WatchPrompts;
  /** Called after every snapshot, report and state change. */
  changed(): void;
  /** Told when a running watch ends on its own (a refused host key, a failed login): worth a visible message. */
  stoppedByError?(target: TargetConfig, error: Error): void;
  /** Opens a target; {@link openTarget} unless a test supplies another. */
  open?(o: OpenTargetOptions, host?: ConnectedHost): Promise<OpenedTarget>;
}

/** Settings of one watch, read by the host when it starts. */
export interface WatchStartOptions {
  intervalMs: number;
  /** Snapshots the analysis looks at (the sliding window). */
  window: number;
  config?: LeakConfig;
  knownHostsFile?: string | undefined;
  sshConfigFile?: string | undefined;
  agentSocket?: string | undefined;
  /** Series folders kept per target when the watch starts (older ones are pruned); no pruning when absent. */
  keepSeries?: number | undefined;
  /**
   * A connection already open to the target's host (Connect to Target listed the containers over it). The session
   * takes it over: it is used instead of a new login, and closed with the watch, or at once if the start fails.
   */
  host?: ConnectedHost | undefined;
}

/** Raised by {@link WatchSession.start} while another start is still connecting. */
export class WatchBusyError extends Error {
  override name = 'WatchBusyError';
}

/** Raised by {@link WatchSession.snapshotNow} when no watch runs (or it was stopped meanwhile). */
export class NotWatchingError extends Error {
  override name = 'NotWatchingError';
}

/** One running watch: its connection, series, analyzer and the run loop. */
interface Run {
  target: TargetConfig;
  opened: OpenedTarget;
  series: SnapshotSeries;
  analyzer: LeakAnalyzer;
  /** Time of the last snapshot fed to the analyzer (time order is required). */
  lastFedMs: number | undefined;
  window: number;
  abort: AbortController;
  loop: Promise<void>;
}

/**
 * The editor's live watch without the editor: opens a target (the same core code as `leakhunt watch`), writes a
 * snapshot series into `<storageDir>/series/`, and after every snapshot feeds that one snapshot into a LeakAnalyzer
 * kept for the whole watch, so each report costs one snapshot's decode instead of re-reading the window from disk.
 * Manual and scheduled snapshots are serialized; a stop waits for the snapshot in progress, and a report computed for
 * a watch that has since stopped or been replaced is dropped.
 */
export class WatchSession<U> {
  /** Connection state per configured target name. */
  readonly states = new Map<string, { state: ConnectionState; detail?: string }>();
  /** The target being watched (or last watched). */
  target: TargetConfig | undefined;
  /** The latest leak report of the watched target. */
  report: LeakReport | undefined;
  /** Sites of the latest report, resolved into the workspace. */
  sites: ResolvedSite<U>[] = [];
  /** Snapshots of the current series, oldest first. */
  snapshots: readonly SnapshotEntry[] = [];
  /** The series folder being written (or last written). */
  seriesDir: string | undefined;
  /** The leak config of the current watch. */
  config: LeakConfig = resolveLeakConfig();
  private run: Run | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private connecting: { name: string; cancelled: boolean } | undefined;
  private readonly trace: TraceLogger;

  constructor(private readonly host: WatchSessionHost<U>) {
    this.trace = { trace: (scope, message) => host.log.debug(`[${scope}] ${message}`) };
  }

  /** Whether a watch is running. */
  get watching(): boolean {
    return this.run !== undefined && !this.run.abort.signal.aborted;
  }

  /** Whether a start is still connecting. */
  get isConnecting(): boolean {
    return this.connecting !== undefined;
  }

  private setState(name: string, state: ConnectionState, detail?: string): void {
    this.states.set(name, detail !== undefined ? { state, detail } : { state });
    this.host.changed();
  }

  /**
   * Connects to `target` and starts the series; stops any watch in progress first. Throws when connecting fails (the
   * state then says `error`). A stop while connecting cancels the start: it resolves with the state `stopped`.
   */
  async start(target: TargetConfig, opts: WatchStartOptions): Promise<void> {
    // A second start while one is connecting would open a second connection and orphan the first.
    if (this.connecting) {
      await opts.host?.close().catch(() => undefined);
      throw new WatchBusyError(`already connecting to ${this.connecting.name}`);
    }
    const pending = { name: target.name, cancelled: false };
    this.connecting = pending;
    try {
      await this.startConnected(target, opts, pending);
    } finally {
      this.connecting = undefined;
    }
  }

  private async startConnected(
    target: TargetConfig,
    opts: WatchStartOptions,
    pending: { cancelled: boolean },
  ): Promise<void> {
    await this.stopRun();
    const log = this.host.log;
    this.config = opts.config ?? resolveLeakConfig();
    this.target = target;
    this.report = undefined;
    this.sites = [];
    this.snapshots = [];
    this.setState(target.name, 'connecting');
    log.info(`connecting to ${target.name} (${target.url})${opts.host ? ' over the open connection' : ''}`);
    let opened: OpenedTarget | undefined;
    let series: SnapshotSeries | undefined;
    try {
      const open = this.host.open ?? openTarget;
      const o = targetOpenOptions(target, {
        knownHosts: opts.knownHostsFile,
        sshConfig: opts.sshConfigFile,
        agentSocket: opts.agentSocket,
        auth: this.host.prompts.auth,
        onUnknownHostKey: (info) => this.host.prompts.unknownHostKey(info),
        logger: this.trace,
      });
      opened = await this.host.progress.run(`Leak Hunter: connecting to ${target.name}`, 'notification', () =>
        open(o, opts.host),
      );
      if (pending.cancelled) {
        await opened.target.close().catch(() => undefined);
        log.info(`start of ${target.name} cancelled`);
        this.setState(target.name, 'stopped');
        return;
      }
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const root = path.join(this.host.storageDir, 'series');
      this.seriesDir = path.join(root, seriesFolderName(target.name), stamp);
      await fs.mkdir(this.seriesDir, { recursive: true });
      series = await SnapshotSeries.open(this.seriesDir, { target: opened.target.label, window: opts.window });
      if (opts.keepSeries !== undefined) await this.prune(root, opts.keepSeries, this.seriesDir);
    } catch (e) {
      await series?.close().catch(() => undefined);
      // A handed-over connection belongs to this start now, also when opening failed before using it.
      await (opened?.target ?? opts.host)?.close().catch(() => undefined);
      this.setState(target.name, 'error', (e as Error).message);
      log.error(`cannot watch ${target.name}: ${(e as Error).message}`);
      throw e;
    }
    log.info(`watching ${target.name} every ${opts.intervalMs / 1000} s into ${this.seriesDir}`);
    const abort = new AbortController();
    const run: Run = {
      target,
      opened,
      series,
      analyzer: new LeakAnalyzer({ config: this.config, window: opts.window }),
      lastFedMs: undefined,
      window: opts.window,
      abort,
      loop: Promise.resolve(),
    };
    this.run = run;
    this.setState(target.name, 'watching');
    run.loop = runSeries(() => this.collect(run, 'window'), { intervalMs: opts.intervalMs, signal: abort.signal }).then(
      async (result) => {
        if (!result.error || abort.signal.aborted) return;
        log.error(`watch of ${target.name} stopped: ${result.error.message}`);
        abort.abort();
        await this.closeRun(run);
        this.setState(target.name, 'error', result.error.message);
        this.host.stoppedByError?.(target, result.error);
      },
    );
  }

  private async prune(root: string, keep: number, current: string): Promise<void> {
    try {
      const r = await pruneSeries(root, { keepPerTarget: keep, protect: [current] });
      if (r.removed.length > 0) this.host.log.info(`pruned ${r.removed.length} old series folder(s) under ${root}`);
      for (const p of r.problems) this.host.log.warn(`pruning series: ${p}`);
    } catch (e) {
      // Pruning is housekeeping: it never stops a watch.
      this.host.log.warn(`pruning series under ${root} failed: ${(e as Error).message}`);
    }
  }

  /** Takes one snapshot now, between the scheduled ones (after the one in progress, never overlapping it). */
  async snapshotNow(): Promise<SnapshotEntry> {
    const run = this.run;
    if (!run || !this.watching)
      throw new NotWatchingError('not watching a target; run "Leakhunt: Start Watching" first');
    return this.host.progress.run(`Leak Hunter: snapshot of ${run.target.name}`, 'notification', () =>
      this.collect(run, 'notification'),
    );
  }

  /** Stops the watch after the snapshot in progress and closes the connection; cancels a start still connecting. */
  async stop(): Promise<void> {
    if (this.connecting) this.connecting.cancelled = true;
    await this.stopRun();
  }

  private async stopRun(): Promise<void> {
    const run = this.run;
    if (!run) return;
    run.abort.abort();
    await run.loop.catch(() => undefined);
    await this.queue.catch(() => undefined);
    await this.closeRun(run);
    if (this.states.get(run.target.name)?.state === 'watching') {
      this.setState(run.target.name, 'stopped');
      this.host.log.info(`stopped watching ${run.target.name}`);
    }
  }

  private async closeRun(run: Run): Promise<void> {
    if (this.run === run) this.run = undefined;
    await run.series.close().catch(() => undefined);
    await run.opened.target.close().catch(() => undefined);
  }

  /** Collects one snapshot and analyses it; queued so a manual snapshot never overlaps a scheduled one. */
  private collect(run: Run, where: 'notification' | 'window'): Promise<SnapshotEntry> {
    const next = this.queue.then(async () => {
      // A stop between queueing and our turn: the series is closed (or about to be), do not write into it.
      if (this.run !== run || run.abort.signal.aborted) throw new NotWatchingError('the watch was stopped');
      const snap = (): Promise<SnapshotEntry> =>
        collectSnapshot(run.series, {
          target: run.opened.target,
          ...(run.target.pprofPrefix !== undefined ? { prefix: run.target.pprofPrefix } : {}),
          ...(run.opened.cgroup ? { cgroup: run.opened.cgroup } : {}),
          ...(run.opened.containerProbe ? { container: run.opened.containerProbe } : {}),
          forceGc: run.target.forceGc === true,
          logger: this.trace,
        });
      const entry =
        where === 'window' ? await this.host.progress.run('Leak Hunter: snapshot', 'window', snap) : await snap();
      const line = `snapshot ${entry.seq} of ${run.target.name}: ${entry.status}`;
      // Gaps are worth a warning (the series goes on without them); routine snapshots stay at debug level.
      if (entry.gaps.length > 0)
        this.host.log.warn(`${line}${entry.gaps.map((g) => `; ${g.what}: ${g.reason}`).join('')}`);
      else if (run.series.snapshots.length === 1) this.host.log.info(line);
      else this.host.log.debug(line);
      if (this.run === run) this.snapshots = [...run.series.snapshots];
      await this.analyze(run, entry);
      return entry;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Feeds the new snapshot into the run's analyzer and publishes the report, unless the run is no longer current. */
  private async analyze(run: Run, entry: SnapshotEntry): Promise<void> {
    const log = this.host.log;
    // A gap has no profiles, but it is what tells a dead target from a live one: it feeds the lifecycle only, as the
    // series loader does.
    if (entry.status === 'gap') run.analyzer.addGap(lifecycleSnapshotOf(entry));
    else {
      try {
        if (run.lastFedMs !== undefined && entry.takenAtMs < run.lastFedMs) {
          // The wall clock went back: rebuild from disk in the loader's time order rather than feed out of order.
          run.analyzer = new LeakAnalyzer({ config: this.config, window: run.window });
          const loaded = await loadSeriesInto(run.series.dir, run.analyzer, { window: run.window });
          for (const p of loaded.problems) log.warn(p);
        } else {
          // The newest usable snapshot is the one just appended: read and decode only it.
          const loaded = await loadSeriesInto(run.series.dir, run.analyzer, { window: 1 });
          for (const p of loaded.problems) log.warn(p);
        }
        run.lastFedMs = Math.max(run.lastFedMs ?? entry.takenAtMs, entry.takenAtMs);
      } catch (e) {
        log.warn(`cannot analyse snapshot ${entry.seq}: ${(e as Error).message}`);
      }
    }
    const label = run.opened.target.label;
    const report = run.analyzer.report(label);
    const sites: ResolvedSite<U>[] = [];
    for (const site of leakSitesOf(report)) sites.push({ site, uri: await this.host.resolver.resolve(site.file) });
    // A stop or a new start may have happened meanwhile; a stale report must not overwrite the current view.
    if (this.run !== run) return;
    if (sites.length !== this.sites.length) {
      const mapped = sites.filter((x) => x.uri !== undefined).length;
      log.info(`${sites.length} leaking or growing sites on ${label} (${mapped} in the workspace)`);
    }
    this.report = report;
    this.sites = sites;
    this.host.changed();
  }

  /** Finds a site of the latest report by id. */
  site(id: string): ResolvedSite<U> | undefined {
    return this.sites.find((s) => s.site.id === id);
  }
}
