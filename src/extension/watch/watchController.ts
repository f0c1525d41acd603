import * as vscode from 'vscode';
import type { TargetConfig } from '../../core/editor/targetConfig';
import {
  WatchSession,
  type ConnectionState as CoreConnectionState,
  type ResolvedSite as CoreResolvedSite,
  type WatchPrompts as CoreWatchPrompts,
} from '../../core/editor/watchSession';
import type { LeakConfig } from '../../core/leak/leakConfig';
import type { LeakReport } from '../../core/leak/leakReport';
import type { ConnectedHost } from '../../core/remote/openTarget';
import type { SnapshotEntry } from '../../core/series/seriesIndex';
import type { WorkspacePathResolver } from '../pathMapping/workspacePathResolver';
import { readThresholdSettings, readWatchSettings } from './watchSettings';

/** Where the connection to a configured target stands. */
export type ConnectionState = CoreConnectionState;

/** A leak site plus the workspace file it maps to (undefined when it maps nowhere inside the workspace). */
export type ResolvedSite = CoreResolvedSite<vscode.Uri>;

/** The user interactions a watch needs, injected so the controller stays free of UI wording. */
export type WatchPrompts = CoreWatchPrompts;

/**
 * The editor's face of a {@link WatchSession}: reads the settings when a watch starts, shows progress notifications,
 * logs to the LogOutputChannel, resolves sites to workspace URIs and fires {@link onDidChange} so lenses, diagnostics,
 * views and the status bar refresh. The watch itself (connect, series, incremental analysis) lives in core.
 */
export class WatchController implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after every snapshot and every state change. */
  readonly onDidChange = this.changed.event;
  private readonly session: WatchSession<vscode.Uri>;

  constructor(
    storage: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    resolver: WorkspacePathResolver,
    prompts: WatchPrompts,
  ) {
    this.session = new WatchSession<vscode.Uri>({
      storageDir: storage.fsPath,
      log,
      prompts,
      resolver,
      progress: {
        run: (title, where, task) =>
          Promise.resolve(
            vscode.window.withProgress(
              {
                location:
                  where === 'notification' ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window,
                title,
              },
              task,
            ),
          ),
      },
      changed: () => {
        this.noticeFate();
        this.changed.fire();
      },
      stoppedByError: (target, e) =>
        void vscode.window.showErrorMessage(`Leak Hunter: watching ${target.name} stopped: ${e.message}`),
    });
  }

  // The last target fate announced, per series, so an OOM kill is announced once, not after every snapshot.
  private announcedFate: string | undefined;

  /** Tells the user, once per change, that the watched target was OOM-killed, stopped answering or restarted. */
  private noticeFate(): void {
    const fate = this.session.report?.lifecycle;
    if (!fate || fate.state === 'running') return;
    const key = `${this.session.seriesDir ?? ''}\u0000${fate.state}\u0000${fate.atMs ?? ''}`;
    if (key === this.announcedFate) return;
    this.announcedFate = key;
    this.log.error(`${this.session.target?.name ?? 'target'}: ${fate.summary}`);
    void vscode.window.showErrorMessage(`Leak Hunter: ${this.session.target?.name ?? 'target'}: ${fate.summary}`);
  }

  /** Connection state per configured target name. */
  get states(): ReadonlyMap<string, { state: ConnectionState; detail?: string }> {
    return this.session.states;
  }
  /** The target being watched (or last watched). */
  get target(): TargetConfig | undefined {
    return this.session.target;
  }
  /** The latest leak report of the watched target. */
  get report(): LeakReport | undefined {
    return this.session.report;
  }
  /** Sites of the latest report, resolved into the workspace. */
  get sites(): ResolvedSite[] {
    return this.session.sites;
  }
  /** Snapshots of the current series, oldest first. */
  get snapshots(): readonly SnapshotEntry[] {
    return this.session.snapshots;
  }
  /** The series folder being written. */
  get seriesDir(): string | undefined {
    return this.session.seriesDir;
  }
  /** The leak config of the current watch, from the `leakhunt.thresholds.*` settings read when it started. */
  get config(): LeakConfig {
    return this.session.config;
  }
  /** Whether a watch is running. */
  get watching(): boolean {
    return this.session.watching;
  }
  /** Whether a start is still connecting (a stop then cancels it). */
  get connecting(): boolean {
    return this.session.isConnecting;
  }

  /**
   * Connects to `target` (over `host` when Connect to Target already opened one; it is taken over and closed on
   * failure) and starts the series; stops any watch in progress first. Throws when connecting fails.
   */
  async start(target: TargetConfig, host?: ConnectedHost): Promise<void> {
    const settings = readWatchSettings();
    const thresholds = readThresholdSettings();
    if (thresholds.problems.length > 0) {
      for (const p of thresholds.problems) this.log.warn(p);
      void vscode.window.showWarningMessage(
        `Leak Hunter: invalid threshold setting${thresholds.problems.length > 1 ? 's' : ''}: ${thresholds.problems.join('; ')}`,
      );
    }
    await this.session.start(target, {
      intervalMs: settings.intervalMs,
      window: settings.window,
      keepSeries: settings.keepSeries,
      config: thresholds.config,
      knownHostsFile: settings.knownHostsFile,
      sshConfigFile: settings.sshConfigFile,
      agentSocket: process.env['SSH_AUTH_SOCK'],
      host,
    });
  }

  /** Takes one snapshot now, between the scheduled ones. */
  snapshotNow(): Promise<SnapshotEntry> {
    return this.session.snapshotNow();
  }

  /** Stops the watch after the snapshot in progress and closes the connection; cancels a start still connecting. */
  stop(): Promise<void> {
    return this.session.stop();
  }

  /** Finds a site of the latest report by id. */
  site(id: string): ResolvedSite | undefined {
    return this.session.site(id);
  }

  dispose(): void {
    void this.session.stop();
    this.changed.dispose();
  }
}
