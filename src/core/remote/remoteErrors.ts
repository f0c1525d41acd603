/** Base class of every error raised while reaching a remote or local target; `kind` is stable for UIs and reports. */
export class RemoteError extends Error {
  override name = 'RemoteError';
  /** Short machine-readable category of the failure. */
  readonly kind: string = 'remote';
  /** Whether retrying later could succeed (a drop or timeout) as opposed to a refusal that needs the user (host key, auth). */
  readonly transient: boolean = true;
}

/** The server presented a host key different from the one recorded in known_hosts; never overridden. */
export class HostKeyMismatchError extends RemoteError {
  override name = 'HostKeyMismatchError';
  override readonly kind = 'host-key-mismatch';
  override readonly transient = false;
  constructor(
    /** `host` or `[host]:port` as looked up in known_hosts. */
    readonly hostId: string,
    /** Fingerprint (`SHA256:...`) of the key the server presented. */
    readonly presentedFingerprint: string,
    /** Where the conflicting entry is, as `file:line`. */
    readonly knownAt: string,
  ) {
    super(
      `REMOTE HOST KEY HAS CHANGED for ${hostId}: the server presented ${presentedFingerprint}, which differs from the key ` +
        `recorded at ${knownAt}. This may be a man-in-the-middle attack or a reinstalled host. Connection refused; ` +
        `remove the old entry from known_hosts yourself only if you know why the key changed.`,
    );
  }
}

/** The server's host key is not in known_hosts and the unknown-key callback did not accept it. */
export class UnknownHostKeyError extends RemoteError {
  override name = 'UnknownHostKeyError';
  override readonly kind = 'host-key-unknown';
  override readonly transient = false;
  constructor(
    readonly hostId: string,
    readonly presentedFingerprint: string,
  ) {
    super(
      `host key for ${hostId} is not in known_hosts (${presentedFingerprint}); refused. ` +
        `Verify the fingerprint and re-run with --accept-new-host-key to record it.`,
    );
  }
}

/** The presented host key is listed as `@revoked` in known_hosts. */
export class RevokedHostKeyError extends RemoteError {
  override name = 'RevokedHostKeyError';
  override readonly kind = 'host-key-revoked';
  override readonly transient = false;
}

/** The TCP connection to an SSH server (or a hop) could not be made: refused, no route, unknown name. */
export class HostUnreachableError extends RemoteError {
  override name = 'HostUnreachableError';
  override readonly kind = 'unreachable';
}

/** Every authentication method offered was rejected by the server. */
export class SshAuthError extends RemoteError {
  override name = 'SshAuthError';
  override readonly kind = 'auth';
  override readonly transient = false;
}

/** A connect, handshake, request or command did not complete in time. */
export class RemoteTimeoutError extends RemoteError {
  override name = 'RemoteTimeoutError';
  override readonly kind = 'timeout';
}

/** The SSH connection dropped (closed, reset, keepalive unanswered) while in use. */
export class ConnectionLostError extends RemoteError {
  override name = 'ConnectionLostError';
  override readonly kind = 'connection-lost';
}

/** The HTTP endpoint behind the tunnel (or local) refused or could not be reached. */
export class EndpointUnreachableError extends RemoteError {
  override name = 'EndpointUnreachableError';
  override readonly kind = 'endpoint-unreachable';
}

/** The HTTP response was larger than the configured cap; the transfer was aborted. */
export class ResponseTooLargeError extends RemoteError {
  override name = 'ResponseTooLargeError';
  override readonly kind = 'too-large';
  override readonly transient = false;
}

/** An HTTP response with a non-2xx status. 404 on optional endpoints means "not available". */
export class HttpStatusError extends RemoteError {
  override name = 'HttpStatusError';
  override readonly kind = 'http-status';
  constructor(
    readonly status: number,
    readonly path: string,
  ) {
    super(`HTTP ${status} for ${path}`);
  }
}

/** A remote command exited non-zero or could not be started. */
export class RemoteCommandError extends RemoteError {
  override name = 'RemoteCommandError';
  override readonly kind = 'command';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** A user-supplied value (PID, container name, path, address) failed validation before it could reach a command. */
export class InvalidArgumentError extends RemoteError {
  override name = 'InvalidArgumentError';
  override readonly kind = 'invalid-argument';
  override readonly transient = false;
}

/** The ssh config or a ProxyJump specification could not be understood. */
export class SshConfigError extends RemoteError {
  override name = 'SshConfigError';
  override readonly kind = 'ssh-config';
  override readonly transient = false;
}
