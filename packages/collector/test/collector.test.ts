import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listen, type RunningCollector } from '../src/server.js';
import { buildOnce, cliPath, makeReceipt, post, stores, type TestDb } from './helpers.js';

const ALLOWED = 'https://paloma365.com';
const TOKEN = 'test-admin-token';
const DAY = 86_400_000;
const run = promisify(execFile);

describe.each(stores)('collector on $kind', ({ create }) => {
  let db: TestDb;
  let collector: RunningCollector;
  let base: string;
  // The server's clock, so retention can be tested without waiting days.
  let clock = Date.now();
  const admin = { authorization: `Bearer ${TOKEN}` };

  // A store that cannot be opened (PostgreSQL down) fails every test with the reason,
  // instead of a failed hook that reports the tests as skipped.
  let setupError: unknown;
  beforeAll(async () => {
    try {
      db = await create();
    } catch (error) {
      setupError = error;
      return;
    }
    collector = await listen({
      db: db.db,
      port: 0,
      allowOrigins: [ALLOWED],
      adminToken: TOKEN,
      rateLimit: false,
      now: () => new Date(clock),
    });
    base = collector.url;
  });
  beforeEach(() => {
    if (setupError) throw setupError;
  });
  afterAll(async () => {
    await collector?.close();
    await db?.drop();
  });

  it('stores a receipt once: 201 first, 200 on a retry', async () => {
    const receipt = makeReceipt();
    const first = await post(base, receipt);
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ receiptId: receipt.receiptId });
    const retry = await post(base, receipt, { 'idempotency-key': receipt.receiptId });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ receiptId: receipt.receiptId, duplicate: true });
    const rows = await db.sql(`SELECT * FROM receipts WHERE receipt_id = '${receipt.receiptId}'`);
    expect(rows).toHaveLength(1);
  });

  it('treats the same receipt with its keys in another order as a retry', async () => {
    const receipt = makeReceipt();
    expect((await post(base, receipt)).status).toBe(201);
    const reordered = Object.fromEntries(Object.entries(receipt).reverse());
    expect((await post(base, reordered)).status).toBe(200);
  });

  it('accepts application/json with a utf-8 charset', async () => {
    const response = await post(base, makeReceipt(), { 'content-type': 'application/json; charset=UTF-8' });
    expect(response.status).toBe(201);
  });

  const valid = makeReceipt();
  const without = (key: keyof typeof valid) => {
    const { [key]: _, ...rest } = valid;
    return rest;
  };
  const badRequests: [string, number, RegExp, () => Promise<Response>][] = [
    ['a text/plain body', 415, /application\/json/, () => post(base, valid, { 'content-type': 'text/plain' })],
    ['no content type', 415, /application\/json/, () => fetch(`${base}/receipts`, { method: 'POST', body: '{}' })],
    [
      'a latin-1 charset',
      415,
      /utf-8/,
      () => post(base, valid, { 'content-type': 'application/json; charset=latin1' }),
    ],
    ['malformed JSON', 400, /not valid JSON/, () => post(base, '{"version":1,')],
    ['an empty body', 400, /not valid JSON/, () => post(base, '')],
    ['a JSON array', 400, /schema/, () => post(base, [valid])],
    ['a missing field', 400, /required property 'page'/, () => post(base, without('page'))],
    ['an extra field', 400, /additional properties \(email\)/, () => post(base, { ...valid, email: 'a@b.kz' })],
    ['an unknown method', 400, /\/method/, () => post(base, { ...valid, method: 'maybe' })],
    ['a page with a query string', 400, /\/page/, () => post(base, { ...valid, page: 'https://a.kz/?utm=1' })],
    [
      'necessary turned off',
      400,
      /\/categories\/necessary/,
      () => post(base, { ...valid, categories: { necessary: false } }),
    ],
    ['version 3', 400, /\/version/, () => post(base, { ...valid, version: 3 })],
    ['version 2 without expiresAt and notice', 400, /expiresAt/, () => post(base, { ...valid, version: 2 })],
    ['a receiptId that is not a UUID', 400, /\/receiptId/, () => post(base, { ...valid, receiptId: 'abc' })],
    ['a timestamp that is not UTC', 400, /\/timestamp/, () => post(base, { ...valid, timestamp: '2026-11-24 19:00' })],
    [
      'an Idempotency-Key for another receipt',
      400,
      /Idempotency-Key/,
      () => post(base, valid, { 'idempotency-key': makeReceipt().receiptId }),
    ],
    [
      'a declared body over 2 MiB',
      413,
      /larger than 2097152/,
      () => post(base, { ...valid, pad: 'x'.repeat(2_200_000) }),
    ],
    ['a streamed body over 2 MiB', 413, /larger than 2097152/, () => postChunked(base, 'x'.repeat(2_200_000))],
    [
      'an origin not on the list',
      403,
      /origin https:\/\/evil\.example/,
      () => post(base, valid, { origin: 'https://evil.example' }),
    ],
    [
      'a timestamp before 2020',
      400,
      /\/timestamp: must be from 2020/,
      () => post(base, { ...valid, timestamp: '2019-12-31T23:59:59.999Z' }),
    ],
    [
      'a timestamp from 2100',
      400,
      /\/timestamp: must be from 2020/,
      () => post(base, { ...valid, timestamp: '2100-01-01T00:00:00Z' }),
    ],
    [
      'a leap second',
      400,
      /\/timestamp: is not a real date/,
      () => post(base, { ...valid, timestamp: '2026-12-31T23:59:60Z' }),
    ],
    ['30 February', 400, /\/timestamp/, () => post(base, { ...valid, timestamp: '2026-02-30T10:00:00Z' })],
    [
      'a page with credentials',
      400,
      /\/page: must not contain a user name or password/,
      () => post(base, { ...valid, page: 'https://user:pass@paloma365.com/pricing' }),
    ],
    [
      'invalid UTF-8',
      400,
      /not valid UTF-8/,
      () => post(base, Buffer.from(JSON.stringify(valid).replace('2024-01-01', '2024-01-01\u00ff'), 'latin1')),
    ],
    ['a GET on /receipts', 405, /method not allowed/, () => fetch(`${base}/receipts`)],
    ['an unknown path', 404, /not found/, () => fetch(`${base}/nope`, { method: 'POST' })],
  ];

  // A refused receipt is dropped by the SDK for good, so only impossible times are refused.
  it.each([
    ['a visitor clock two days fast', new Date(Date.now() + 2 * DAY).toISOString()],
    ['an outbox entry 30 days old', new Date(Date.now() - 30 * DAY).toISOString()],
    ['whole seconds', '2026-11-24T19:00:00Z'],
  ])('accepts %s', async (_name, timestamp) => {
    expect((await post(base, makeReceipt({ timestamp }))).status).toBe(201);
  });

  it.each(badRequests)('refuses %s with %i and stores nothing', async (_name, status, reason, send) => {
    const before = await db.count();
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { error: string };
    expect(body.error).toMatch(reason);
    expect(await db.count()).toBe(before);
    expect(await db.sql(`SELECT 1 FROM receipts WHERE receipt_id = '${valid.receiptId}'`)).toHaveLength(0);
  });

  it('stores exactly one row for 50 parallel posts of the same receipt', async () => {
    const receipt = makeReceipt();
    const responses = await Promise.all(Array.from({ length: 50 }, () => post(base, receipt)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(49);
    expect(await db.sql(`SELECT 1 FROM receipts WHERE receipt_id = '${receipt.receiptId}'`)).toHaveLength(1);
  });

  it('answers 409 for another body under a stored receiptId', async () => {
    const receipt = makeReceipt();
    expect((await post(base, receipt)).status).toBe(201);
    const conflict = await post(base, { ...receipt, method: 'reject_all' });
    expect(conflict.status).toBe(409);
    expect(((await conflict.json()) as { error: string }).error).toMatch(/different body/);
  });

  it('keeps one row when different bodies race for one receiptId', async () => {
    const receiptId = makeReceipt().receiptId;
    const bodies = Array.from({ length: 20 }, () => makeReceipt({ receiptId }));
    const statuses = (await Promise.all(bodies.map((body) => post(base, body)))).map((r) => r.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    expect(await db.sql(`SELECT 1 FROM receipts WHERE receipt_id = '${receiptId}'`)).toHaveLength(1);
  });

  it('answers a CORS preflight from an allowed origin', async () => {
    const response = await fetch(`${base}/receipts`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toBe('Content-Type, Idempotency-Key');
  });

  it('refuses a preflight from another origin', async () => {
    const response = await fetch(`${base}/receipts`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('stores a post from an allowed origin and echoes the origin', async () => {
    const response = await post(base, makeReceipt(), { origin: ALLOWED });
    expect(response.status).toBe(201);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('answers /healthz', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
  });

  describe('operator routes', () => {
    it('require the bearer token', async () => {
      const subject = makeReceipt().subjectId;
      for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: TOKEN }] as Record<
        string,
        string
      >[]) {
        const response = await fetch(`${base}/subjects/${subject}/receipts`, { headers });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
      }
      expect((await fetch(`${base}/receipts/export`)).status).toBe(401);
      expect((await fetch(`${base}/subjects/${subject}`, { method: 'DELETE' })).status).toBe(401);
      expect((await fetch(`${base}/purge?olderThanDays=1`, { method: 'POST' })).status).toBe(401);
    });

    it("give a subject's receipts oldest first, with the chain", async () => {
      const subjectId = makeReceipt().subjectId;
      const first = makeReceipt({ subjectId });
      const second = makeReceipt({ subjectId, method: 'withdraw', previousReceiptId: first.receiptId });
      await post(base, first);
      await post(base, second);
      const response = await fetch(`${base}/subjects/${subjectId}/receipts`, { headers: admin });
      expect(response.status).toBe(200);
      const receipts = (await response.json()) as { receiptId: string; hash: string; prevHash: string }[];
      expect(receipts.map((r) => r.receiptId)).toEqual([first.receiptId, second.receiptId]);
      expect(receipts[0]).toMatchObject({ ...first, clientIp: null, prevHash: '0'.repeat(64) });
      expect(receipts[1]!.prevHash).toBe(receipts[0]!.hash);
    });

    it('answer 400, not a storage error, to a subject id that is not valid percent-encoding', async () => {
      const response = await fetch(`${base}/subjects/%E0%A4%A/receipts`, { headers: admin });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/percent-encoding/);
    });

    it('export NDJSON received since a time', async () => {
      clock = Date.now() + 60_000;
      const since = new Date(clock).toISOString();
      const later = [makeReceipt(), makeReceipt(), makeReceipt()];
      for (const receipt of later) {
        clock += 1;
        await post(base, receipt);
      }
      const response = await fetch(`${base}/receipts/export?since=${since}`, { headers: admin });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const lines = (await response.text()).trim().split('\n');
      expect(lines.map((line) => JSON.parse(line).receiptId)).toEqual(later.map((r) => r.receiptId));
      const all = (await (await fetch(`${base}/receipts/export`, { headers: admin })).text()).trim().split('\n');
      expect(all).toHaveLength(await db.count());
      expect((await fetch(`${base}/receipts/export?since=yesterday`, { headers: admin })).status).toBe(400);
    });

    it('export only since a whole ISO date or date-time with a zone', async () => {
      const status = async (since: string) =>
        (await fetch(`${base}/receipts/export?since=${encodeURIComponent(since)}`, { headers: admin })).status;
      for (const since of ['2026-11-24', '2026-11-24T19:00Z', '2026-11-24T19:00:00.5+05:00']) {
        expect(await status(since), since).toBe(200);
      }
      for (const since of [
        '2026-02-30',
        '2026-11-24T19:00',
        '2026-11-24T19',
        '2026-11-24T24:00Z',
        '2026-11',
        '2026-11-24x',
      ]) {
        expect(await status(since), since).toBe(400);
      }
    });

    it('export more receipts than one page, in order', async () => {
      clock = Date.now() + 120_000;
      const since = new Date(clock).toISOString();
      const many = Array.from({ length: 1100 }, () => makeReceipt());
      for (let i = 0; i < many.length; i += 100) {
        await Promise.all(many.slice(i, i + 100).map((receipt) => post(base, receipt)));
        clock += 1;
      }
      const text = await (await fetch(`${base}/receipts/export?since=${since}`, { headers: admin })).text();
      const ids = text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).receiptId as string);
      expect(ids).toHaveLength(many.length);
      expect(new Set(ids)).toEqual(new Set(many.map((r) => r.receiptId)));
    });

    it('erase a subject and answer the count', async () => {
      const subjectId = makeReceipt().subjectId;
      for (let i = 0; i < 3; i++) await post(base, makeReceipt({ subjectId }));
      const other = makeReceipt();
      await post(base, other);
      const response = await fetch(`${base}/subjects/${subjectId}`, { method: 'DELETE', headers: admin });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ deleted: 3 });
      expect(await (await fetch(`${base}/subjects/${subjectId}/receipts`, { headers: admin })).json()).toEqual([]);
      expect(await db.sql(`SELECT 1 FROM receipts WHERE receipt_id = '${other.receiptId}'`)).toHaveLength(1);
      expect((await collector.collector.store.verify()).ok).toBe(true);
    });

    it('purge receipts older than a number of days and keep the chains verifiable', async () => {
      const subjectId = makeReceipt().subjectId;
      const now = Date.now() + 180_000;
      clock = now - 400 * DAY;
      const old = makeReceipt({ subjectId });
      await post(base, old);
      clock = now - 40 * DAY;
      const older = makeReceipt({ subjectId });
      await post(base, older);
      clock = now - 10 * DAY;
      const recent = makeReceipt({ subjectId });
      await post(base, recent);
      clock = now;
      expect((await fetch(`${base}/purge?olderThanDays=abc`, { method: 'POST', headers: admin })).status).toBe(400);
      const response = await fetch(`${base}/purge?olderThanDays=30`, { method: 'POST', headers: admin });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ purged: 2, before: new Date(now - 30 * DAY).toISOString() });
      const left = (await (await fetch(`${base}/subjects/${subjectId}/receipts`, { headers: admin })).json()) as {
        receiptId: string;
      }[];
      expect(left.map((r) => r.receiptId)).toEqual([recent.receiptId]);
      // The chain continues from the purged head, and new receipts extend it.
      await post(base, makeReceipt({ subjectId }));
      expect(await collector.collector.store.verify()).toMatchObject({ ok: true, problems: [] });
    });

    it('verify passes on an untouched database and finds a row edited in the database', async () => {
      buildOnce();
      const clean = await run(process.execPath, [cliPath, 'verify', '--db', db.db]);
      expect(clean.stdout).toMatch(/^ok: \d+ receipts/);
      const victim = makeReceipt();
      await post(base, victim);
      await post(base, makeReceipt({ subjectId: victim.subjectId }));
      const edited = JSON.stringify({ ...victim, method: 'reject_all' });
      await db.sql(`UPDATE receipts SET body = '${edited}' WHERE receipt_id = '${victim.receiptId}'`);
      const report = await collector.collector.store.verify();
      expect(report.ok).toBe(false);
      expect(report.problems).toEqual([
        { subjectId: victim.subjectId, receiptId: victim.receiptId, reason: 'hash does not match the stored receipt' },
      ]);
      const broken = await run(process.execPath, [cliPath, 'verify', '--db', db.db]).catch((error) => error);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain(victim.receiptId);
      // Repair so later tests see a clean database.
      await db.sql(`DELETE FROM receipts WHERE subject_id = '${victim.subjectId}'`);
    });

    it('finds a receipt removed from the middle of a chain', async () => {
      const subjectId = makeReceipt().subjectId;
      const chain = [makeReceipt({ subjectId }), makeReceipt({ subjectId }), makeReceipt({ subjectId })];
      for (const receipt of chain) await post(base, receipt);
      await db.sql(`DELETE FROM receipts WHERE receipt_id = '${chain[1]!.receiptId}'`);
      const report = await collector.collector.store.verify();
      expect(report.problems).toEqual([
        {
          subjectId,
          receiptId: chain[2]!.receiptId,
          reason: 'prevHash does not match the previous receipt of this subject',
        },
      ]);
      await db.sql(`DELETE FROM receipts WHERE subject_id = '${subjectId}'`);
    });
  });
});

/** A body sent in chunks without Content-Length, so only counting the bytes can stop it. */
function postChunked(base: string, body: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/receipts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve(
          new Response(Buffer.concat(chunks), {
            status: res.statusCode ?? 0,
            headers: res.headers as Record<string, string>,
          }),
        ),
      );
    });
    // The server may close the connection while we still write: that is the point.
    req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
    for (let i = 0; i < body.length; i += 4096) req.write(body.slice(i, i + 4096));
    req.end();
  });
}
