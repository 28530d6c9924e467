/**
 * The end-to-end tests' web server: a small `node:http` static server on 127.0.0.1 (a
 * free port) serving the built bundle and the script-tag example, pages that a test
 * registers, and a receipts endpoint that records what the SDK posts.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DIST = join(ROOT, 'packages/consent/dist');
export const EXAMPLE = join(ROOT, 'examples/script-tag');
export const BUNDLE = join(DIST, 'consent.min.js');
export const RECEIPTS_PATH = '/api/consent-receipts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

export interface PageOptions {
  /** Extra response headers, e.g. `Content-Security-Policy`. */
  headers?: Record<string, string>;
  /** @default 200 */
  status?: number;
}

export interface Receipt {
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** The status the endpoint answered with. */
  status: number;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly port: number;
  /** An absolute URL for `path`, on 127.0.0.1 or on another host name mapped to it. */
  url(path: string, host?: string): string;
  /** Serves `body` at `path` (content type from the extension, HTML without one) until `reset()`. */
  page(path: string, body: string | Buffer, options?: PageOptions): string;
  /** Holds every response for `path` back by `ms` (a slow third-party script). */
  delay(path: string, ms: number): void;
  /** Every request, `METHOD /path`, in arrival order. */
  readonly requests: string[];
  /** Paths requested so far (without the query string). */
  requested(path: string): boolean;
  readonly receipts: {
    /** What `POST /api/consent-receipts` received, in order. */
    readonly received: Receipt[];
    /** The next answers' status codes, in order; after them it answers 201. */
    respond(...statuses: number[]): void;
    /** Resolves once `count` receipts have arrived (rejects after `timeoutMs`). */
    wait(count: number, timeoutMs?: number): Promise<Receipt[]>;
  };
  /** Forgets registered pages, delays, requests and receipts (between tests). */
  reset(): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const readBody = (request: IncomingMessage) =>
  new Promise<string>((done, fail) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
    request.on('error', fail);
  });

/** A file under one of the static roots, never outside them. */
function staticFile(pathname: string): string | undefined {
  const relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname)).replace(/^[/\\]+/, '');
  for (const root of [DIST, EXAMPLE]) {
    const file = resolve(root, relative);
    if (file.startsWith(root) && existsSync(file) && statSync(file).isFile()) return file;
  }
  return undefined;
}

export async function startServer(): Promise<TestServer> {
  const pages = new Map<string, { body: string | Buffer; headers: Record<string, string>; status: number }>();
  const delays = new Map<string, number>();
  const requests: string[] = [];
  const received: Receipt[] = [];
  let statuses: number[] = [];
  let waiters: Array<() => void> = [];

  const send = (response: ServerResponse, status: number, type: string, body: string | Buffer, headers = {}) => {
    response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
    response.end(body);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    requests.push(`${request.method} ${pathname}`);
    const delay = delays.get(pathname);
    if (delay) await sleep(delay);

    if (pathname === RECEIPTS_PATH && request.method === 'POST') {
      const text = await readBody(request);
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      const status = statuses.shift() ?? 201;
      received.push({ body, headers: request.headers, status });
      for (const wake of waiters) wake();
      return send(response, status, 'application/json', JSON.stringify({ ok: status < 300 }));
    }

    const type = TYPES[extname(pathname)] ?? TYPES['.html'] ?? '';
    const page = pages.get(pathname);
    if (page) return send(response, page.status, type, page.body, page.headers);
    const file = request.method === 'GET' ? staticFile(pathname) : undefined;
    // Readable cross-origin, as from a CDN: the UI files are fetched with crossorigin="anonymous".
    if (file) {
      const headers = { 'Access-Control-Allow-Origin': '*' };
      return send(response, 200, TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file), headers);
    }
    send(response, 404, 'text/plain', 'not found');
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => send(response, 500, 'text/plain', String(error)));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const url = (path: string, host = '127.0.0.1') => `http://${host}:${port}${path}`;

  return {
    origin,
    port,
    url,
    page(path, body, options = {}) {
      pages.set(path, { body, headers: options.headers ?? {}, status: options.status ?? 200 });
      return url(path);
    },
    delay: (path, ms) => void delays.set(path, ms),
    requests,
    requested: (path) => requests.some((r) => r.endsWith(` ${path}`)),
    receipts: {
      received,
      respond(...next) {
        statuses = next;
      },
      wait(count, timeoutMs = 5000) {
        return new Promise((done, fail) => {
          const check = () => {
            if (received.length < count) return false;
            waiters = waiters.filter((w) => w !== check);
            done(received.slice());
            return true;
          };
          if (check()) return;
          waiters.push(check);
          setTimeout(() => fail(new Error(`expected ${count} receipts, got ${received.length}`)), timeoutMs);
        });
      },
    },
    reset() {
      pages.clear();
      delays.clear();
      requests.length = 0;
      received.length = 0;
      statuses = [];
      waiters = [];
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
