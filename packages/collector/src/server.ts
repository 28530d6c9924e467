import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdmin, type Reply } from './admin.js';
import { createConsentCookie } from './consent-cookie.js';
import { CONSOLE_HEADERS, createConsole } from './console.js';
import { clientAddress, limitKey, networkKey, type TrustProxy, truncateIp } from './net.js';
import { createNoticeShare } from './notice-share.js';
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
  /**
   * Failed bearer-token attempts allowed per client address (as `trustProxy` names it) in a fixed
   * window; past them every operator request from that address, the right token included, gets 429
   * with `Retry-After` until the window turns. `false` for none.
   * @default { max: 10, windowMs: 600000 }
   */
  signInBrake?: RateLimitOptions | false;
  /**
   * Distinct notices first stored per UTC day at most; past it a receipt whose notice is new gets 429
   * with `Retry-After` (the next UTC midnight) and nothing is stored, so a flood of made-up wordings
   * cannot fill the notices table. Receipts on known notices are never refused. `false` for none.
   * @default 1000
   */
  maxNoticesPerDay?: number | false;
  /**
   * New notices one client network (IPv4 /24, IPv6 /48 of the address `trustProxy` names) may store
   * per UTC day through this instance, so a few networks cannot use up `maxNoticesPerDay` for the site's
   * real new wording; past it that network's receipts on new notices get the same 429. Counted in
   * memory, per instance. Receipts on known notices are never refused. `false` (or 0) for none.
   * @default 20
   */
  maxNoticesPerNetwork?: number | false;
  /** Store the client address truncated to /24 (IPv4) or /48 (IPv6). @default false */
  recordClientIp?: boolean;
  /**
   * Which proxies may name the client in `X-Forwarded-For`: `false` (none, the TCP peer is
   * the client), a hop count (`true` = 1: the right-most entry, what one nginx with
   * `$proxy_add_x_forwarded_for` appended), or the list of your proxies' addresses.
   * Entries left of the trusted ones are the client's own words and are never used.
   * @default false
   */
  trustProxy?: TrustProxy;
  /** Per-address fixed-window limit, or `false` for none. @default { max: 120, windowMs: 60000 } */
  rateLimit?: RateLimitOptions | false;
  /**
   * Largest accepted body in bytes. The default fits the largest receipt the schema allows: a version 2
   * notice with every text, title, description and cookie list at its limit, each character escaped
   * (about 2.05 MB; a test builds it). A real notice is a few kilobytes.
   * @default 2097152
   */
  maxBodyBytes?: number;
  /**
   * Longest a request waits for the store; then it gets 503 with `Retry-After` (a receipt
   * whose write completes later anyway is a duplicate on the SDK's retry). A purge is not
   * cut short: it runs under the store's own, longer limit. An erasure gets 10 s more, the
   * longest it waits after its commit for the deleted rows to leave the database's files.
   * @default 4000
   */
  storeTimeoutMs?: number;
  /** Longest `/healthz` waits for the store's answer. @default 2000 */
  healthTimeoutMs?: number;
  /**
   * Re-issue the consent cookie of this name (`__Host-paloma_consent` where the site is on https) in the
   * answer to every accepted version 2 receipt, for a collector on the site's own origin: the receipt's
   * decision in the SDK's own format, `Max-Age` to its `expiresAt`, `Path=/`, `SameSite=Lax`, `Secure` on
   * https (the socket, or a trusted proxy's `X-Forwarded-Proto`), never `HttpOnly`. Not when the request's
   * cookie holds a later decision. A `__Host-`/`__Secure-` name is not sent over http (warned once).
   * @default none: no cookie is set
   */
  consentCookie?: string;
  /** `Domain` of the re-issued cookie: only when the SDK's `cookie.domain` sets one. @default none (host-only) */
  consentCookieDomain?: string;
  /** Called with what an operator should fix (once each). @default console.warn */
  onWarning?: (message: string) => void;
  /** Called with unexpected errors (a 5xx was answered). @default no-op */
  onError?: (error: unknown) => void;
  /** Clock, for tests. @default () => new Date() */
  now?: () => Date;
  /** Folder of the built operator console served at `/admin/` (with an admin token). @default the package's `dist/console/` */
  consoleDir?: string;
}

