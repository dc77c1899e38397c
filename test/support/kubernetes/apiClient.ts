/**
 * A minimal client of the Kubernetes API for the test harness, on Node's own `https`: JSON
 * requests with a bearer token and the cluster's CA, and a watch that yields the events of a
 * streamed list. The deployment target itself is to use `@kubernetes/client-node` 1.4.0; this
 * exists so the harness depends on nothing but the API server it started.
 */
import { request, type RequestOptions } from 'node:https';

/** A watch event (`ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`, `ERROR`) and its object. */
export interface WatchEvent<T> {
  type: string;
  object: T;
}

/** A non-2xx answer of the API server. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status}: ${body}`);
  }
}

/** Talks to one API server as one user. */
export class ApiClient {
  constructor(
    readonly server: string,
    private readonly caPem: string,
    private readonly token: string,
  ) {}

  private options(method: string, path: string): RequestOptions {
    const url = new URL(path, this.server);
    return {
      method,
      host: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      ca: this.caPem,
      headers: { authorization: `Bearer ${this.token}`, accept: 'application/json' },
    };
  }

  /** Sends a request and resolves with the parsed JSON answer; rejects with {@link ApiError} on non-2xx. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const text = await new Promise<string>((resolve, reject) => {
      const options = this.options(method, path);
      if (body !== undefined) options.headers = { ...options.headers, 'content-type': 'application/json' };
      const req = request(options, (res) => {
        let data = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) reject(new ApiError(status, data, `${method} ${path}`));
          else resolve(data);
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
    return JSON.parse(text) as T;
  }

  /** GET of a path; `/readyz` style endpoints answer text, so this returns the raw body. */
  async text(path: string): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const req = request(this.options('GET', path), (res) => {
        let data = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
        res.on('end', () =>
          (res.statusCode ?? 0) === 200 ? resolve(data) : reject(new ApiError(res.statusCode ?? 0, data, path)),
        );
      });
      req.on('error', reject);
      req.end();
    });
  }

  /**
   * Watches a collection (`path` is the list path, with or without query) from `resourceVersion`,
   * yielding events until the server ends the stream or `signal` aborts.
   */
  async *watch<T>(path: string, resourceVersion: string, signal: AbortSignal): AsyncGenerator<WatchEvent<T>> {
    const separator = path.includes('?') ? '&' : '?';
    const options = this.options('GET', `${path}${separator}watch=1&resourceVersion=${resourceVersion}`);
    options.signal = signal;
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = request(options, resolve);
      req.on('error', reject);
      req.end();
    });
    if (res.statusCode !== 200) throw new ApiError(res.statusCode ?? 0, '', `watch ${path}`);
    let buffered = '';
    try {
      for await (const chunk of res.setEncoding('utf8') as AsyncIterable<string>) {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line.trim()) yield JSON.parse(line) as WatchEvent<T>;
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }
}
