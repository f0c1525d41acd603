import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { EndpointUnreachableError, RemoteError, RemoteTimeoutError, ResponseTooLargeError } from './remoteErrors';
import { silentLogger, type TraceLogger } from './traceLogger';

/** Limits of one HTTP request. */
export interface HttpGetOptions {
  /** Time to open the stream (TCP connect or SSH channel). Default 10 s. */
  connectTimeoutMs?: number;
  /** Time for the whole request, from connect to the last byte. Default 60 s. */
  timeoutMs?: number;
  /** Largest body accepted, in bytes as transferred. Default 256 MiB. */
  maxBytes?: number;
}

/** An HTTP response whose body is kept exactly as served (a `.pb.gz` profile stays gzipped). */
export interface HttpResponse {
  status: number;
  contentType: string;
  /** `Content-Encoding` header, e.g. `gzip`, or '' when absent. */
  contentEncoding: string;
  body: Buffer;
}

/** Default limits used when the caller gives none. */
export const DEFAULT_HTTP_LIMITS: Required<HttpGetOptions> = {
  connectTimeoutMs: 10_000,
  timeoutMs: 60_000,
  maxBytes: 256 * 1024 * 1024,
};

/**
 * Performs one HTTP/1.1 GET over a stream produced by `open` (an SSH direct-tcpip channel or a TCP socket).
 * `Accept-Encoding: gzip` is sent; the body is returned as served, without decoding.
 */
export async function httpGet(
  open: (timeoutMs: number) => Promise<Duplex>,
  hostHeader: string,
  path: string,
  options: HttpGetOptions = {},
  log: TraceLogger = silentLogger,
): Promise<HttpResponse> {
  const o = { ...DEFAULT_HTTP_LIMITS, ...options };
  const started = Date.now();
  const stream = await withTimeout(open(o.connectTimeoutMs), o.connectTimeoutMs, `connecting to ${hostHeader}`);
  const remaining = Math.max(1, o.timeoutMs - (Date.now() - started));
  // Node's http client calls these socket methods; an SSH channel lacks them.
  const s = stream as Duplex & Record<string, unknown>;
  for (const m of ['setNoDelay', 'setKeepAlive', 'setTimeout', 'ref', 'unref']) {
    if (typeof s[m] !== 'function') s[m] = () => s;
  }
  log.trace('http', `GET http://${hostHeader}${path}`);
  return new Promise<HttpResponse>((resolve, reject) => {
    let done = false;
    const finish = (err: Error | undefined, res?: HttpResponse): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.destroy();
      if (err) reject(err);
      else if (res) resolve(res);
    };
    const timer = setTimeout(() => {
      req.destroy();
      finish(new RemoteTimeoutError(`GET ${path} on ${hostHeader} timed out after ${o.timeoutMs} ms`));
    }, remaining);
    // The ClientRequest constructor, not http.request: VS Code's extension host patches http.request for proxy
    // support and gives the request a proxy agent, which ignores createConnection and dials localhost:80 instead.
    const req = new http.ClientRequest({
      method: 'GET',
      path,
      headers: { Host: hostHeader, 'Accept-Encoding': 'gzip', 'User-Agent': 'leakhunt', Connection: 'close' },
      // No agent: with `agent: false` Node would build its own TCP socket and ignore createConnection.
      createConnection: () => stream as never,
    });
    req.on('error', (e: Error) =>
      finish(e instanceof RemoteError ? e : new EndpointUnreachableError(`GET ${path} on ${hostHeader}: ${e.message}`)),
    );
    req.on('response', (res) => {
      const declared = Number(res.headers['content-length'] ?? -1);
      if (declared > o.maxBytes) {
        req.destroy();
        finish(new ResponseTooLargeError(`${path} declares ${declared} bytes, over the ${o.maxBytes}-byte cap`));
        return;
      }
      const chunks: Buffer[] = [];
      let len = 0;
      res.on('data', (d: Buffer) => {
        len += d.length;
        if (len > o.maxBytes) {
          req.destroy();
          finish(new ResponseTooLargeError(`${path} sent more than the ${o.maxBytes}-byte cap`));
          return;
        }
        chunks.push(d);
      });
      res.on('end', () => {
        log.trace('http', `${res.statusCode ?? 0} ${path} ${len} bytes in ${Date.now() - started} ms`);
        finish(undefined, {
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type'] ?? ''),
          contentEncoding: String(res.headers['content-encoding'] ?? ''),
          body: Buffer.concat(chunks),
        });
      });
      res.on('error', (e: Error) => finish(new EndpointUnreachableError(`reading ${path}: ${e.message}`)));
    });
    req.end();
  });
}

/** The body as text: a gzip Content-Encoding is undone (output capped at `maxBytes`), then decoded as UTF-8. */
export function responseText(res: HttpResponse, maxBytes = DEFAULT_HTTP_LIMITS.maxBytes): string {
  return decodedBody(res, maxBytes).toString('utf8');
}

/** The body with a gzip Content-Encoding undone; the payload of a `.pb.gz` profile stays gzipped as Go wrote it. */
export function decodedBody(res: HttpResponse, maxBytes = DEFAULT_HTTP_LIMITS.maxBytes): Buffer {
  if (res.contentEncoding.toLowerCase() !== 'gzip') return res.body;
  try {
    return gunzipSync(res.body, { maxOutputLength: maxBytes });
  } catch (e) {
    throw new ResponseTooLargeError(`cannot gunzip response (${(e as Error).message})`);
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RemoteTimeoutError(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
