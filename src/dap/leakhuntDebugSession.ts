import {
  ContinuedEvent,
  DebugSession,
  Handles,
  InitializedEvent,
  Scope,
  Source,
  StackFrame,
  StoppedEvent,
  TerminatedEvent,
  Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { containerArg } from '../core/remote/remoteCommand';
import { DelveRuntime, type HotPatchArgs, type RuntimeSshOptions } from './delveRuntime';

/** The `leakhunt` attach configuration. */
export interface LeakhuntAttachArguments extends DebugProtocol.AttachRequestArguments {
  /** `local` (the machine the adapter runs on) or `ssh://[USER@]HOST[:PORT]` (dlv runs there as the login user). */
  target?: string;
  pid?: number;
  container?: string;
  dlvPath?: string;
}

/** The single thread shown while the target runs: goroutines can only be listed once it is paused. */
const RUNNING_THREAD_ID = 1_000_000_000;

/**
 * The `leakhunt` debug type: translates DAP to the DelveRuntime (threads are goroutines, one "Package variables"
 * scope with the pools and func() any candidates, evaluate, pause/continue, disconnect = detach, never kill) and adds
 * the custom request `hotPatchPool`.
 */
export class LeakhuntDebugSession extends DebugSession {
  private readonly runtime: DelveRuntime;
  private readonly scopes = new Handles<string>();
  private dlvPath: string | undefined;

  /** `ssh` says how ssh:// targets are logged in to (the extension injects its settings and prompts). */
  constructor(ssh: RuntimeSshOptions = {}) {
    super();
    this.runtime = new DelveRuntime(ssh);
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsEvaluateForHovers: false,
      supportTerminateDebuggee: false,
      supportsTerminateRequest: false,
    };
    this.sendResponse(response);
  }

  protected override async attachRequest(
    response: DebugProtocol.AttachResponse,
    args: LeakhuntAttachArguments,
  ): Promise<void> {
    if (args.container !== undefined && args.pid !== undefined) {
      this.sendErrorResponse(response, 3001, 'give either pid or container, not both');
      return;
    }
    if (args.container !== undefined) {
      try {
        containerArg(args.container);
      } catch (e) {
        this.sendErrorResponse(response, 3001, (e as Error).message);
        return;
      }
    } else if (!Number.isSafeInteger(args.pid) || (args.pid ?? 0) <= 0) {
      this.sendErrorResponse(response, 3002, 'attach needs a pid');
      return;
    }
    try {
      this.dlvPath = args.dlvPath;
      await this.runtime.attach({
        target: args.target ?? 'local',
        ...(args.pid !== undefined ? { pid: args.pid } : {}),
        ...(args.container !== undefined ? { container: args.container } : {}),
        ...(args.dlvPath ? { dlvPath: args.dlvPath } : {}),
      });
      this.sendResponse(response);
      this.sendEvent(new InitializedEvent());
    } catch (e) {
      this.sendErrorResponse(response, 3003, `attach failed: ${(e as Error).message}`);
    }
  }

  protected override async threadsRequest(response: DebugProtocol.ThreadsResponse): Promise<void> {
    try {
      const gs = await this.runtime.goroutines();
      response.body = {
        threads: this.runtime.running
          ? [new Thread(RUNNING_THREAD_ID, 'all goroutines (running; pause to list them)')]
          : gs.map((g) => new Thread(g.id, g.name)),
      };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 3004, (e as Error).message);
    }
  }

  protected override async stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): Promise<void> {
    try {
      if (this.runtime.running || args.threadId === RUNNING_THREAD_ID) {
        response.body = { stackFrames: [], totalFrames: 0 };
      } else {
        const frames = await this.runtime.stack(args.threadId, args.levels || 50);
        response.body = {
          stackFrames: frames.map(
            (f, i) =>
              new StackFrame(
                args.threadId * 1000 + i,
                f.name,
                new Source(f.file.split('/').pop() ?? f.file, f.file),
                f.line,
              ),
          ),
          totalFrames: frames.length,
        };
      }
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 3005, (e as Error).message);
    }
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse): void {
    response.body = {
      scopes: [new Scope('Package variables (sync.Pool, func() any)', this.scopes.create('pools'), true)],
    };
    this.sendResponse(response);
  }

  protected override async variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): Promise<void> {
    try {
      if (this.runtime.running || this.scopes.get(args.variablesReference) !== 'pools') {
        response.body = { variables: [] };
      } else {
        const vars = await this.runtime.poolVariables();
        response.body = {
          variables: vars.map((v) => ({
            name: v.name,
            value: v.realType === 'sync.Pool' ? 'sync.Pool' : v.value || 'nil',
            type: v.realType,
            variablesReference: 0,
            evaluateName: v.name,
          })),
        };
      }
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 3006, (e as Error).message);
    }
  }

  protected override async evaluateRequest(
    response: DebugProtocol.EvaluateResponse,
    args: DebugProtocol.EvaluateArguments,
  ): Promise<void> {
    if (this.runtime.running) {
      this.sendErrorResponse(response, 3007, 'pause the target first: Delve evaluates only while it is stopped');
      return;
    }
    try {
      const v = await this.runtime.evaluate(args.expression);
      response.body = { result: v.value || v.realType, type: v.realType, variablesReference: 0 };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 3008, (e as Error).message);
    }
  }

  protected override async pauseRequest(response: DebugProtocol.PauseResponse): Promise<void> {
    try {
      await this.runtime.pause();
      this.sendResponse(response);
      const gs = await this.runtime.goroutines();
      this.sendEvent(new StoppedEvent('pause', gs[0]?.id ?? RUNNING_THREAD_ID));
    } catch (e) {
      this.sendErrorResponse(response, 3009, (e as Error).message);
    }
  }

  protected override async continueRequest(response: DebugProtocol.ContinueResponse): Promise<void> {
    try {
      await this.runtime.resume();
      response.body = { allThreadsContinued: true };
      this.sendResponse(response);
      this.sendEvent(new ContinuedEvent(RUNNING_THREAD_ID, true));
    } catch (e) {
      this.sendErrorResponse(response, 3010, (e as Error).message);
    }
  }

  protected override async disconnectRequest(response: DebugProtocol.DisconnectResponse): Promise<void> {
    // Always detach, never kill, whatever terminateDebuggee says: this is a production process.
    await this.runtime.detach();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override async customRequest(
    command: string,
    response: DebugProtocol.Response,
    args: unknown,
  ): Promise<void> {
    if (command !== 'hotPatchPool') {
      this.sendErrorResponse(response, 3011, `unknown request ${command}`);
      return;
    }
    const a = (args ?? {}) as Partial<HotPatchArgs>;
    if (!a.pool || !a.with || !a.source) {
      this.sendErrorResponse(response, 3012, 'hotPatchPool needs pool, with and source');
      return;
    }
    try {
      const r = await this.runtime.hotPatchPool(
        {
          pool: a.pool,
          with: a.with,
          source: a.source,
          ...(a.dryRun ? { dryRun: true } : {}),
          ...(a.auditDir ? { auditDir: a.auditDir } : {}),
        },
        this.dlvPath,
      );
      response.body = r;
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 3013, (e as Error).message);
    }
  }
}
