import type { HttpGetOptions, HttpResponse } from './httpGet';
import type { RemoteProgram, SafeArg } from './remoteCommand';
import type { ExecResult } from './sshConnection';

/** Where profiles and cgroup figures come from: a local service, or one behind an SSH host. Same interface for both. */
export interface AcquisitionTarget {
  /** Human-readable description, e.g. `ssh://ecu → 172.17.0.2:6060`. */
  readonly label: string;
  /** Whether files are read on this machine (true) or on the SSH host. */
  readonly local: boolean;
  /** GET `path` on the pprof endpoint. */
  httpGet(path: string, options?: HttpGetOptions): Promise<HttpResponse>;
  /**
   * Reads several small text files in one go (remotely: ONE exec). A missing or unreadable file maps to `null`.
   * Paths are validated `pathArg`s.
   */
  readFiles(paths: SafeArg[]): Promise<Map<string, string | null>>;
  /** Runs a fixed program with validated arguments (remotely over SSH exec, locally without any shell). */
  run(program: RemoteProgram, args: SafeArg[], opts?: { timeoutMs?: number; maxBytes?: number }): Promise<ExecResult>;
  /** Releases the connection. */
  close(): Promise<void>;
}
