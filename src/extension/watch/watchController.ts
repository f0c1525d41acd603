import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { leakSitesOf, type LeakSite } from '../../core/editor/leakSites';
import { seriesFolderName, type TargetConfig } from '../../core/editor/targetConfig';
import { LeakAnalyzer } from '../../core/leak/leakAnalyzer';
import { resolveLeakConfig, type LeakConfig } from '../../core/leak/leakConfig';
import type { LeakReport } from '../../core/leak/leakReport';
import { loadSeriesInto } from '../../core/leak/loadSeries';
import { openTarget, type OpenedTarget } from '../../core/remote/openTarget';
import type { SshAuthCallbacks, UnknownHostKeyInfo } from '../../core/remote/sshConnection';
import type { TraceLogger } from '../../core/remote/traceLogger';
import { collectSnapshot } from '../../core/series/collectSnapshot';
import { runSeries } from '../../core/series/runSeries';
import type { SnapshotEntry } from '../../core/series/seriesIndex';
import { SnapshotSeries } from '../../core/series/snapshotSeries';
import type { WorkspacePathResolver } from '../pathMapping/workspacePathResolver';
import { readThresholdSettings, readWatchSettings } from './watchSettings';

/** Where the connection to a configured target stands. */
export type ConnectionState = 'idle' | 'connecting' | 'watching' | 'stopped' | 'error';

/** A leak site plus the workspace file it maps to (undefined when it maps nowhere inside the workspace). */
export interface ResolvedSite {
  site: LeakSite;
  uri: vscode.Uri | undefined;
}

/** The user interactions a watch needs, injected so the controller stays free of UI wording. */
export interface WatchPrompts {
  auth: SshAuthCallbacks;
  unknownHostKey(info: UnknownHostKeyInfo): Promise<boolean>;
}

/**
 * Watches one target at a time: opens it (the same core code as `leakhunt watch`), writes a snapshot series into the
 * extension's global storage, re-runs the leak analysis after every snapshot, maps the blamed sites into the
 * workspace and fires {@link onDidChange} so lenses, diagnostics, views and the status bar refresh.
 */
