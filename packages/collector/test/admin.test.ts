import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Notice } from '@paloma365/consent-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { noticeId } from '../src/notice.js';
import { listen, type RunningCollector } from '../src/server.js';
import type { ReceiptV2 } from '../src/validate.js';
import { makeReceipt, post, stores, type TestDb } from './helpers.js';

const vectors = JSON.parse(readFileSync(new URL('../../core/test-vectors/notice.json', import.meta.url), 'utf8')) as {
  cases: { notice: Omit<Notice, 'id'>; sha256: string }[];
};
const TOKEN = 'admin-api-test-token';
const admin = { authorization: `Bearer ${TOKEN}` };
const DAY = 86_400_000;
const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;

/** A notice of its own: the test vector's wording under another policy version (and language). */
function wording(policyVersion: string, language = 'ru'): Notice {
  const body = { ...vectors.cases[1]!.notice, policyVersion, language };
  return { id: noticeId(body as Notice), ...body } as Notice;
}

const makeV2 = (overrides: Partial<ReceiptV2> = {}): ReceiptV2 => ({
  ...makeReceipt(),
  version: 2,
  expiresAt: '2027-05-25T19:00:00.000Z',
  notice: wording('2024-01-01'),
  ...overrides,
});

const get = (base: string, path: string, headers: Record<string, string> = admin) =>
  fetch(`${base}${path}`, { headers });

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

interface Setup {
  db: TestDb;
  collector: RunningCollector;
  base: string;
}

/** One database and collector per suite, with a clock the tests set (receipts arrive "then"). */
function suite(create: () => Promise<TestDb>, options: Parameters<typeof listen>[0] = {}) {
  const clock = { now: Date.parse('2026-11-24T12:00:00.000Z') };
  const setup = {} as Setup;
  let setupError: unknown;
  beforeAll(async () => {
    try {
      setup.db = await create();
      setup.collector = await listen({
        db: setup.db.db,
        port: 0,
        adminToken: TOKEN,
        rateLimit: false,
        now: () => new Date(clock.now),
        ...options,
      });
      setup.base = setup.collector.url;
    } catch (error) {
      setupError = error;
    }
  });
  beforeEach(() => {
    if (setupError) throw setupError;
  });
  afterAll(async () => {
    await setup.collector?.close();
    await setup.db?.drop();
  });
  /** Posts at `at` (ISO), expecting it stored. */
  const postAt = async (at: string, receipt: object) => {
    clock.now = Date.parse(at);
    const response = await post(setup.base, receipt);
    expect(response.status, await response.clone().text()).toBe(201);
  };
  return { setup, clock, postAt };
}

