import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clientAddress, truncateIp } from './net.js';
import { openStore } from './open-store.js';
import { createRateLimiter, type RateLimitOptions } from './rate-limit.js';
import type { ReceiptStore } from './store.js';
import { createReceiptValidator } from './validate.js';

export interface CollectorOptions {
  /**
   * Where receipts go: a SQLite file path, a `postgres://` URL, or an opened store.
   * @default './receipts.sqlite'
   */
  db?: string | ReceiptStore;
  /**
   * HMAC key of the receipt chains (at least 32 characters) for a `db` given as a path or URL;
   * kept out of the database, so editing a receipt cannot be hidden by recomputing its hash.
   */
  chainKey?: string;
  /**
   * Origins allowed to post from a browser (`https://paloma365.com`); `*` allows any.
   * Requests without an Origin header (server to server) are always allowed.
   * @default []
   */
  allowOrigins?: readonly string[];
  /** Bearer token for the operator routes; without one those routes answer 404. */
  adminToken?: string;
  /** Store the client address truncated to /24 (IPv4) or /48 (IPv6). @default false */
  recordClientIp?: boolean;
  /** Take the client address from `X-Forwarded-For` (behind your own proxy only). @default false */
  trustProxy?: boolean;
  /** Per-address fixed-window limit, or `false` for none. @default { max: 120, windowMs: 60000 } */
  rateLimit?: RateLimitOptions | false;
  /** Largest accepted body in bytes. @default 16384 */
  maxBodyBytes?: number;
  /** Called with unexpected errors (a 5xx was answered). @default no-op */
  onError?: (error: unknown) => void;
  /** Clock, for tests. @default () => new Date() */
  now?: () => Date;
}

export interface Collector {
  /** A `node:http` request listener: mount it in an existing server. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  store: ReceiptStore;
  /** Closes the store (commits anything pending). */
  close: () => Promise<void>;
}

const ALLOWED_HEADERS = 'Content-Type, Idempotency-Key';
const DAY_MS = 86_400_000;

type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

/**
 * Builds the receiver. The schema is compiled and the store opened (migrations applied)
 * before this resolves, so the first request never pays for either.
 *
 * @example
 * const collector = await createCollector({ db: './receipts.sqlite', allowOrigins: ['https://paloma365.com'] });
 * http.createServer(collector.handler).listen(8787, '127.0.0.1');
 */
