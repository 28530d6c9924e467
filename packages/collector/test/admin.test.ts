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

type Categories = Record<string, boolean>;
const at = (iso: string, method: ReceiptV2['method'], language: string, categories: Categories) => ({
  iso,
  receipt: makeV2({ method, language, categories: { necessary: true, ...categories } as ReceiptV2['categories'] }),
});
/** Seven receipts around 2025-03-01..03; R4 is a `gpc` that lists analytics as allowed (still a refusal). */
const STATS_RECEIPTS = [
  at('2025-03-01T10:00:00.000Z', 'accept_all', 'ru', { analytics: true, functional: true }),
  at('2025-03-01T11:00:00.000Z', 'reject_all', 'kk', { analytics: false, functional: false }),
  at('2025-03-01T12:00:00.000Z', 'custom', 'ru', { analytics: true, functional: false, marketing: true }),
  at('2025-03-02T01:00:00.000Z', 'gpc', 'en', { analytics: true, functional: false }),
  at('2025-03-02T23:30:00.000Z', 'custom', 'ru', { analytics: true, functional: false }),
  at('2025-02-28T22:00:00.000Z', 'withdraw', 'ru', { analytics: false, functional: true }),
  at('2025-03-03T21:00:00.000Z', 'accept_all', 'kk', { analytics: true, functional: true }),
];
const methods = (counts: Record<string, number>) => ({
  accept_all: 0,
  reject_all: 0,
  custom: 0,
  withdraw: 0,
  gpc: 0,
  ...counts,
});
const tally = (receipts: number, allowed: number, share: number) => ({ receipts, allowed, share });

