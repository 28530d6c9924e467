import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientAddress, limitKey, type TrustProxy } from './net.js';
import { createFailureBrake, type RateLimitOptions } from './rate-limit.js';
import { lastClosedDay, type ReceiptStore, SCRUB_WAIT_MS, type StatsRow } from './store.js';
import { parseInstant } from './validate.js';

export type Reply = (status: number, body: unknown, headers?: Record<string, string>) => void;

export interface AdminOptions {
  store: ReceiptStore;
  /** Without one every operator route answers 404. */
  adminToken: string | undefined;
  trustProxy: TrustProxy;
  /** Failed sign-ins allowed per client address and window, or `false` for no brake. */
  signInBrake: RateLimitOptions | false;
  now: () => Date;
  /** The store's answer within the server's limit (`ms` to give one more time). */
  within: <T>(work: Promise<T>, ms?: number) => Promise<T>;
  storeTimeoutMs: number;
}

/**
 * On every operator answer: JSON and NDJSON are never a page to render, frame or sniff into one,
 * and a link out of them must not carry the URL (a subject id) in a Referer.
 */
export const ADMIN_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

const DAY_MS = 86_400_000;
/** A century: further back than any receipt, and well inside what a Date can hold. */
const MAX_RETENTION_DAYS = 36_500;
const MAX_STATS_DAYS = 366;
const MAX_NOTICE_PAGE = 200;
/** A year not rolled up yet at 10 million receipts takes seconds the first time (README, `/stats`). */
const STATS_TIMEOUT_MS = 60_000;
/** What the receipt schema accepts as an id; nothing else can be stored, so nothing else is looked up. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NOTICE_ID = /^[0-9a-f]{64}$/;
const METHODS = ['accept_all', 'reject_all', 'custom', 'withdraw', 'gpc'] as const;

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

interface Context {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  reply: Reply;
  /** The path's one parameter, percent-decoded. */
  param: string;
}

interface Route {
  pattern: RegExp;
  /** The one method it answers; the rest get 405 with `Allow`. */
  method: 'GET' | 'POST' | 'DELETE';
  /** What the parameter must look like, named in the 400 it gets otherwise. */
  param?: { test: RegExp; error: string };
  run: (context: Context) => Promise<void>;
}

const subjectParam = { test: UUID, error: 'the subject id must be a lower-case UUID' };

/**
 * The operator routes, behind the bearer token. `matches` tells the server which paths are
 * operator paths (they answer 404 without a configured token, 401 to a wrong one).
 */
