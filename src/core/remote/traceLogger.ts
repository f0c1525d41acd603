/** Receives debug-level trace lines of SSH and HTTP activity; injected so the extension can show them in an output channel. */
export interface TraceLogger {
  trace(scope: 'ssh' | 'http' | 'exec' | 'series' | 'cgroup', message: string): void;
}

/** A logger that drops everything; the default when none is injected. */
export const silentLogger: TraceLogger = { trace: () => undefined };
