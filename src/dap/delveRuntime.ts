import type { DelveHost, DelveSession } from '../core/hotpatch/delveProcess';
import { LocalDelveHost, startDelve } from '../core/hotpatch/delveProcess';
import type { DelveVariable } from '../core/hotpatch/delveRpcClient';
import { shallowLoadConfig } from '../core/hotpatch/delveRpcClient';
import { HotpatchError } from '../core/hotpatch/hotpatchErrors';
import {
  hotpatchPool,
  localAccess,
  releaseTarget,
  type HotpatchResult,
  type TargetAccess,
} from '../core/hotpatch/patchPool';
import { assertAttachable } from '../core/hotpatch/processFacts';
import { remoteAccess, sshShell } from '../core/hotpatch/remoteAccess';
import { openSshSession, type OpenSshOptions } from '../core/remote/openSshSession';
import { parseTargetUrl } from '../core/remote/openTarget';
import type { SshSession } from '../core/remote/sshSession';
import type { AcquisitionTarget } from '../core/remote/acquisitionTarget';
import { inspectContainer } from '../core/remote/dockerContainers';
import { LocalTarget } from '../core/remote/localTarget';
import { SshTarget } from '../core/remote/sshTarget';
import { silentLogger } from '../core/remote/traceLogger';

/**
 * How the runtime logs in to ssh:// targets, injected by whoever hosts the adapter: the extension passes its settings
 * and prompts; standalone, the user's ~/.ssh/config, known_hosts and ssh-agent are used and nothing is asked.
 */
export type RuntimeSshOptions = Partial<Omit<OpenSshOptions, 'target'>>;

/** One goroutine as the debug UI shows it. */
export interface RuntimeGoroutine {
  id: number;
  name: string;
}

/** One stack frame of a goroutine. */
export interface RuntimeFrame {
  name: string;
  file: string;
  line: number;
}

/** How to attach: a pid on this machine (`local`) or on an SSH host (`ssh://[USER@]HOST[:PORT]`, aliases allowed). */
export interface RuntimeAttachArgs {
  target: string;
  /** The process; or give `container` and its main process is attached. */
  pid?: number;
  /** A Docker container on the target host, resolved to its host pid with `docker inspect` there. */
  container?: string;
  dlvPath?: string;
}

/** Arguments of the custom `hotPatchPool` request. */
export interface HotPatchArgs {
  pool: string;
  with: string;
  source: string;
  dryRun?: boolean;
  auditDir?: string;
}

interface DelveGoroutine {
  id: number;
  currentLoc?: { file: string; line: number; function?: { name: string } };
  userCurrentLoc?: { file: string; line: number; function?: { name: string } };
}

interface DelveFrame {
  file: string;
  line: number;
  function?: { name: string };
}

/**
 * The debugger runtime behind the debug adapter (vscode-mock-debug's split: this knows Delve, the session knows
 * DAP). It attaches with the same Delve client as `leakhunt hotpatch`, lets the target run right after the attach,
 * reads goroutines/stacks/variables only while paused, and always detaches on the way out, never kills.
 */
export class DelveRuntime {
  private session: DelveSession | undefined;
  private pid = 0;
  private access: TargetAccess | undefined;
  private ssh: SshSession | undefined;

  constructor(private readonly sshOptions: RuntimeSshOptions = {}) {}

  /**
   * Attaches Delve to the process and lets it run. For `ssh://...` dlv starts on that host as the login user (which
   * must own the process) and is reached through an SSH tunnel to its loopback port.
   */
  async attach(args: RuntimeAttachArgs): Promise<void> {
    let host: DelveHost = new LocalDelveHost();
    this.access = localAccess();
    // Only run() of this target is used (docker inspect on the host), so its endpoint is a placeholder.
    let dockerHost: AcquisitionTarget = new LocalTarget('127.0.0.1', 1, silentLogger);
    if (args.target !== 'local') {
      let spec;
      try {
        spec = parseTargetUrl(args.target);
      } catch (e) {
        throw new HotpatchError('dlv-start', (e as Error).message);
      }
      if (spec.kind !== 'ssh')
        throw new HotpatchError('dlv-start', `target must be "local" or ssh://[USER@]HOST[:PORT], not ${args.target}`);
      const o = this.sshOptions;
      const opened = await openSshSession({
        ...o,
        target: spec,
        agentSocket: o.agentSocket ?? process.env['SSH_AUTH_SOCK'],
        auth: o.auth ?? {},
        logger: o.logger ?? silentLogger,
      });
      this.ssh = opened.session;
      this.access = remoteAccess(sshShell(opened.connection, opened.label));
      host = this.access.host;
      dockerHost = new SshTarget(opened.session, opened.label, '127.0.0.1', 1, silentLogger);
    }
    try {
      let pid = args.pid;
      if (args.container !== undefined) {
        const info = await inspectContainer(dockerHost, args.container);
        if (!info.running || info.pid === null)
          throw new HotpatchError('no-such-process', `container ${info.name} is not running`);
        pid = info.pid;
      }
      if (pid === undefined) throw new HotpatchError('no-such-process', 'attach needs a pid or a container');
      this.pid = pid;
      // Refuses another user's process (and, remotely, one not owned by the login user) before anything attaches.
      assertAttachable(await this.access.facts(pid));
      this.session = await startDelve(host, {
        pid,
        ...(args.dlvPath ? { dlvPath: args.dlvPath } : {}),
      });
      await this.session.client.continueRunning();
    } catch (e) {
      this.closeSsh();
      throw e;
    }
  }

