import type { AcquisitionTarget } from './acquisitionTarget';
import type { HttpGetOptions } from './httpGet';
import { HttpStatusError } from './remoteErrors';

/** Everything leakhunt fetches from a Go service per snapshot. */
export type ProfileKind =
  'heap' | 'allocs' | 'goroutine' | 'goroutine-debug2' | 'goroutineleak' | 'heap-debug1' | 'vars';

/** How one kind is fetched and stored. */
export interface EndpointSpec {
  /** URL path and query, given the pprof prefix (default `/debug/pprof`). */
  path(prefix: string): string;
  /** File name suffix in the series folder; `.pb.gz` files are readable by `go tool pprof`. */
  file: string;
  /** A 404 means "this service does not offer it", not a failure. */
  optional: boolean;
  /** gzipped profile.proto as Go serves it (stored byte for byte). */
  proto: boolean;
}

/** Endpoint table: net/http/pprof paths plus expvar's `/debug/vars` (which is not under the pprof prefix). */
export const PPROF_ENDPOINTS: Record<ProfileKind, EndpointSpec> = {
  heap: { path: (p) => `${p}/heap`, file: 'heap.pb.gz', optional: false, proto: true },
  allocs: { path: (p) => `${p}/allocs`, file: 'allocs.pb.gz', optional: false, proto: true },
  goroutine: { path: (p) => `${p}/goroutine`, file: 'goroutine.pb.gz', optional: false, proto: true },
  'goroutine-debug2': {
    path: (p) => `${p}/goroutine?debug=2`,
    file: 'goroutine-debug2.txt',
    optional: false,
    proto: false,
  },
  // Go 1.26+ built with GOEXPERIMENT=goroutineleakprofile; elsewhere pprof answers 404 "Unknown profile".
  goroutineleak: { path: (p) => `${p}/goroutineleak`, file: 'goroutineleak.pb.gz', optional: true, proto: true },
  'heap-debug1': { path: (p) => `${p}/heap?debug=1`, file: 'heap-debug1.txt', optional: false, proto: false },
  vars: { path: () => '/debug/vars', file: 'vars.json', optional: true, proto: false },
};

/** Default pprof mount point of net/http/pprof. */
export const DEFAULT_PPROF_PREFIX = '/debug/pprof';

/** Result of fetching one kind: its bytes as served, or "not available" for an optional endpoint that answered 404. */
export type FetchOutcome =
  | { kind: ProfileKind; status: 'ok'; body: Buffer; contentEncoding: string; ms: number }
  | { kind: ProfileKind; status: 'not-available'; httpStatus: number };

/**
 * Fetches one kind; non-2xx on a required endpoint throws HttpStatusError, a 404 on an optional one is "not available".
 * With `forceGc`, the heap profile is asked for with `?gc=1`: net/http/pprof then runs a full GC first, so the
 * profile is current even when the process has not collected on its own since the last one.
 */
export async function fetchProfile(
  target: AcquisitionTarget,
  kind: ProfileKind,
  prefix: string = DEFAULT_PPROF_PREFIX,
  options?: HttpGetOptions,
  forceGc = false,
): Promise<FetchOutcome> {
  const spec = PPROF_ENDPOINTS[kind];
  const path = spec.path(prefix) + (forceGc && kind === 'heap' ? '?gc=1' : '');
  const t0 = Date.now();
  const res = await target.httpGet(path, options);
  if (res.status === 404 && spec.optional) return { kind, status: 'not-available', httpStatus: 404 };
  if (res.status < 200 || res.status > 299) throw new HttpStatusError(res.status, path);
  return { kind, status: 'ok', body: res.body, contentEncoding: res.contentEncoding, ms: Date.now() - t0 };
}
