/** What went wrong in a hot patch, as a stable code the CLI, the debug adapter and tests can branch on. */
export type HotpatchErrorCode =
  | 'dlv-missing'
  | 'dlv-start'
  | 'ptrace-denied'
  | 'foreign-process'
  | 'no-such-process'
  | 'no-debug-info'
  | 'unsupported-go'
  | 'rpc-timeout'
  | 'rpc-error'
  | 'connection-lost'
  | 'bad-symbol'
  | 'verify-failed'
  | 'rollback-unavailable'
  | 'sandbox-failed';

/** Base class of every hot-patch failure; `code` says which, and the message says what to do about it. */
export class HotpatchError extends Error {
  override name = 'HotpatchError';
  constructor(
    readonly code: HotpatchErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Raised when the Delve binary cannot be found or run. */
export class DelveNotFoundError extends HotpatchError {
  override name = 'DelveNotFoundError';
  constructor(dlvPath: string) {
    super(
      'dlv-missing',
      `Delve (${dlvPath}) was not found. Install it with 'go install github.com/go-delve/delve/cmd/dlv@v1.27.2' ` +
        `(it lands in $(go env GOPATH)/bin) or pass its path with --dlv.`,
    );
  }
}

/** Raised when the kernel refuses ptrace: missing CAP_SYS_PTRACE, Yama, or a container without SYS_PTRACE. */
export class PtraceDeniedError extends HotpatchError {
  override name = 'PtraceDeniedError';
  constructor(pid: number, detail: string) {
    super(
      'ptrace-denied',
      `ptrace of process ${pid} is not permitted (${detail}). Delve needs CAP_SYS_PTRACE for this process: run as the ` +
        `process's owner, or grant the capability (containers: --cap-add=SYS_PTRACE; check /proc/sys/kernel/yama/ptrace_scope).`,
    );
  }
}

/** Raised when the target process belongs to another user and we may not trace it. */
export class ForeignProcessError extends HotpatchError {
  override name = 'ForeignProcessError';
  constructor(pid: number, ownerUid: number, ourUid: number) {
    super(
      'foreign-process',
      `process ${pid} belongs to uid ${ownerUid}, but leakhunt runs as uid ${ourUid} without CAP_SYS_PTRACE. ` +
        `Run the hot patch as that user (for SSH targets, log in as the process's owner).`,
    );
  }
}

/** Raised when the target binary carries no DWARF, e.g. built with -ldflags='-s -w'. */
export class NoDebugInfoError extends HotpatchError {
  override name = 'NoDebugInfoError';
  constructor(binary: string) {
    super(
      'no-debug-info',
      `${binary} has no debug info (DWARF), probably built with -ldflags='-s -w'; Delve cannot find variables in it. ` +
        `Ship split debug info instead of stripping: 'objcopy --only-keep-debug BIN BIN.debug && objcopy --strip-debug ` +
        `--add-gnu-debuglink=BIN.debug BIN', and keep BIN.debug next to BIN on the target.`,
    );
  }
}

/** Raised when the target's Go version is outside what the installed Delve supports. */
export class UnsupportedGoVersionError extends HotpatchError {
  override name = 'UnsupportedGoVersionError';
  constructor(goVersion: string, detail: string) {
    super(
      'unsupported-go',
      `the target was built with ${goVersion}, which this Delve does not support (${detail}). Install a matching ` +
        `Delve: 'go install github.com/go-delve/delve/cmd/dlv@latest'.`,
    );
  }
}

/** Raised when a Delve JSON-RPC call does not answer in time. */
export class DelveTimeoutError extends HotpatchError {
  override name = 'DelveTimeoutError';
  constructor(method: string, ms: number) {
    super('rpc-timeout', `Delve did not answer ${method} within ${ms} ms`);
  }
}

/** Raised when Delve answers a JSON-RPC call with an error. */
export class DelveRpcError extends HotpatchError {
  override name = 'DelveRpcError';
  constructor(
    readonly method: string,
    readonly rpcMessage: string,
  ) {
    super('rpc-error', `Delve ${method}: ${rpcMessage}`);
  }
}