  private closeSsh(): void {
    this.ssh?.close();
    this.ssh = undefined;
  }

  private get client(): DelveSession['client'] {
    if (!this.session) throw new HotpatchError('rpc-error', 'not attached');
    return this.session.client;
  }

  /** Whether the target runs (goroutines and variables need a pause). */
  get running(): boolean {
    return this.session?.client.targetRunning ?? false;
  }

  /** Stops the target. */
  async pause(): Promise<void> {
    await this.client.halt();
  }

  /** Resumes the target. */
  async resume(): Promise<void> {
    await this.client.continueRunning();
  }

  /** The goroutines, with their innermost user frame as the name; empty while running. */
  async goroutines(): Promise<RuntimeGoroutine[]> {
    if (this.running) return [];
    const r = await this.client.call<{ Goroutines: DelveGoroutine[] | null }>('ListGoroutines', { Start: 0, Count: 0 });
    return (r.Goroutines ?? []).map((g) => {
      const loc = g.userCurrentLoc ?? g.currentLoc;
      return { id: g.id, name: `goroutine ${g.id}${loc?.function ? ` ${loc.function.name}` : ''}` };
    });
  }

  /** The stack of one goroutine, innermost first. */
  async stack(goroutineId: number, depth = 50): Promise<RuntimeFrame[]> {
    const r = await this.client.call<{ Locations: DelveFrame[] | null } | DelveFrame[]>('Stacktrace', {
      Id: goroutineId,
      Depth: depth,
      Full: false,
    });
    const frames = Array.isArray(r) ? r : (r.Locations ?? []);
    return frames.map((f) => ({ name: f.function?.name ?? '?', file: f.file, line: f.line }));
  }

  /** Package variables of user packages whose type is sync.Pool or func() any: what a hot patch works with. */
  async poolVariables(): Promise<DelveVariable[]> {
    const vars = await this.client.listPackageVars('', { ...shallowLoadConfig, MaxVariableRecurse: 0 });
    const std =
      /^(runtime|internal|sync|net|crypto|os|syscall|reflect|fmt|time|io|vendor|golang\.org|unicode|encoding|math|strconv|context|log|bufio|errors|text|html|mime|compress|hash|path|sort|strings|bytes|container|debug|go|expvar|flag|regexp|testing|embed|slices|maps|iter|unique|weak|cmp|archive|image|plugin|database)[/.]/;
    return vars.filter(
      (v) => !std.test(v.name) && (v.realType === 'sync.Pool' || v.realType === 'func() interface {}'),
    );
  }

  /** Children of a variable (for expanding a sync.Pool in the UI). */
  async evaluate(expr: string): Promise<DelveVariable> {
    return this.client.eval(expr);
  }

  /** Runs the hot patch on this session (borrowed: it stays attached and keeps its run state). */
  async hotPatchPool(args: HotPatchArgs, dlvPath?: string): Promise<HotpatchResult> {
    if (!this.session) throw new HotpatchError('rpc-error', 'not attached');
    return hotpatchPool({
      pid: this.pid,
      pool: args.pool,
      with: args.with,
      source: args.source,
      session: this.session,
      ...(this.access ? { access: this.access } : {}),
      ...(args.dryRun ? { dryRun: true } : {}),
      ...(args.auditDir ? { auditDir: args.auditDir } : {}),
      ...(dlvPath ? { dlvPath } : {}),
    });
  }

  /** Detaches (never kills): halts if running, detaches, and kills dlv if that fails so the kernel lets go. */
  async detach(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    try {
      if (s) await releaseTarget(s);
    } finally {
      // Closing the connection also hangs up a remote dlv that did not exit.
      this.closeSsh();
    }
  }
}
