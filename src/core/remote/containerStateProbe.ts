import type { AcquisitionTarget } from './acquisitionTarget';
import type { ProcessIdentity } from './cgroupMemory';
import { inspectContainer, type ContainerInfo, type ContainerState } from './dockerContainers';
import { silentLogger, type TraceLogger } from './traceLogger';

/** Why a snapshot asked docker about the container (each costs one `docker inspect` exec, except `start`). */
export type ContainerReadReason = 'start' | 'endpoint-failed' | 'process-changed' | 'not-running';

/** Docker's word on the watched container, recorded with a snapshot (series index field `container`). */
export interface ContainerRecord {
  /** The container as the user named it. */
  name: string;
  /** Its id, when docker answered. */
  id?: string;
  readFor: ContainerReadReason;
  /** `State`/`RestartCount` from `docker inspect`; absent when docker could not say (see `error`). */
  state?: ContainerState;
  /** Why docker gave no state (the container was removed, docker is not there, ...). */
  error?: string;
}

/** What the snapshot saw before asking docker: the triggers for an inspect. */
export interface ContainerProbeHint {
  /** A pprof fetch of this snapshot found the endpoint (not the SSH host) out of reach. */
  endpointFailed: boolean;
  /** The watched process, as read with the cgroup figures (undefined when it is gone or not read). */
  process?: ProcessIdentity | undefined;
  /** The cgroup read found the watched process gone. */
  processGone: boolean;
}

/**
 * Asks `docker inspect` for a watched container's state only when a snapshot gives reason to: docker's record
 * outlives the container's process and cgroup (docker removes the group with the dead container), so it is the one
 * witness of an OOM kill left after it. One inspect costs one exec over SSH, about what the cgroup `cat` costs, so it
 * is not paid per snapshot: the state from opening the target is the baseline (no exec), and docker is asked again
 * when the endpoint fails, when the watched process is gone or replaced, and while the container is not running.
 */
export class ContainerStateProbe {
  private started = false;
  private lastState: ContainerState | undefined;
  private lastProcess: ProcessIdentity | undefined;

  constructor(
    private readonly target: AcquisitionTarget,
    private readonly ref: string,
    private readonly initial?: ContainerInfo,
    private readonly log: TraceLogger = silentLogger,
  ) {}

  /** Number of `docker inspect` runs so far (for tests and the trace). */
  inspections = 0;

  /** The reason this snapshot needs docker's word, or undefined when nothing changed since the last word. */
  private reasonFor(h: ContainerProbeHint): ContainerReadReason | undefined {
    if (!this.started) return 'start';
    if (h.endpointFailed) return 'endpoint-failed';
    const p = this.lastProcess;
    if (h.processGone || (h.process && p && (h.process.pid !== p.pid || h.process.startTicks !== p.startTicks)))
      return 'process-changed';
    if (this.lastState && !this.lastState.running) return 'not-running';
    return undefined;
  }

  /** Docker's state for this snapshot when one of the triggers holds; never throws (a failed inspect is recorded). */
  async sample(h: ContainerProbeHint): Promise<ContainerRecord | undefined> {
    const reason = this.reasonFor(h);
    if (h.process) this.lastProcess = h.process;
    if (reason === undefined) return undefined;
    this.started = true;
    if (reason === 'start' && this.initial && !h.endpointFailed) {
      this.lastState = this.initial.state;
      return { name: this.ref, id: this.initial.id, readFor: 'start', state: this.initial.state };
    }
    const readFor = reason === 'start' && h.endpointFailed ? 'endpoint-failed' : reason;
    try {
      this.inspections++;
      const info = await inspectContainer(this.target, this.ref);
      this.lastState = info.state;
      this.log.trace('exec', `${this.ref}: ${info.state.status} pid ${info.state.pid ?? '-'} (${readFor})`);
      return { name: this.ref, id: info.id, readFor, state: info.state };
    } catch (e) {
      this.lastState = undefined;
      return { name: this.ref, readFor, error: (e as Error).message };
    }
  }
}
