import type { DelveSession } from '../core/hotpatch/delveProcess';
import { LocalDelveHost, startDelve } from '../core/hotpatch/delveProcess';
import type { DelveVariable } from '../core/hotpatch/delveRpcClient';
import { shallowLoadConfig } from '../core/hotpatch/delveRpcClient';
import { HotpatchError } from '../core/hotpatch/hotpatchErrors';
import { hotpatchPool, releaseTarget, type HotpatchResult } from '../core/hotpatch/patchPool';

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

/** How to attach: a local pid for now (`ssh://` targets come with the remote Delve host). */
export interface RuntimeAttachArgs {
  target: string;
  pid: number;
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

  /** Attaches Delve to the process and lets it run. */
  async attach(args: RuntimeAttachArgs): Promise<void> {
    if (args.target !== 'local')
      throw new HotpatchError(
        'dlv-start',
        `target ${args.target} is not supported yet; use "local" on the target host`,
      );
    this.pid = args.pid;
    this.session = await startDelve(new LocalDelveHost(), {
      pid: args.pid,
      ...(args.dlvPath ? { dlvPath: args.dlvPath } : {}),
    });
    await this.session.client.continueRunning();
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
      ...(args.dryRun ? { dryRun: true } : {}),
      ...(args.auditDir ? { auditDir: args.auditDir } : {}),
      ...(dlvPath ? { dlvPath } : {}),
    });
  }

  /** Detaches (never kills): halts if running, detaches, and kills dlv if that fails so the kernel lets go. */
  async detach(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await releaseTarget(s);
  }
}