export async function createCollector(options: CollectorOptions = {}): Promise<Collector> {
  const validate = createReceiptValidator();
  const store =
    typeof options.db === 'object'
      ? options.db
      : await openStore(options.db ?? './receipts.sqlite', { chainKey: options.chainKey });
  const origins = new Set((options.allowOrigins ?? []).map((origin) => origin.replace(/\/+$/, '')));
  const maxBodyBytes = options.maxBodyBytes ?? 16_384;
  const now = options.now ?? (() => new Date());
  const onError = options.onError ?? (() => {});
  const limit =
    options.rateLimit === false
      ? undefined
      : createRateLimiter(options.rateLimit ?? { max: 120, windowMs: 60_000 }, () => now().getTime());
  const tokenDigest = options.adminToken ? sha256(options.adminToken) : undefined;

  function isAdmin(req: IncomingMessage): boolean {
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    // Comparing fixed-length digests keeps the comparison constant-time whatever the input length.
    return Boolean(tokenDigest && match && timingSafeEqual(sha256(match[1]!.trim()), tokenDigest));
  }

  async function postReceipt(req: IncomingMessage, reply: Reply): Promise<void> {
    const type = (req.headers['content-type'] ?? '').toLowerCase().split(';');
    const charset = type.slice(1).find((param) => param.trim().startsWith('charset='));
    if (type[0]!.trim() !== 'application/json') {
      return reply(415, { error: 'Content-Type must be application/json' });
    }
    if (charset && !/^charset="?utf-8"?$/.test(charset.trim())) {
      return reply(415, { error: 'charset must be utf-8' });
    }
    const body = await readBody(req, maxBodyBytes);
    if (body === undefined) {
      return reply(413, { error: `body larger than ${maxBodyBytes} bytes` }, { Connection: 'close' });
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return reply(400, { error: 'body is not valid JSON' });
    }
    const result = validate(value);
    if (!result.ok) {
      return reply(400, {
        error: `receipt does not match the schema: ${result.problems.join('; ')}`,
        problems: result.problems,
      });
    }
    const key = req.headers['idempotency-key'];
    if (key !== undefined && key !== result.receipt.receiptId) {
      return reply(400, { error: 'Idempotency-Key does not match receiptId' });
    }
    const address = options.recordClientIp ? truncateIp(clientAddress(req, options.trustProxy ?? false)) : null;
    const outcome = await store.insert({ receipt: result.receipt, receivedAt: now().toISOString(), clientIp: address });
    if (outcome.status === 'conflict') {
      return reply(409, { error: 'receiptId already stored with a different body' });
    }
    const { receiptId, receivedAt } = outcome.stored;
    if (outcome.status === 'duplicate') return reply(200, { receiptId, receivedAt, duplicate: true });
    reply(201, { receiptId, receivedAt });
  }

  async function exportReceipts(req: IncomingMessage, res: ServerResponse, url: URL, reply: Reply): Promise<void> {
    const sinceParam = url.searchParams.get('since');
    let since: string | undefined;
    if (sinceParam !== null) {
      const date = new Date(sinceParam);
      if (!/^\d{4}-\d{2}-\d{2}/.test(sinceParam) || Number.isNaN(date.getTime())) {
        return reply(400, { error: 'since must be an ISO 8601 date-time' });
      }
      since = date.toISOString();
    }
    res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store' });
    let aborted = false;
    req.socket.once('close', () => {
      aborted = true;
    });
    for await (const receipt of store.exportSince(since)) {
      if (aborted || res.destroyed) return;
      // Respect back-pressure: a slow reader must not make us buffer the table.
      if (!res.write(`${JSON.stringify(receipt)}\n`)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    res.end();
  }

  async function route(req: IncomingMessage, res: ServerResponse, reply: Reply): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://collector');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const methods = (allowed: string) => reply(405, { error: `method not allowed` }, { Allow: allowed });

    if (path === '/healthz') {
      return method === 'GET' || method === 'HEAD' ? reply(200, { ok: true, store: store.kind }) : methods('GET');
    }

    const origin = req.headers.origin;
    if (origin !== undefined && !origins.has('*') && !origins.has(origin)) {
      return reply(403, { error: `origin ${origin} is not allowed` });
    }
    if (method === 'OPTIONS') {
      return reply(204, undefined, {
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': ALLOWED_HEADERS,
        'Access-Control-Max-Age': '600',
      });
    }
    if (limit) {
      const decision = limit(clientAddress(req, options.trustProxy ?? false));
      if (!decision.allowed) {
        return reply(
          429,
          { error: 'too many requests' },
          { 'Retry-After': String(decision.retryAfterSeconds), Connection: 'close' },
        );
      }
    }

    if (path === '/receipts') return method === 'POST' ? postReceipt(req, reply) : methods('POST, OPTIONS');

    const subjectReceipts = /^\/subjects\/([^/]+)\/receipts$/.exec(path);
    const subject = /^\/subjects\/([^/]+)$/.exec(path);
    const adminRoute = path === '/receipts/export' || path === '/purge' || subjectReceipts || subject;
    if (!adminRoute) return reply(404, { error: 'not found' });
    // Without a configured token the operator routes do not exist.
    if (!tokenDigest) return reply(404, { error: 'not found' });
    if (!isAdmin(req)) {
      return reply(401, { error: 'missing or wrong bearer token' }, { 'WWW-Authenticate': 'Bearer' });
    }

    if (path === '/receipts/export') return method === 'GET' ? exportReceipts(req, res, url, reply) : methods('GET');
    if (path === '/purge') {
      if (method !== 'POST') return methods('POST');
      const days = url.searchParams.get('olderThanDays') ?? '';
      if (!/^\d+$/.test(days)) return reply(400, { error: 'olderThanDays must be a whole number of days' });
      const before = new Date(now().getTime() - Number(days) * DAY_MS).toISOString();
      return reply(200, { purged: await store.purgeBefore(before) });
    }
    let subjectId: string;
    try {
      subjectId = decodeURIComponent((subjectReceipts ?? subject)![1]!);
    } catch {
      return reply(400, { error: 'the subject id in the path is not valid percent-encoding' });
    }
    if (subjectReceipts) return method === 'GET' ? reply(200, await store.bySubject(subjectId)) : methods('GET');
    return method === 'DELETE' ? reply(200, { deleted: await store.deleteSubject(subjectId) }) : methods('DELETE');
  }

  function handler(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    const reply: Reply = (status, body, headers = {}) => {
      if (res.headersSent) return;
      const cors: Record<string, string> =
        origin && (origins.has('*') || origins.has(origin)) ? { 'Access-Control-Allow-Origin': origin } : {};
      const text = body === undefined ? '' : JSON.stringify(body);
      res.writeHead(status, {
        ...cors,
        Vary: 'Origin',
        'Cache-Control': 'no-store',
        ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
        ...headers,
      });
      res.end(text);
    };
    route(req, res, reply).catch((error: unknown) => {
      onError(error);
      if (res.headersSent) res.destroy();
      else reply(503, { error: 'storage unavailable, retry later' });
    });
  }

  return { handler, store, close: () => store.close() };
}

export interface ListenOptions extends CollectorOptions {
  /** 0 picks a free port; the bound one is in the result. @default 8787 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

export interface RunningCollector {
  collector: Collector;
  server: Server;
  port: number;
  host: string;
  /** `http://host:port`, ready to post to. */
  url: string;
  /** Stops accepting, drops idle connections, closes the store. */
  close: () => Promise<void>;
}

/** Creates a collector and an HTTP server for it, and resolves once it listens. */
export async function listen(options: ListenOptions = {}): Promise<RunningCollector> {
  const collector = await createCollector(options);
  const server = createServer(collector.handler);
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 8787, host, () => resolve());
    });
  } catch (error) {
    await collector.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    collector,
    server,
    port,
    host,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await collector.close();
    },
  };
}

/**
 * Reads the body as UTF-8, or returns undefined as soon as it exceeds `limit`
 * (a declared Content-Length over the limit is refused without reading at all).
 */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