export function createAdmin(options: AdminOptions) {
  const { store, within, now } = options;
  const tokenDigest = options.adminToken ? sha256(options.adminToken) : undefined;
  const brake =
    options.signInBrake === false ? undefined : createFailureBrake(options.signInBrake, () => now().getTime());

  function isAdmin(req: IncomingMessage): boolean {
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    // Comparing fixed-length digests keeps the comparison constant-time whatever the input length.
    return Boolean(tokenDigest && match && timingSafeEqual(sha256(match[1]!.trim()), tokenDigest));
  }

  const routes: Route[] = [
    { pattern: /^\/notices$/, method: 'GET', run: listNotices },
    {
      pattern: /^\/notices\/([^/]+)$/,
      method: 'GET',
      param: { test: NOTICE_ID, error: 'the notice id must be 64 lower-case hex digits' },
      async run({ param, reply }) {
        const notice = await within(store.notice(param));
        return notice ? reply(200, notice) : reply(404, { error: 'no notice with this id' });
      },
    },
    { pattern: /^\/receipts\/export$/, method: 'GET', run: exportReceipts },
    {
      pattern: /^\/receipts\/([^/]+)$/,
      method: 'GET',
      param: { test: UUID, error: 'the receipt id must be a lower-case UUID' },
      async run({ param, reply }) {
        const receipt = await within(store.byReceiptId(param));
        if (!receipt) return reply(404, { error: 'no receipt with this id' });
        reply(200, { subjectId: receipt.subjectId, receipt });
      },
    },
    {
      pattern: /^\/subjects\/([^/]+)\/receipts$/,
      method: 'GET',
      param: subjectParam,
      run: async ({ param, res }) => sendArray(res, {}, '', await within(store.bySubject(param)), ''),
    },
    {
      pattern: /^\/subjects\/([^/]+)\/chain$/,
      method: 'GET',
      param: subjectParam,
      async run({ param, reply }) {
        const chain = await within(store.verifySubject(param));
        if (chain.receipts === 0) return reply(404, { error: 'no receipts are stored for this subject' });
        reply(200, { subjectId: param, ...chain });
      },
    },
    {
      pattern: /^\/subjects\/([^/]+)\/export$/,
      method: 'GET',
      param: subjectParam,
      async run({ param, res, reply }) {
        const receipts = await within(store.bySubject(param));
        if (receipts.length === 0) return reply(404, { error: 'no receipts are stored for this subject' });
        const head = JSON.stringify({
          subjectId: param,
          exportedAt: now().toISOString(),
          collector: `@paloma365/consent-collector ${VERSION}`,
        });
        const disposition = { 'Content-Disposition': `attachment; filename="consent-${param}.json"` };
        await sendArray(res, disposition, `${head.slice(0, -1)},"receipts":`, receipts, '}');
      },
    },
    {
      pattern: /^\/subjects\/([^/]+)$/,
      method: 'DELETE',
      param: subjectParam,
      async run({ param, reply }) {
        // Past its commit an erasure waits up to SCRUB_WAIT_MS for the rows to leave the files.
        const deleted = await within(store.deleteSubject(param), options.storeTimeoutMs + SCRUB_WAIT_MS);
        reply(200, { deleted });
      },
    },
    { pattern: /^\/purge$/, method: 'POST', run: purge },
    { pattern: /^\/stats$/, method: 'GET', run: stats },
  ];

  async function listNotices({ url, reply }: Context): Promise<void> {
    const limitText = url.searchParams.get('limit') ?? '50';
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_NOTICE_PAGE) {
      return reply(400, { error: `limit must be a whole number from 1 to ${MAX_NOTICE_PAGE}` });
    }
    const beforeText = url.searchParams.get('before');
    const beforeTime = beforeText === null ? undefined : parseInstant(beforeText);
    if (beforeText !== null && beforeTime === undefined) {
      return reply(400, { error: 'before must be an ISO 8601 date-time with a zone, as `next` gives it' });
    }
    const before = beforeTime === undefined ? undefined : new Date(beforeTime).toISOString();
    const page = await within(store.notices(limit, before));
    const last = page.notices[page.notices.length - 1];
    reply(200, { notices: page.notices, next: page.more && last ? last.firstSeen : null });
  }

  async function purge({ url, reply }: Context): Promise<void> {
    const days = url.searchParams.get('olderThanDays') ?? '';
    if (!/^\d+$/.test(days) || Number(days) > MAX_RETENTION_DAYS) {
      return reply(400, { error: `olderThanDays must be a whole number of days, at most ${MAX_RETENTION_DAYS}` });
    }
    const dryRun = url.searchParams.get('dryRun');
    if (dryRun !== null && !['0', '1', 'true', 'false'].includes(dryRun)) {
      return reply(400, { error: 'dryRun must be 1 (count only) or 0' });
    }
    const before = new Date(now().getTime() - Number(days) * DAY_MS).toISOString();
    // Neither is cut short: they run under the store's own, longer limit for a purge.
    if (dryRun === '1' || dryRun === 'true') {
      return reply(200, { wouldPurge: await store.countPurge(before), before });
    }
    reply(200, { purged: await store.purgeBefore(before), before });
  }

  async function stats({ url, reply }: Context): Promise<void> {
    const from = dayNumber(url.searchParams.get('from'));
    const to = dayNumber(url.searchParams.get('to'));
    if (from === undefined || to === undefined) {
      return reply(400, { error: 'from and to must be calendar dates, YYYY-MM-DD' });
    }
    if (to < from || to - from + 1 > MAX_STATS_DAYS) {
      return reply(400, { error: `to must be on or after from, at most ${MAX_STATS_DAYS} days in all` });
    }
    const offsetText = url.searchParams.get('tzOffsetMinutes') ?? '0';
    const tzOffsetMinutes = Number(offsetText);
    if (!/^-?\d{1,4}$/.test(offsetText) || tzOffsetMinutes < -720 || tzOffsetMinutes > 840 || tzOffsetMinutes % 15) {
      return reply(400, {
        error: 'tzOffsetMinutes must be a whole number of quarter-hours from -720 to 840 (Almaty: 300)',
      });
    }
    const closedDay = lastClosedDay(now().getTime());
    // The first query over days not rolled up yet rolls them up first (a day at a time), so it gets longer.
    const rows = await within(store.stats({ fromDay: from, toDay: to, tzOffsetMinutes, closedDay }), STATS_TIMEOUT_MS);
    reply(200, { from: isoDay(from), to: isoDay(to), tzOffsetMinutes, ...shapeStats(rows, from, to) });
  }

  async function exportReceipts({ res, url, reply }: Context): Promise<void> {
    const sinceParam = url.searchParams.get('since');
    let since: string | undefined;
    if (sinceParam !== null) {
      const time = parseInstant(sinceParam);
      if (time === undefined) {
        return reply(400, {
          error: 'since must be a whole ISO 8601 date (2026-11-24) or date-time with a zone (2026-11-24T19:00Z)',
        });
      }
      since = new Date(time).toISOString();
    }
    const rows = store.exportSince(since)[Symbol.asyncIterator]();
    // The first page before the headers: a database that is gone gets a 503, not an empty 200.
    let next = await within(rows.next());
    res.writeHead(200, {
      ...ADMIN_HEADERS,
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Cache-Control': 'no-store',
    });
    // Every later page is bounded too: a database lost mid-way throws, and the handler then
    // destroys the response before its last chunk, so no client takes a cut list as complete.
    for (; !next.done; next = await within(rows.next())) {
      if (res.destroyed) {
        await rows.return?.();
        return;
      }
      // Respect back-pressure: a slow reader must not make us buffer the table.
      if (!res.write(`${JSON.stringify(next.value)}\n`)) await drained(res);
    }
    res.end();
  }

  return {
    /** Whether `path` is an operator route (whatever the method). */
    matches: (path: string): boolean => routes.some((route) => route.pattern.test(path)),

    async handle(req: IncomingMessage, res: ServerResponse, url: URL, path: string, plain: Reply): Promise<void> {
      const reply: Reply = (status, body, headers = {}) => plain(status, body, { ...ADMIN_HEADERS, ...headers });
      // Without a configured token the operator routes do not exist.
      if (!tokenDigest) return reply(404, { error: 'not found' });
      // The brake counts by the address as `trustProxy` allows, never by a header the client writes alone; IPv6 by /64.
      const address = limitKey(clientAddress(req, options.trustProxy));
      const braked = brake?.check(address);
      if (braked && !braked.allowed) {
        return reply(
          429,
          { error: 'too many failed sign-ins from this address; wait before trying again' },
          { 'Retry-After': String(braked.retryAfterSeconds) },
        );
      }
      if (!isAdmin(req)) {
        // Only a request with a token is a guess. Any page can make a browser send one without (an <img>,
        // no Origin), none can attach Authorization cross-origin: counting those would let it lock the operator out.
        if (req.headers.authorization !== undefined) brake?.fail(address);
        return reply(401, { error: 'missing or wrong bearer token' }, { 'WWW-Authenticate': 'Bearer' });
      }
      const route = routes.find((candidate) => candidate.pattern.test(path))!;
      const method = req.method ?? 'GET';
      if (method !== route.method) return reply(405, { error: 'method not allowed' }, { Allow: route.method });
      let param = '';
      const raw = route.pattern.exec(path)![1];
      if (route.param && raw !== undefined) {
        try {
          param = decodeURIComponent(raw);
        } catch {
          return reply(400, { error: 'the id in the path is not valid percent-encoding' });
        }
        if (!route.param.test.test(param)) return reply(400, { error: route.param.error });
      }
      await route.run({ req, res, url, reply, param });
    },
  };
}