export interface Collector {
  /** A `node:http` request listener: mount it in an existing server. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  store: ReceiptStore;
  /** Closes the store (commits anything pending). */
  close: () => Promise<void>;
}

const ALLOWED_HEADERS = 'Content-Type, Idempotency-Key';
/** What a 503 asks clients to wait: storage trouble is seldom over sooner. */
const RETRY_AFTER_SECONDS = '5';
/** A failed write keeps `/healthz` failing this long, or until a write succeeds. */
const WRITE_FAILURE_MS = 30_000;
const DAY_MS = 86_400_000;

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
  const onWarning = options.onWarning ?? ((message: string) => console.warn(`consent-collector: warning: ${message}`));
  // Before the store opens: a cookie no browser would take is a mistake to refuse at start.
  if (options.consentCookieDomain !== undefined && options.consentCookie === undefined) {
    throw new Error('consentCookieDomain needs consentCookie (the name of the cookie to re-issue)');
  }
  const consentCookie =
    options.consentCookie === undefined
      ? undefined
      : createConsentCookie({
          name: options.consentCookie,
          domain: options.consentCookieDomain,
          trustProxy: options.trustProxy ?? false,
          now: () => (options.now ?? (() => new Date()))().getTime(),
          warn: onWarning,
        });
  // The brake allows 10 guesses per address and 10 minutes: only a long random token makes that hopeless.
  if (options.adminToken !== undefined && options.adminToken.length < 16) {
    onWarning(
      `the admin token has ${options.adminToken.length} characters, few enough to guess from many addresses; use a long random one (openssl rand -hex 32)`,
    );
  }
  if (consentCookie && options.adminToken) {
    // A tab keeps its sessionStorage while it moves between pages of one origin: signed in at /admin/ and then
    // showing a page of the site, that tab hands the token to every script of the page (a tag, an XSS).
    onWarning(
      "the console at /admin/ shares the site's origin here (consentCookie): a tab signed in there and then used for " +
        "the site gives the admin token, kept in the tab's sessionStorage, to the site's scripts; serve the operator " +
        'routes from a collector on another origin, or sign out before leaving the console',
    );
  }
  const store =
    typeof options.db === 'object'
      ? options.db
      : await openStore(options.db ?? './receipts.sqlite', { chainKey: options.chainKey });
  const origins = new Set((options.allowOrigins ?? []).map((origin) => origin.replace(/\/+$/, '')));
  const maxBodyBytes = options.maxBodyBytes ?? 2_097_152;
  const now = options.now ?? (() => new Date());
  const onError = options.onError ?? (() => {});
  const limit =
    options.rateLimit === false
      ? undefined
      : createRateLimiter(options.rateLimit ?? { max: 120, windowMs: 60_000 }, () => now().getTime());
  const trustProxy = options.trustProxy ?? false;
  const storeTimeoutMs = options.storeTimeoutMs ?? 4_000;
  const healthTimeoutMs = options.healthTimeoutMs ?? 2_000;
  // A full disk or a read-only database still answers reads: only the writes tell.
  let lastWriteFailure: number | undefined;
  const within = <T>(work: Promise<T>, ms = storeTimeoutMs): Promise<T> => deadline(work, ms, store.kind);
  const maxNoticesPerDay = options.maxNoticesPerDay === false ? undefined : (options.maxNoticesPerDay ?? 1000);
  const perNetwork = options.maxNoticesPerNetwork === false ? 0 : (options.maxNoticesPerNetwork ?? 20);
  const noticeShare = perNetwork > 0 ? createNoticeShare(perNetwork, () => now().getTime()) : undefined;
  const admin = createAdmin({
    store,
    adminToken: options.adminToken,
    trustProxy,
    signInBrake: options.signInBrake ?? { max: 10, windowMs: 600_000 },
    now,
    within,
    storeTimeoutMs,
  });
  const serveConsole = createConsole(options.consoleDir);

  async function postReceipt(req: IncomingMessage, reply: Reply): Promise<void> {
    const type = (req.headers['content-type'] ?? '').toLowerCase().split(';');
    const charset = type.slice(1).find((param) => param.trim().startsWith('charset='));
    if (type[0]!.trim() !== 'application/json') {
      return reply(415, { error: 'Content-Type must be application/json' });
    }
    if (charset && !/^charset="?utf-8"?$/.test(charset.trim())) {
      return reply(415, { error: 'charset must be utf-8' });
    }
    const bytes = await readBody(req, maxBodyBytes);
    if (bytes === undefined) {
      return reply(413, { error: `body larger than ${maxBodyBytes} bytes` }, { Connection: 'close' });
    }
    let body: string;
    try {
      body = strictUtf8.decode(bytes);
    } catch {
      // Decoding leniently would store U+FFFD in place of what was sent: evidence nobody posted.
      return reply(400, { error: 'body is not valid UTF-8' });
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
    const address = options.recordClientIp ? truncateIp(clientAddress(req, trustProxy)) : null;
    const arrival = now();
    const share = noticeShare?.forReceipt(networkKey(clientAddress(req, trustProxy)));
    let outcome: Awaited<ReturnType<ReceiptStore['insert']>>;
    try {
      const insertion = store.insert({
        receipt: result.receipt,
        receivedAt: arrival.toISOString(),
        clientIp: address,
        maxNoticesPerDay,
        admitNewNotice: share?.admit,
      });
      // Settled on the write's own outcome, not the deadline's: a write that times out may still commit.
      insertion.then(
        (done) => share?.settle(done.status === 'created' && done.newNotice === true),
        () => share?.settle(false),
      );
      outcome = await within(insertion);
      lastWriteFailure = undefined;
    } catch (error) {
      lastWriteFailure = Date.now();
      throw error;
    }
    if (outcome.status === 'conflict') {
      return reply(409, { error: 'receiptId already stored with a different body' });
    }
    if (outcome.status === 'notice-limit') {
      // 429, not 400: the SDK keeps the receipt and sends it again after Retry-After, when a new day begins.
      const nextDay = (Math.floor(arrival.getTime() / DAY_MS) + 1) * DAY_MS;
      return reply(
        429,
        {
          error: share?.refused()
            ? `this network (${networkKey(clientAddress(req, trustProxy))}) already stored ${perNetwork} new notices today (UTC), its share of the day's new notices; its receipts on a new notice are refused until the next UTC day`
            : `${maxNoticesPerDay} new notices were already stored today (UTC), the most allowed per day; a receipt on a new notice is refused until the next UTC day`,
        },
        { 'Retry-After': String(Math.ceil((nextDay - arrival.getTime()) / 1000)) },
      );
    }
    const { receiptId, receivedAt } = outcome.stored;
    // The receipt as posted, which a duplicate matches: its categories in the SDK's order, not the stored (sorted) one,
    // so the value is byte for byte the one the SDK wrote.
    const cookie = consentCookie?.(req, result.receipt);
    const headers: Record<string, string> = cookie ? { 'Set-Cookie': cookie } : {};
    if (outcome.status === 'duplicate') return reply(200, { receiptId, receivedAt, duplicate: true }, headers);
    reply(201, { receiptId, receivedAt }, headers);
  }

  /** The reasons stay generic: `/healthz` is public, and driver errors name hosts and tables. */
  async function health(reply: Reply): Promise<void> {
    const unhealthy = (error: string) =>
      reply(503, { ok: false, store: store.kind, error }, { 'Retry-After': RETRY_AFTER_SECONDS });
    try {
      await within(store.ping(), healthTimeoutMs);
    } catch (error) {
      const late = (error as { code?: string }).code === STORE_TIMEOUT;
      return unhealthy(late ? `storage did not answer within ${healthTimeoutMs} ms` : 'storage unavailable');
    }
    if (lastWriteFailure !== undefined && Date.now() - lastWriteFailure < WRITE_FAILURE_MS) {
      return unhealthy('the last write failed');
    }
    reply(200, { ok: true, store: store.kind });
  }

  async function route(req: IncomingMessage, res: ServerResponse, reply: Reply): Promise<void> {
    const url = requestUrl(req.url);
    if (!url) return reply(400, { error: 'the request target is not a valid path' });
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const methods = (allowed: string) => reply(405, { error: `method not allowed` }, { Allow: allowed });

    if (path === '/healthz') {
      return method === 'GET' || method === 'HEAD' ? health(reply) : methods('GET');
    }

    // The console's files are public (they hold no data); they exist only where the operator routes do.
    if (url.pathname === '/admin' || url.pathname.startsWith('/admin/')) {
      return options.adminToken
        ? serveConsole(url.pathname, method, res)
        : reply(404, { error: 'not found' }, CONSOLE_HEADERS);
    }

    const origin = req.headers.origin;
    // The console calls the operator routes from the collector's own origin (a browser sends Origin on its
    // DELETE and POST). Those routes answer only to the bearer token, which a page of another origin cannot
    // attach (the preflight does not allow Authorization), so the allow-list is not what protects them.
    const ownOrigin = origin !== undefined && path !== '/receipts' && sameHost(origin, req.headers.host);
    if (origin !== undefined && !ownOrigin && !origins.has('*') && !origins.has(origin)) {
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
      const decision = limit(limitKey(clientAddress(req, trustProxy)));
      if (!decision.allowed) {
        return reply(
          429,
          { error: 'too many requests' },
          { 'Retry-After': String(decision.retryAfterSeconds), Connection: 'close' },
        );
      }
    }

    if (path === '/receipts') return method === 'POST' ? postReceipt(req, reply) : methods('POST, OPTIONS');

    if (admin.matches(path)) return admin.handle(req, res, url, path, reply);
    return reply(404, { error: 'not found' });
  }

  function handler(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    const reply: Reply = (status, body, headers = {}) => {
      if (res.headersSent) return;
      const cors: Record<string, string> =
        origin && (origins.has('*') || origins.has(origin))
          ? // Without Expose-Headers a cross-origin script cannot read Retry-After and retries blind.
            { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Retry-After' }
          : {};
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
      else reply(503, { error: 'storage unavailable, retry later' }, { 'Retry-After': RETRY_AFTER_SECONDS });
    });
  }

  return { handler, store, close: () => store.close() };
}