describe.each(stores)('GET /stats on $kind', ({ kind, create }) => {
  const { setup, clock, postAt } = suite(create, { signInBrake: false });
  const stats = async (query: string) => {
    const response = await get(setup.base, `/stats?${query}`);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as { days: { day: string; receipts: number }[]; categories: object };
  };

  it('counts per UTC day of arrival and method, and per category and language the share allowing it', async () => {
    for (const { iso, receipt } of STATS_RECEIPTS) await postAt(iso, receipt);
    expect(await stats('from=2025-03-01&to=2025-03-03')).toEqual({
      from: '2025-03-01',
      to: '2025-03-03',
      tzOffsetMinutes: 0,
      days: [
        { day: '2025-03-01', receipts: 3, byMethod: methods({ accept_all: 1, reject_all: 1, custom: 1 }) },
        { day: '2025-03-02', receipts: 2, byMethod: methods({ gpc: 1, custom: 1 }) },
        { day: '2025-03-03', receipts: 1, byMethod: methods({ accept_all: 1 }) },
      ],
      categories: {
        analytics: {
          ...tally(6, 4, 0.6667),
          byLanguage: { ru: tally(3, 3, 1), kk: tally(2, 1, 0.5), en: tally(1, 0, 0) },
        },
        functional: {
          ...tally(6, 2, 0.3333),
          byLanguage: { ru: tally(3, 1, 0.3333), kk: tally(2, 1, 0.5), en: tally(1, 0, 0) },
        },
        marketing: { ...tally(1, 1, 1), byLanguage: { ru: tally(1, 1, 1) } },
      },
    });
  });

  it('moves receipts across midnight by the time-zone offset', async () => {
    const days = (body: { days: { day: string; receipts: number }[] }) => body.days.map((d) => [d.day, d.receipts]);
    const almaty = await stats('from=2025-03-01&to=2025-03-03&tzOffsetMinutes=300');
    expect(days(almaty)).toEqual([
      ['2025-03-01', 4],
      ['2025-03-02', 1],
      ['2025-03-03', 1],
    ]);
    expect((almaty.days[0] as unknown as { byMethod: object }).byMethod).toEqual(
      methods({ withdraw: 1, accept_all: 1, reject_all: 1, custom: 1 }),
    );
    const brazil = await stats('from=2025-03-01&to=2025-03-03&tzOffsetMinutes=-180');
    expect(days(brazil)).toEqual([
      ['2025-03-01', 4],
      ['2025-03-02', 1],
      ['2025-03-03', 1],
    ]);
    expect((brazil.days[0] as unknown as { byMethod: object }).byMethod).toEqual(
      methods({ accept_all: 1, reject_all: 1, custom: 1, gpc: 1 }),
    );
  });

  it('lists every day of the range, zeros and all, and no identifier', async () => {
    const body = await stats('from=2025-03-03&to=2025-03-05');
    expect(body.days).toEqual([
      { day: '2025-03-03', receipts: 1, byMethod: methods({ accept_all: 1 }) },
      { day: '2025-03-04', receipts: 0, byMethod: methods({}) },
      { day: '2025-03-05', receipts: 0, byMethod: methods({}) },
    ]);
    const text = JSON.stringify(await stats('from=2025-02-01&to=2025-03-31'));
    for (const { receipt } of STATS_RECEIPTS) {
      expect(text).not.toContain(receipt.subjectId);
      expect(text).not.toContain(receipt.receiptId);
    }
    expect(await stats('from=2024-03-01&to=2024-03-01')).toEqual({
      from: '2024-03-01',
      to: '2024-03-01',
      tzOffsetMinutes: 0,
      days: [{ day: '2024-03-01', receipts: 0, byMethod: methods({}) }],
      categories: {},
    });
  });

  it.each([
    ['', /from and to/],
    ['from=2025-03-01', /from and to/],
    ['from=2025-02-30&to=2025-03-01', /from and to/],
    ['from=2025-3-1&to=2025-03-02', /from and to/],
    ['from=2025-03-02&to=2025-03-01', /at most 366 days/],
    ['from=2025-01-01&to=2026-01-02', /at most 366 days/],
    ['from=2025-03-01&to=2025-03-02&tzOffsetMinutes=841', /tzOffsetMinutes/],
    ['from=2025-03-01&to=2025-03-02&tzOffsetMinutes=-721', /tzOffsetMinutes/],
    ['from=2025-03-01&to=2025-03-02&tzOffsetMinutes=1.5', /tzOffsetMinutes/],
    ['from=2025-03-01&to=2025-03-02&tzOffsetMinutes=100', /quarter-hours/],
  ])('refuses ?%s with 400', async (query, error) => {
    const response = await get(setup.base, `/stats?${query}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(error);
  });

  it('takes a whole 366-day range (a leap year)', async () => {
    const body = await stats('from=2024-01-01&to=2024-12-31');
    expect(body.days).toHaveLength(366);
  });

  it('back-fills the statistics columns of receipts stored before them (migration 5)', async () => {
    const expected = await stats('from=2025-02-28&to=2025-03-03&tzOffsetMinutes=300');
    expect(expected.days.map((day) => day.receipts)).toEqual([0, 4, 1, 1]);
    await setup.collector.close();
    // Back to the schema before migration 5, with the receipts already in it.
    const columns = ['arrival_day', 'arrival_minute', 'method', 'language', 'categories'];
    if (setup.db.kind === 'sqlite') await setup.db.sql('DROP INDEX receipts_stats');
    for (const column of columns) await setup.db.sql(`ALTER TABLE receipts DROP COLUMN ${column}`);
    for (const table of ['stats_rollup', 'stats_rolled']) await setup.db.sql(`DROP TABLE ${table}`);
    await setup.db.sql('DELETE FROM schema_migrations WHERE version >= 5');
    setup.collector = await listen({
      db: setup.db.db,
      port: 0,
      adminToken: TOKEN,
      rateLimit: false,
      signInBrake: false,
      now: () => new Date(clock.now),
    });
    setup.base = setup.collector.url;
    const nulls = await setup.db.sql(
      'SELECT count(*) AS n FROM receipts WHERE arrival_day IS NULL OR categories IS NULL',
    );
    expect(Number(nulls[0]!.n)).toBe(0);
    expect(await stats('from=2025-02-28&to=2025-03-03&tzOffsetMinutes=300')).toEqual(expected);
  });

  it('rolls past days up once, counts the open day live, and forgets a roll-up an erasure or purge changes', async () => {
    const rolled = async () =>
      (await setup.db.sql('SELECT day FROM stats_rolled ORDER BY day')).map((r) => Number(r.day));
    const march = Date.parse('2025-03-01') / DAY;
    clock.now = Date.parse('2026-11-24T12:00:00.000Z');
    await stats('from=2025-02-28&to=2025-03-03');
    // Queried on 2026-11-24: every day of 2025 is over, so each was rolled up.
    expect(await rolled()).toEqual(expect.arrayContaining([march - 1, march, march + 1, march + 2]));
    const erased = makeV2({
      method: 'reject_all',
      categories: { necessary: true, analytics: false, functional: false },
    });
    await postAt('2025-03-02T12:00:00.000Z', erased);
    clock.now = Date.parse('2026-11-24T12:00:00.000Z');
    const day2 = async () => (await stats('from=2025-03-02&to=2025-03-02')).days[0]!.receipts;
    // A receipt arriving on a rolled-up day (a clock set back, here) is not counted until the roll-up is remade:
    // the collector's own clock never does that, and this is what an erasure's forgetting is tested against.
    expect(await day2()).toBe(2);
    await setup.db.sql(`DELETE FROM stats_rollup WHERE day = ${march + 1}`);
    await setup.db.sql(`DELETE FROM stats_rolled WHERE day = ${march + 1}`);
    expect(await day2()).toBe(3);
    await fetch(`${setup.base}/subjects/${erased.subjectId}`, { method: 'DELETE', headers: admin });
    expect(await day2()).toBe(2);
    // Today is never rolled up: each new receipt counts at once.
    await postAt('2026-11-24T08:00:00.000Z', makeV2());
    const today = async () => (await stats('from=2026-11-24&to=2026-11-24')).days[0]!.receipts;
    expect(await today()).toBe(1);
    await postAt('2026-11-24T09:00:00.000Z', makeV2());
    expect(await today()).toBe(2);
    expect(await rolled()).not.toContain(Date.parse('2026-11-24') / DAY);
    // A purge of everything before June 2025 forgets those days' roll-ups: March counts nothing.
    const days = Math.round((clock.now - Date.parse('2025-06-01T12:00:00.000Z')) / DAY);
    const purged = await fetch(`${setup.base}/purge?olderThanDays=${days}`, { method: 'POST', headers: admin });
    expect(((await purged.json()) as { purged: number }).purged).toBeGreaterThanOrEqual(7);
    const march2025 = await stats('from=2025-02-28&to=2025-03-03');
    expect(march2025.days.map((day) => day.receipts)).toEqual([0, 0, 0, 0]);
    expect(march2025.categories).toEqual({});
  });

  it.runIf(kind === 'sqlite')(
    'reads only indexes on SQLite: the roll-up, and receipts_stats for days not rolled up',
    async () => {
      const { statsSql } = await import('../src/store.js');
      const plan = await setup.db.sql(`EXPLAIN QUERY PLAN ${statsSql('sqlite')}`, [
        { lo: 1, hi: 2, from: 1, to: 2, offset: 0 },
      ]);
      const details = plan.map((row) => String(row.detail));
      expect(details).toContain('SEARCH stats_rollup USING COVERING INDEX stats_rollup_day (day>? AND day<?)');
      expect(details).toContain('SEARCH receipts USING COVERING INDEX receipts_stats (arrival_day=?)');
    },
  );
});

describe.each(stores)('the daily cap on new notices on $kind', ({ create }) => {
  const { setup, clock, postAt } = suite(create, { signInBrake: false, maxNoticesPerDay: 2 });
  const counts = async () =>
    [await setup.db.count(), Number((await setup.db.sql('SELECT count(*) AS n FROM notices'))[0]!.n)] as const;

  it('refuses a receipt on a new notice past the cap with 429 until the next UTC day, storing nothing', async () => {
    const [first, second, third] = ['2026-05-01', '2026-05-02', '2026-05-03'].map((v) => wording(v));
    await postAt('2026-05-01T10:00:00.000Z', makeV2({ notice: first }));
    await postAt('2026-05-01T10:01:00.000Z', makeV2({ notice: second }));
    const before = await counts();
    clock.now = Date.parse('2026-05-01T10:02:00.000Z');
    const refused = await post(setup.base, makeV2({ notice: third }));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String(14 * 3600 - 120));
    expect(((await refused.json()) as { error: string }).error).toMatch(/2 new notices .* today \(UTC\)/);
    expect(await counts()).toEqual(before);
    // Known notices and receipts without one still go in.
    await postAt('2026-05-01T10:03:00.000Z', makeV2({ notice: first }));
    await postAt('2026-05-01T10:04:00.000Z', makeV2({ notice: null }));
    await postAt('2026-05-01T10:05:00.000Z', makeReceipt());
    // The SDK's retry after Retry-After, the next day, is stored.
    await postAt('2026-05-02T00:00:00.000Z', makeV2({ notice: third }));
  });

  it('lets exactly the cap through when new notices race', async () => {
    clock.now = Date.parse('2026-05-10T10:00:00.000Z');
    // Straight to the store: over HTTP the validation of each post spaces the inserts out.
    const store = setup.collector.collector.store;
    const racing = Array.from({ length: 20 }, (_, i) => makeV2({ notice: wording(`2026-06-${i + 10}`) }));
    const outcomes = await Promise.all(
      racing.map((receipt) =>
        store.insert({ receipt, receivedAt: new Date(clock.now).toISOString(), clientIp: null, maxNoticesPerDay: 2 }),
      ),
    );
    const statuses = outcomes.map((outcome) => outcome.status);
    expect(statuses.filter((status) => status === 'created')).toHaveLength(2);
    expect(statuses.filter((status) => status === 'notice-limit')).toHaveLength(18);
    const today = await setup.db.sql("SELECT count(*) AS n FROM notices WHERE first_seen >= '2026-05-10'");
    expect(Number(today[0]!.n)).toBe(2);
  });

  it('takes a cap of 0 as no new notice at all, on every store', async () => {
    clock.now = Date.parse('2026-05-20T10:00:00.000Z');
    const store = setup.collector.collector.store;
    const receivedAt = new Date(clock.now).toISOString();
    const fresh = await store.insert({
      receipt: makeV2({ notice: wording('2026-07-01') }),
      receivedAt,
      clientIp: null,
      maxNoticesPerDay: 0,
    });
    expect(fresh.status).toBe('notice-limit');
    // A notice already stored still goes in.
    const notice = wording('2026-07-02');
    expect((await store.insert({ receipt: makeV2({ notice }), receivedAt, clientIp: null })).status).toBe('created');
    const known = makeV2({ notice });
    expect((await store.insert({ receipt: known, receivedAt, clientIp: null, maxNoticesPerDay: 0 })).status).toBe(
      'created',
    );
  });
});

describe.each(stores)("each network's share of the new notices on $kind", ({ create }) => {
  // One proxy of ours in front: the client is the right-most X-Forwarded-For entry, which it cannot choose.
  const { setup, clock } = suite(create, {
    signInBrake: false,
    maxNoticesPerDay: 100,
    maxNoticesPerNetwork: 2,
    trustProxy: 1,
  });
  const from = (address: string, receipt: object, at: string) => {
    clock.now = Date.parse(at);
    return post(setup.base, receipt, { 'x-forwarded-for': address });
  };
  const notices = async () => Number((await setup.db.sql('SELECT count(*) AS n FROM notices'))[0]!.n);

  it('refuses a network past its share, storing nothing, while other networks and known notices go in', async () => {
    const at = '2026-08-01T00:00:05.000Z';
    const [a, b, c, d] = ['2026-08-01', '2026-08-02', '2026-08-03', '2026-08-04'].map((v) => wording(v));
    expect((await from('203.0.113.5', makeV2({ notice: a }), at)).status).toBe(201);
    // Another address of the same /24 is the same network.
    expect((await from('203.0.113.77', makeV2({ notice: b }), at)).status).toBe(201);
    const before = [await setup.db.count(), await notices()];
    const refused = await from('203.0.113.9', makeV2({ notice: c }), at);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe(String(24 * 3600 - 5));
    expect(((await refused.json()) as { error: string }).error).toMatch(
      /this network \(203\.0\.113\.0\/24\) already stored 2 new notices today \(UTC\), its share/,
    );
    expect([await setup.db.count(), await notices()]).toEqual(before);
    // Entries the client writes left of the proxy's are its own words: they change nothing.
    expect((await from('198.51.100.1, 203.0.113.5', makeV2({ notice: c }), at)).status).toBe(429);
    // The refused network's receipts on notices already stored are still stored.
    expect((await from('203.0.113.5', makeV2({ notice: a }), at)).status).toBe(201);
    expect((await from('203.0.113.5', makeV2({ notice: null }), at)).status).toBe(201);
    // Another network still stores a new notice the same day.
    expect((await from('198.51.100.1', makeV2({ notice: c }), at)).status).toBe(201);
    // Now that it is stored, the first network's receipt on it goes in too.
    expect((await from('203.0.113.5', makeV2({ notice: c }), at)).status).toBe(201);
    expect((await from('203.0.113.5', makeV2({ notice: d }), '2026-08-01T23:59:59.000Z')).status).toBe(429);
    // The share is given again at the next UTC day.
    expect((await from('203.0.113.5', makeV2({ notice: d }), '2026-08-02T00:00:00.000Z')).status).toBe(201);
  });

  it('counts an IPv6 client by its /48', async () => {
    const at = '2026-08-05T10:00:00.000Z';
    const [a, b, c] = ['2026-08-11', '2026-08-12', '2026-08-13'].map((v) => wording(v));
    expect((await from('2001:db8:1:1::1', makeV2({ notice: a }), at)).status).toBe(201);
    expect((await from('2001:db8:1:ffff::2', makeV2({ notice: b }), at)).status).toBe(201);
    expect((await from('2001:db8:1:2::3', makeV2({ notice: c }), at)).status).toBe(429);
    expect((await from('2001:db8:2::1', makeV2({ notice: c }), at)).status).toBe(201);
  });

  it('gives back the place of a receipt that did not store its new notice (a conflict)', async () => {
    const at = '2026-08-06T09:00:00.000Z';
    const first = makeV2({ notice: wording('2026-08-31') });
    expect((await from('198.51.100.200', first, at)).status).toBe(201);
    // Its receiptId with another body and another new notice: nothing stored, no place used.
    const clash = { ...makeV2({ notice: wording('2026-08-30') }), receiptId: first.receiptId };
    expect((await from('198.51.100.200', clash, at)).status).toBe(409);
    expect((await from('198.51.100.200', makeV2({ notice: wording('2026-08-29') }), at)).status).toBe(201);
  });

  it('takes one place for one new notice posted at once by many receipts', async () => {
    // One new notice, posted at once from one network: one stores it, the rest are on a known notice.
    const at = '2026-08-06T10:00:00.000Z';
    const shared = wording('2026-08-21');
    const all = await Promise.all(Array.from({ length: 5 }, () => from('192.0.2.1', makeV2({ notice: shared }), at)));
    expect(all.map((response) => response.status)).toEqual([201, 201, 201, 201, 201]);
    expect((await from('192.0.2.1', makeV2({ notice: wording('2026-08-22') }), at)).status).toBe(201);
    expect((await from('192.0.2.1', makeV2({ notice: wording('2026-08-23') }), at)).status).toBe(429);
  });

  it('lets a network store exactly its share when its new notices race', async () => {
    const at = '2026-08-07T10:00:00.000Z';
    const racing = Array.from({ length: 12 }, (_, i) => makeV2({ notice: wording(`2026-09-${i + 10}`) }));
    const statuses = (await Promise.all(racing.map((receipt) => from('192.0.2.50', receipt, at)))).map(
      (response) => response.status,
    );
    expect(statuses.filter((status) => status === 201)).toHaveLength(2);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
  });

  it('ignores X-Forwarded-For without a trusted proxy, and takes a share of 0 as none', async () => {
    const collectors = await Promise.all(
      [2, 0].map((share) =>
        listen({
          db: setup.db.db,
          port: 0,
          rateLimit: false,
          maxNoticesPerNetwork: share,
          now: () => new Date(clock.now),
        }),
      ),
    );
    try {
      clock.now = Date.parse('2026-08-08T10:00:00.000Z');
      const [direct, unlimited] = collectors.map((collector) => collector.url);
      const forged = (i: number) => ({ 'x-forwarded-for': `198.18.${i}.1` });
      expect((await post(direct!, makeV2({ notice: wording('2026-10-01') }), forged(1))).status).toBe(201);
      expect((await post(direct!, makeV2({ notice: wording('2026-10-02') }), forged(2))).status).toBe(201);
      expect((await post(direct!, makeV2({ notice: wording('2026-10-03') }), forged(3))).status).toBe(429);
      for (let i = 0; i < 5; i++) {
        expect((await post(unlimited!, makeV2({ notice: wording(`2026-10-1${i}`) }))).status).toBe(201);
      }
    } finally {
      await Promise.all(collectors.map((collector) => collector.close()));
    }
  });
});

describe.each(stores)('the sign-in brake on $kind', ({ create }) => {
  // One proxy of ours in front: the client is the right-most X-Forwarded-For entry, which it cannot choose.
  const { setup, clock } = suite(create, { signInBrake: { max: 3, windowMs: 60_000 }, trustProxy: 1 });
  const from = (address: string, token: string) =>
    get(setup.base, '/notices', { authorization: `Bearer ${token}`, 'x-forwarded-for': address });

  it('refuses an address after its failed sign-ins, the right token included, until the window turns', async () => {
    clock.now = Date.parse('2026-07-01T10:00:10.000Z');
    for (let i = 0; i < 3; i++) expect((await from('203.0.113.5', `guess-${i}`)).status).toBe(401);
    const braked = await from('203.0.113.5', TOKEN);
    expect(braked.status).toBe(429);
    expect(braked.headers.get('retry-after')).toBe('50');
    expect(braked.headers.get('content-security-policy')).toBe(SECURITY_HEADERS['content-security-policy']);
    // Entries the client writes left of the proxy's are its own words: they change nothing.
    expect((await from('198.51.100.9, 203.0.113.5', TOKEN)).status).toBe(429);
    // Another address is not braked by these failures.
    expect((await from('203.0.113.6', TOKEN)).status).toBe(200);
    clock.now = Date.parse('2026-07-01T10:01:00.000Z');
    expect((await from('203.0.113.5', TOKEN)).status).toBe(200);
  });

  it('counts only requests that carry a token: image tags on another site cannot lock the operator out', async () => {
    // A page anywhere can make the operator's browser send GET /notices (an <img>, no Origin, no Authorization);
    // it can never attach an Authorization header, so a request without one is no guess at the token.
    clock.now = Date.parse('2026-07-02T10:00:10.000Z');
    for (let i = 0; i < 5; i++) {
      expect((await get(setup.base, '/notices', { 'x-forwarded-for': '203.0.113.20' })).status).toBe(401);
    }
    expect((await from('203.0.113.20', TOKEN)).status).toBe(200);
  });

  it('brakes an IPv6 client by its /64: addresses of one network share their guesses', async () => {
    // A single host is usually given a whole /64; counting each address would give it 2^64 times the guesses.
    clock.now = Date.parse('2026-07-03T10:00:10.000Z');
    for (let i = 1; i <= 3; i++) expect((await from(`2001:db8:1:2::${i}`, 'wrong')).status).toBe(401);
    expect((await from('2001:db8:1:2:ffff:ffff:ffff:ffff', TOKEN)).status).toBe(429);
    expect((await from('[2001:DB8:1:2:0:0:0:9]', TOKEN)).status).toBe(429);
    // The next /64 is someone else.
    expect((await from('2001:db8:1:3::1', TOKEN)).status).toBe(200);
  });

  it('ignores X-Forwarded-For without a trusted proxy: a forged header does not escape the brake', async () => {
    const direct = await listen({
      db: setup.db.db,
      port: 0,
      adminToken: TOKEN,
      rateLimit: false,
      signInBrake: { max: 3, windowMs: 600_000 },
    });
    try {
      const attempt = (i: number, token: string) =>
        get(direct.url, '/notices', { authorization: `Bearer ${token}`, 'x-forwarded-for': `192.0.2.${i}` });
      for (let i = 0; i < 3; i++) expect((await attempt(i, 'wrong')).status).toBe(401);
      expect((await attempt(9, TOKEN)).status).toBe(429);
    } finally {
      await direct.close();
    }
  });
});