/** Resolves once `res` takes more (or is gone). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * A 200 whose JSON is `head`, the array of `items`, then `tail`, written an item at a time: each receipt carries its
 * notice (up to 1.9 MB), so one string of a subject's answer could need hundreds of megabytes.
 */
async function sendArray(
  res: ServerResponse,
  headers: Record<string, string>,
  head: string,
  items: readonly unknown[],
  tail: string,
): Promise<void> {
  res.writeHead(200, {
    ...ADMIN_HEADERS,
    Vary: 'Origin',
    'Cache-Control': 'no-store',
    'Content-Type': 'application/json; charset=utf-8',
    ...headers,
  });
  res.write(`${head}[`);
  for (let i = 0; i < items.length && !res.destroyed; i++) {
    if (!res.write(`${i === 0 ? '' : ','}${JSON.stringify(items[i])}`)) await drained(res);
  }
  res.end(`]${tail}`);
}

/** `YYYY-MM-DD` as a UTC day number, or undefined unless it is a real calendar date. */
function dayNumber(text: string | null): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? '');
  if (!match) return undefined;
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // Date.UTC rolls 2026-02-30 over into March: only a date that comes back the same is real.
  return isoDay(time / DAY_MS) === text ? time / DAY_MS : undefined;
}

const isoDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

const share = (allowed: number, receipts: number): number =>
  receipts === 0 ? 0 : Math.round((allowed / receipts) * 10_000) / 10_000;

interface Tally {
  receipts: number;
  allowed: number;
  share: number;
}

/**
 * The answer of `/stats` from the database's aggregate rows (one per day and method, one per
 * language and category): every day listed, every method present, zeros included.
 */
export function shapeStats(rows: readonly StatsRow[], from: number, to: number) {
  const days = Array.from({ length: to - from + 1 }, (_, i) => ({
    day: isoDay(from + i),
    receipts: 0,
    byMethod: Object.fromEntries(METHODS.map((method) => [method, 0])) as Record<string, number>,
  }));
  // Category ids and languages are the visitors' words: `__proto__` must stay a plain key.
  const categories: Record<string, Tally & { byLanguage: Record<string, Tally> }> = Object.create(null);
  for (const row of rows) {
    const receipts = Number(row.receipts);
    const allowed = Number(row.allowed);
    if (row.kind === 'day') {
      const day = days[Number(row.day) - from]!;
      day.receipts += receipts;
      day.byMethod[row.name] = (day.byMethod[row.name] ?? 0) + receipts;
      continue;
    }
    categories[row.name] ??= { receipts: 0, allowed: 0, share: 0, byLanguage: Object.create(null) };
    const category = categories[row.name]!;
    category.receipts += receipts;
    category.allowed += allowed;
    category.share = share(category.allowed, category.receipts);
    category.byLanguage[row.language ?? ''] = { receipts, allowed, share: share(allowed, receipts) };
  }
  return { days, categories };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