export interface ListenOptions extends CollectorOptions {
  /** 0 picks a free port; the bound one is in the result. @default 8787 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /**
   * Time for a client to send its request headers; a slower one is cut off with 408.
   * @default 5000
   */
  headersTimeoutMs?: number;
  /**
   * Time for a client to send its whole request, body included (16 KB needs well under a second).
   * @default 10000
   */
  requestTimeoutMs?: number;
  /** Open connections at most; further ones are closed as they arrive. @default 1000 */
  maxConnections?: number;
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
  const headersTimeout = options.headersTimeoutMs ?? 5_000;
  const requestTimeout = Math.max(options.requestTimeoutMs ?? 10_000, headersTimeout);
  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      // Node checks both time-outs only this often (30 s by default), which would let a slow
      // client hold a connection for up to half a minute past its limit.
      connectionsCheckingInterval: Math.min(1_000, headersTimeout),
    },
    collector.handler,
  );
  server.maxConnections = options.maxConnections ?? 1_000;
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

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Reads the body's bytes, or returns undefined as soon as it exceeds `limit`
 * (a declared Content-Length over the limit is refused without reading at all).
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
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
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const STORE_TIMEOUT = 'STORE_TIMEOUT';

/** `work`, or a rejection once `ms` have passed without its answer (it may still complete). */
function deadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    const error = Object.assign(new Error(`${what} did not answer within ${ms} ms`), { code: STORE_TIMEOUT });
    timer = setTimeout(() => reject(error), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Parses an origin-form request target (`/path?query`). Prefixing the origin keeps `//host`
 * a path instead of a protocol-relative URL; anything unparseable is the client's mistake.
 */
function requestUrl(target: string | undefined): URL | undefined {
  if (!target?.startsWith('/')) return undefined;
  try {
    return new URL(`http://collector${target}`);
  } catch {
    return undefined;
  }
}

/** `http://host` or `https://host` naming the Host the request was sent to. */
function sameHost(origin: string, host: string | undefined): boolean {
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}