export class WatchController implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after every snapshot and every state change. */
  readonly onDidChange = this.changed.event;
  /** Connection state per configured target name. */
  readonly states = new Map<string, { state: ConnectionState; detail?: string }>();
  /** The target being watched (or last watched). */
  target: TargetConfig | undefined;
  /** The latest leak report of the watched target. */
  report: LeakReport | undefined;
  /** Sites of the latest report, resolved into the workspace. */
  sites: ResolvedSite[] = [];
  /** Snapshots of the current series, oldest first. */
  snapshots: readonly SnapshotEntry[] = [];
  /** The series folder being written. */
  seriesDir: string | undefined;
  /** The leak config of the current watch, from the `leakhunt.thresholds.*` settings read when it started. */
  config: LeakConfig = resolveLeakConfig();
  private opened: OpenedTarget | undefined;
  private series: SnapshotSeries | undefined;
  private abort: AbortController | undefined;
  private running: Promise<unknown> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly logger: TraceLogger;
  private connecting: string | undefined;

  constructor(
    private readonly storage: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly resolver: WorkspacePathResolver,
    private readonly prompts: WatchPrompts,
  ) {
    this.logger = { trace: (scope, message) => log.debug(`[${scope}] ${message}`) };
  }

  /** Whether a watch is running. */
  get watching(): boolean {
    return this.abort !== undefined && !this.abort.signal.aborted;
  }

  private setState(name: string, state: ConnectionState, detail?: string): void {
    this.states.set(name, detail !== undefined ? { state, detail } : { state });
    this.changed.fire();
  }

  /** Connects to `target` and starts the series; stops any watch in progress first. Throws when connecting fails. */
  async start(target: TargetConfig): Promise<void> {
    // A second start while one is connecting would open a second connection and orphan the first.
    if (this.connecting) throw new Error(`already connecting to ${this.connecting}`);
    this.connecting = target.name;
    try {
      await this.startConnected(target);
    } finally {
      this.connecting = undefined;
    }
  }

  private async startConnected(target: TargetConfig): Promise<void> {
    await this.stop();
    const settings = readWatchSettings();
    const thresholds = readThresholdSettings();
    this.config = thresholds.config;
    if (thresholds.problems.length > 0) {
      for (const p of thresholds.problems) this.log.warn(p);
      void vscode.window.showWarningMessage(
        `Leak Hunter: invalid threshold setting${thresholds.problems.length > 1 ? 's' : ''}: ${thresholds.problems.join('; ')}`,
      );
    }
    this.target = target;
    this.report = undefined;
    this.sites = [];
    this.snapshots = [];
    this.setState(target.name, 'connecting');
    this.log.info(`connecting to ${target.name} (${target.url})`);
    try {
      this.opened = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Leak Hunter: connecting to ${target.name}` },
        () =>
          openTarget({
            target: target.spec,
            endpoint: target.endpoint,
            container: target.container,
            pid: target.pid,
            identity: target.identityFile !== undefined ? [target.identityFile] : undefined,
            knownHosts: settings.knownHostsFile,
            sshConfig: settings.sshConfigFile,
            agentSocket: process.env['SSH_AUTH_SOCK'],
            auth: this.prompts.auth,
            onUnknownHostKey: (info) => this.prompts.unknownHostKey(info),
            logger: this.logger,
          }),
      );
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      this.seriesDir = path.join(this.storage.fsPath, 'series', seriesFolderName(target.name), stamp);
      await fs.mkdir(this.seriesDir, { recursive: true });
      this.series = await SnapshotSeries.open(this.seriesDir, {
        target: this.opened.target.label,
        window: settings.window,
      });
    } catch (e) {
      await this.closeTarget();
      this.setState(target.name, 'error', (e as Error).message);
      this.log.error(`cannot watch ${target.name}: ${(e as Error).message}`);
      throw e;
    }
    this.log.info(`watching ${target.name} every ${settings.intervalMs / 1000} s into ${this.seriesDir}`);
    this.setState(target.name, 'watching');
    const abort = new AbortController();
    this.abort = abort;
    this.running = runSeries(() => this.collectOnce(settings.window), {
      intervalMs: settings.intervalMs,
      signal: abort.signal,
    }).then(async (result) => {
      if (result.error && !abort.signal.aborted) {
        this.log.error(`watch of ${target.name} stopped: ${result.error.message}`);
        this.setState(target.name, 'error', result.error.message);
        void vscode.window.showErrorMessage(`Leak Hunter: watching ${target.name} stopped: ${result.error.message}`);
        abort.abort();
        await this.closeTarget();
      }
    });
  }

  /** Takes one snapshot now, between the scheduled ones. */
  async snapshotNow(): Promise<SnapshotEntry> {
    if (!this.watching) throw new Error('not watching a target; run "Leakhunt: Start Watching" first');
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Leak Hunter: snapshot of ${this.target?.name ?? ''}` },
      () => this.collectOnce(readWatchSettings().window),
    );
  }

  /** Stops the watch after the snapshot in progress and closes the connection. */
  async stop(): Promise<void> {
    const abort = this.abort;
    if (!abort) return;
    abort.abort();
    await this.running?.catch(() => undefined);
    await this.queue.catch(() => undefined);
    await this.closeTarget();
    this.abort = undefined;
    if (this.target && this.states.get(this.target.name)?.state === 'watching') {
      this.setState(this.target.name, 'stopped');
      this.log.info(`stopped watching ${this.target.name}`);
    }
  }

  private async closeTarget(): Promise<void> {
    const series = this.series;
    const opened = this.opened;
    this.series = undefined;
    this.opened = undefined;
    await series?.close().catch(() => undefined);
    await opened?.target.close().catch(() => undefined);
  }

  /** Collects one snapshot and re-analyses; serialized so a manual snapshot never overlaps a scheduled one. */
  private collectOnce(window: number): Promise<SnapshotEntry> {
    const next = this.queue.then(async () => {
      const series = this.series;
      const opened = this.opened;
      if (!series || !opened) throw new Error('the watch was stopped');
      const entry = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Leak Hunter: snapshot' },
        () =>
          collectSnapshot(series, {
            target: opened.target,
            ...(this.target?.pprofPrefix !== undefined ? { prefix: this.target.pprofPrefix } : {}),
            ...(opened.cgroup ? { cgroup: opened.cgroup } : {}),
            logger: this.logger,
          }),
      );
      const line = `snapshot ${entry.seq} of ${this.target?.name ?? '?'}: ${entry.status}`;
      // Gaps are worth a warning (the series goes on without them); routine snapshots stay at debug level.
      if (entry.gaps.length > 0) this.log.warn(`${line}${entry.gaps.map((g) => `; ${g.what}: ${g.reason}`).join('')}`);
      else if (series.snapshots.length === 1) this.log.info(line);
      else this.log.debug(line);
      this.snapshots = [...series.snapshots];
      await this.analyze(series, opened.target.label, window);
      return entry;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async analyze(series: SnapshotSeries, label: string, window: number): Promise<void> {
    const dir = this.seriesDir;
    if (!dir) return;
    const analyzer = new LeakAnalyzer({ config: this.config, window });
    const loaded = await loadSeriesInto(dir, analyzer, { window });
    for (const p of loaded.problems) this.log.warn(p);
    const report = analyzer.report(label);
    const sites: ResolvedSite[] = [];
    for (const site of leakSitesOf(report)) sites.push({ site, uri: await this.resolver.resolve(site.file) });
    // A stop may have happened while analysing; a stale report must not overwrite the stopped state's view.
    if (this.series !== series) return;
    if (sites.length !== this.sites.length) {
      const mapped = sites.filter((x) => x.uri).length;
      this.log.info(`${sites.length} leaking or growing sites on ${label} (${mapped} in the workspace)`);
    }
    this.report = report;
    this.sites = sites;
    this.changed.fire();
  }

  /** Finds a site of the latest report by id. */
  site(id: string): ResolvedSite | undefined {
    return this.sites.find((s) => s.site.id === id);
  }

  dispose(): void {
    void this.stop();
    this.changed.dispose();
  }
}