describe.each(stores)('operator API on $kind', ({ create }) => {
  // The failed sign-ins these tests make on purpose would brake the rest (the brake has its own suite).
  const { setup, clock, postAt } = suite(create, { signInBrake: false });

  describe('GET /notices and /notices/:id', () => {
    const a = wording('2025-01-01');
    const b = wording('2025-02-01', 'kk');
    const c = wording('2025-03-01', 'en');
    const d = wording('2025-04-01');

    it('lists notices newest first-seen first, with receipts, last seen, language and policy version', async () => {
      await postAt('2026-01-01T10:00:00.000Z', makeV2({ notice: a }));
      await postAt('2026-01-02T10:00:00.000Z', makeV2({ notice: b }));
      await postAt('2026-01-03T10:00:00.000Z', makeV2({ notice: a }));
      // Two notices first seen in the same millisecond: a page boundary must not lose one.
      await postAt('2026-01-04T10:00:00.000Z', makeV2({ notice: c }));
      await postAt('2026-01-04T10:00:00.000Z', makeV2({ notice: d }));
      const response = await get(setup.base, '/notices');
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as { notices: Record<string, unknown>[]; next: string | null };
      const ours = body.notices.filter((n) => [a.id, b.id, c.id, d.id].includes(String(n.id)));
      expect(ours.map((n) => n.id)).toEqual([c.id, d.id].sort().reverse().concat([b.id, a.id]));
      expect(ours.find((n) => n.id === a.id)).toEqual({
        id: a.id,
        firstSeen: '2026-01-01T10:00:00.000Z',
        lastSeen: '2026-01-03T10:00:00.000Z',
        receipts: 2,
        language: 'ru',
        policyVersion: '2025-01-01',
      });
      expect(ours.find((n) => n.id === b.id)).toMatchObject({
        receipts: 1,
        language: 'kk',
        policyVersion: '2025-02-01',
      });
      expect(body.next).toBeNull();
    });

    it('pages with limit and before, losing no notice at a tie', async () => {
      const seen: string[] = [];
      let path = '/notices?limit=1';
      for (let pages = 0; pages < 10; pages++) {
        const body = (await (await get(setup.base, path)).json()) as { notices: { id: string }[]; next: string | null };
        seen.push(...body.notices.map((n) => n.id));
        if (body.next === null) break;
        path = `/notices?limit=1&before=${encodeURIComponent(body.next)}`;
      }
      // c and d share a millisecond: they come on one page, and nothing is listed twice.
      expect(seen.slice(0, 4)).toEqual([c.id, d.id].sort().reverse().concat([b.id, a.id]));
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('counts only receipts still stored: an erasure lowers the count', async () => {
      const subjectId = randomUUID();
      await postAt('2026-01-05T10:00:00.000Z', makeV2({ subjectId, notice: b }));
      const count = async () =>
        ((await (await get(setup.base, `/notices/${b.id}`)).json()) as { receipts: number }).receipts;
      expect(await count()).toBe(2);
      await fetch(`${setup.base}/subjects/${subjectId}`, { method: 'DELETE', headers: admin });
      expect(await count()).toBe(1);
    });

    it('gives one notice as the SDK sent it', async () => {
      const response = await get(setup.base, `/notices/${a.id}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        id: a.id,
        firstSeen: '2026-01-01T10:00:00.000Z',
        receipts: 2,
        notice: a,
      });
    });

    it.each([
      ['/notices?limit=0', 400, /limit/],
      ['/notices?limit=201', 400, /limit/],
      ['/notices?limit=ten', 400, /limit/],
      ['/notices?before=yesterday', 400, /before/],
      [`/notices/${'A'.repeat(64)}`, 400, /64 lower-case hex/],
      ['/notices/abc', 400, /64 lower-case hex/],
      ['/notices/%zz', 400, /percent-encoding/],
      [`/notices/${'0'.repeat(64)}`, 404, /no notice/],
    ])('answers %s with %i', async (path, status, error) => {
      const response = await get(setup.base, path);
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: string }).error).toMatch(error);
    });

    it('keeps the notice list and the receipt counts on indexes', async () => {
      const sql =
        setup.db.kind === 'sqlite'
          ? "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('receipts_notice', 'notices_first_seen')"
          : "SELECT indexname AS name FROM pg_indexes WHERE indexname IN ('receipts_notice', 'notices_first_seen')";
      expect((await setup.db.sql(sql)).map((row) => row.name).sort()).toEqual([
        'notices_first_seen',
        'receipts_notice',
      ]);
    });
  });

  describe('GET /receipts/:receiptId', () => {
    it('gives the receipt with its notice and its subject', async () => {
      const receipt = makeV2({ notice: wording('2025-05-01') });
      await postAt('2026-02-01T10:00:00.000Z', receipt);
      const response = await get(setup.base, `/receipts/${receipt.receiptId}`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { subjectId: string; receipt: Record<string, unknown> };
      expect(body.subjectId).toBe(receipt.subjectId);
      expect(body.receipt).toMatchObject({ ...receipt, receivedAt: '2026-02-01T10:00:00.000Z' });
      expect(body.receipt.notice).toEqual(receipt.notice);
    });

    it.each([
      [`/receipts/${randomUUID()}`, 404],
      [`/receipts/${randomUUID().toUpperCase()}`, 400],
      ['/receipts/42', 400],
    ])('answers %s with %i', async (path, status) => {
      const response = await get(setup.base, path);
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: string }).error).toBeTruthy();
    });
  });

  describe('GET /subjects/:id/chain and /subjects/:id/export', () => {
    const subjectId = randomUUID();
    const first = makeV2({ subjectId });
    const second = makeV2({ subjectId, method: 'reject_all', previousReceiptId: first.receiptId, notice: null });

    it("checks one subject's chain, and finds a receipt edited behind the collector's back", async () => {
      await postAt('2026-03-01T10:00:00.000Z', first);
      await postAt('2026-03-02T10:00:00.000Z', second);
      const chain = async () => (await (await get(setup.base, `/subjects/${subjectId}/chain`)).json()) as object;
      expect(await chain()).toEqual({ subjectId, receipts: 2, ok: true, problems: [] });
      await setup.db.sql(
        `UPDATE receipts SET body = replace(body, 'reject_all', 'accept_all') WHERE receipt_id = '${second.receiptId}'`,
      );
      expect(await chain()).toEqual({
        subjectId,
        receipts: 2,
        ok: false,
        problems: [`receipt ${second.receiptId}: hash does not match the stored receipt`],
      });
      await setup.db.sql(
        `UPDATE receipts SET body = replace(body, 'accept_all', 'reject_all') WHERE receipt_id = '${second.receiptId}'`,
      );
      expect(await chain()).toMatchObject({ ok: true });
    });

    it('gives a document the visitor can be handed, as an attachment', async () => {
      clock.now = Date.parse('2026-03-05T08:00:00.000Z');
      const response = await get(setup.base, `/subjects/${subjectId}/export`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="consent-${subjectId}.json"`);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const document = (await response.json()) as { receipts: Record<string, unknown>[] };
      expect(document).toMatchObject({
        subjectId,
        exportedAt: '2026-03-05T08:00:00.000Z',
        collector: `@paloma365/consent-collector ${VERSION}`,
      });
      expect(document.receipts.map((r) => [r.receiptId, r.notice])).toEqual([
        [first.receiptId, first.notice],
        [second.receiptId, null],
      ]);
    });

    it.each(['chain', 'export'])(
      'answers /subjects/:id/%s with 404 for an unknown subject, 400 for a bad id',
      async (what) => {
        expect((await get(setup.base, `/subjects/${randomUUID()}/${what}`)).status).toBe(404);
        expect((await get(setup.base, `/subjects/not-a-uuid/${what}`)).status).toBe(400);
        expect((await get(setup.base, `/subjects/%E0%A4%A/${what}`)).status).toBe(400);
      },
    );
  });

  describe('POST /purge?dryRun=1', () => {
    it('counts what a purge would remove, removes nothing, and the purge then removes as many', async () => {
      const subjectId = randomUUID();
      await postAt('2020-06-01T00:00:00.000Z', makeV2({ subjectId }));
      await postAt('2020-06-02T00:00:00.000Z', makeV2({ subjectId }));
      await postAt('2020-06-03T00:00:00.000Z', makeV2());
      clock.now = Date.parse('2026-11-24T12:00:00.000Z');
      const days = Math.floor((clock.now - Date.parse('2021-01-01T00:00:00.000Z')) / DAY);
      const before = new Date(clock.now - days * DAY).toISOString();
      const total = await setup.db.count();
      const dry = await fetch(`${setup.base}/purge?olderThanDays=${days}&dryRun=1`, { method: 'POST', headers: admin });
      expect(dry.status).toBe(200);
      expect(await dry.json()).toEqual({ wouldPurge: 3, before });
      expect(await setup.db.count()).toBe(total);
      const real = await fetch(`${setup.base}/purge?olderThanDays=${days}`, { method: 'POST', headers: admin });
      expect(await real.json()).toEqual({ purged: 3, before });
      expect(await setup.db.count()).toBe(total - 3);
    });

    it.each(['yes', '2', ''])('refuses dryRun=%s with 400 and removes nothing', async (value) => {
      const total = await setup.db.count();
      const response = await fetch(`${setup.base}/purge?olderThanDays=0&dryRun=${value}`, {
        method: 'POST',
        headers: admin,
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/dryRun/);
      expect(await setup.db.count()).toBe(total);
    });
  });

  describe('every operator route', () => {
    const routes: [string, string, string][] = [
      ['GET', '/notices', 'POST'],
      ['GET', `/notices/${'0'.repeat(64)}`, 'DELETE'],
      ['GET', `/receipts/${randomUUID()}`, 'PUT'],
      ['GET', '/receipts/export', 'POST'],
      ['GET', `/subjects/${randomUUID()}/receipts`, 'POST'],
      ['GET', `/subjects/${randomUUID()}/chain`, 'POST'],
      ['GET', `/subjects/${randomUUID()}/export`, 'DELETE'],
      ['DELETE', `/subjects/${randomUUID()}`, 'GET'],
      ['POST', '/purge?olderThanDays=100000', 'GET'],
      ['GET', '/stats?from=2026-01-01&to=2026-01-02', 'POST'],
    ];

    it.each(routes)(
      '%s %s needs the token, answers 405 with Allow to %s, and carries the security headers',
      async (method, path, wrong) => {
        const noToken = await fetch(`${setup.base}${path}`, { method });
        expect(noToken.status).toBe(401);
        const wrongMethod = await fetch(`${setup.base}${path}`, { method: wrong, headers: admin });
        expect(wrongMethod.status).toBe(405);
        expect(wrongMethod.headers.get('allow')).toBe(method);
        const right = await fetch(`${setup.base}${path}`, { method, headers: admin });
        expect([200, 400, 404]).toContain(right.status);
        for (const response of [noToken, wrongMethod, right]) {
          for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(response.headers.get(name)).toBe(value);
        }
      },
    );
  });
});

describe.each(stores)('operator routes without a token on $kind', ({ create }) => {
  const { setup } = suite(create, { adminToken: undefined });
  it('do not exist: 404, even with a token', async () => {
    for (const path of ['/notices', `/receipts/${randomUUID()}`, '/stats', `/subjects/${randomUUID()}/chain`]) {
      expect((await get(setup.base, path)).status).toBe(404);
    }
  });
});
