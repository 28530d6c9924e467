import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Notice } from '@paloma365/consent-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/chain.js';
import { noticeBody, noticeId } from '../src/notice.js';
import { openStore } from '../src/open-store.js';
import { listen, type RunningCollector } from '../src/server.js';
import { createReceiptValidator, type ReceiptV2 } from '../src/validate.js';
import { makeReceipt, post, stores, type TestDb } from './helpers.js';

const vectors = JSON.parse(readFileSync(new URL('../../core/test-vectors/notice.json', import.meta.url), 'utf8')) as {
  cases: { name: string; notice: object; canonical: string; sha256: string }[];
};
const TOKEN = 'test-admin-token';
const admin = { authorization: `Bearer ${TOKEN}` };
/** The test vector's realistic notice (Russian texts, default categories, an operator), with its id. */
const NOTICE = { id: vectors.cases[1]!.sha256, ...vectors.cases[1]!.notice } as Notice;

/** A valid version 2 receipt with fresh ids, on the realistic notice. */
const makeV2 = (overrides: Partial<ReceiptV2> = {}): ReceiptV2 => ({
  ...makeReceipt(),
  version: 2,
  expiresAt: '2027-05-25T19:00:00.000Z',
  notice: NOTICE,
  ...overrides,
});

describe('notice ids', () => {
  it.each(vectors.cases)('match the test vector: $name', ({ notice, canonical, sha256 }) => {
    expect(canonicalJson(notice)).toBe(canonical);
    expect(noticeId({ id: 'ignored', ...notice } as Notice)).toBe(sha256);
    expect(noticeBody({ ...notice, id: 'ignored' } as Notice)).toBe(canonical);
  });
});

describe('cookie declarations in a notice', () => {
  const validate = createReceiptValidator();
  const withCookies = (cookies: unknown[]) => {
    const body = { ...NOTICE, id: undefined, categories: [{ ...NOTICE.categories[1]!, cookies }] } as unknown as Notice;
    return makeV2({ notice: { ...body, id: noticeId(body) } });
  };
  const problems = (cookies: unknown[]) => {
    const result = validate(withCookies(cookies));
    return result.ok ? [] : result.problems;
  };
  const declared = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, purpose: 'p', lifetime: 'l' }));

  it("accepts the test vector's declarations, and a declaration at every limit", () => {
    const vector = vectors.cases[2]!;
    expect(validate(makeV2({ notice: { id: vector.sha256, ...vector.notice } as Notice })).ok).toBe(true);
    const name = 'n'.repeat(100);
    expect(problems([{ name, purpose: 'ж'.repeat(200), lifetime: '🍪'.repeat(50) }, { name }])).toEqual([]);
    expect(problems([...declared(20), ...Array.from({ length: 30 }, (_, i) => `plain${i}`)])).toEqual([]);
  });

  it.each([
    ['a purpose over 200 characters', [{ name: 'a', purpose: 'ж'.repeat(201) }]],
    ['a lifetime over 50 characters', [{ name: 'a', lifetime: 'x'.repeat(51) }]],
    ['a purpose over two lines', [{ name: 'a', purpose: 'one\ntwo' }]],
    ['a declaration without a name', [{ purpose: 'x' }]],
    ['a name the cookie pattern refuses', [{ name: 'a b' }]],
    ['a field the schema does not have', [{ name: 'a', domain: 'x' }]],
    ['more than 20 declarations in one category', declared(21)],
  ])('refuses %s', (_, cookies) => {
    expect(problems(cookies)).not.toEqual([]);
  });
});

describe.each(stores)('notices on $kind', ({ create }) => {
  let db: TestDb;
  let collector: RunningCollector;
  let base: string;
  let setupError: unknown;
  beforeAll(async () => {
    try {
      db = await create();
      collector = await listen({ db: db.db, port: 0, adminToken: TOKEN, rateLimit: false });
      base = collector.url;
    } catch (error) {
      setupError = error;
    }
  });
  beforeEach(async () => {
    if (setupError) throw setupError;
  });
  afterAll(async () => {
    await collector?.close();
    await db?.drop();
  });

  const notices = async () => db.sql('SELECT id, body FROM notices ORDER BY id');

  it('stores a version 2 receipt, its notice once, and gives it back with the notice', async () => {
    const subjectId = randomUUID();
    const first = makeV2({ subjectId });
    const second = makeV2({ subjectId, method: 'reject_all', previousReceiptId: first.receiptId });
    const api = makeV2({ subjectId, notice: null });
    for (const receipt of [first, second, api]) expect((await post(base, receipt)).status).toBe(201);
    expect(await notices()).toEqual([{ id: NOTICE.id, body: vectors.cases[1]!.canonical }]);
    // Each receipt's body holds the id, not another copy of the wording.
    const bodies = await db.sql(`SELECT body, notice_id FROM receipts WHERE subject_id = '${subjectId}' ORDER BY seq`);
    expect(bodies.map((r) => [JSON.parse(String(r.body)).notice, r.notice_id])).toEqual([
      [NOTICE.id, NOTICE.id],
      [NOTICE.id, NOTICE.id],
      [null, null],
    ]);
    const response = await fetch(`${base}/subjects/${subjectId}/receipts`, { headers: admin });
    const stored = (await response.json()) as ReceiptV2[];
    expect(stored.map((r) => [r.receiptId, r.notice])).toEqual([
      [first.receiptId, NOTICE],
      [second.receiptId, NOTICE],
      [api.receiptId, null],
    ]);
    // A retry is still a retry, notice and all.
    expect((await post(base, first)).status).toBe(200);
  });

  it('refuses a notice whose id is not its hash, with the reason, storing nothing', async () => {
    const before = await db.count();
    const forged = makeV2({ notice: { ...NOTICE, texts: { ...NOTICE.texts, bannerTitle: 'Нечто иное' } } });
    const response = await post(base, forged);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/\/notice\/id: is not the SHA-256/);
    const bad = makeV2({ notice: { ...NOTICE, id: 'f'.repeat(64) } });
    expect((await post(base, bad)).status).toBe(400);
    expect(await db.count()).toBe(before);
    expect((await notices()).map((n) => n.id)).not.toContain('f'.repeat(64));
    expect(await notices()).toHaveLength(1);
  });

  it('still accepts version 1; refuses v1 with v2 fields and v2 without them', async () => {
    expect((await post(base, makeReceipt())).status).toBe(201);
    expect((await post(base, { ...makeReceipt(), notice: null })).status).toBe(400);
    const { notice: _, ...noNotice } = makeV2();
    expect((await post(base, noNotice)).status).toBe(400);
    expect((await post(base, makeV2({ expiresAt: '2026-01-01T00:00:00.000Z' }))).status).toBe(400);
  });

  it('takes the largest notice the schema allows', async () => {
    // Every limit reached, each character one JSON escapes to six bytes.
    const text = (n: number) => '\u0001'.repeat(n);
    const body = {
      language: 'ru',
      policyVersion: 'p'.repeat(200),
      privacyPolicyUrl: text(2048),
      operator: { name: text(200), id: text(200), url: text(2048) },
      texts: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`.padEnd(64, 'x'), text(2000)])),
      categories: Array.from({ length: 32 }, (_, i) => ({
        id: `c${i}`.padEnd(32, 'x'),
        title: text(200),
        description: text(2000),
        required: i === 0,
        // 20 declarations, the most a category may have, each text at its limit in 4-byte characters.
        cookies: Array.from({ length: 50 }, (_, j) =>
          j < 20
            ? { name: `${j}`.padEnd(100, '_'), purpose: '🍪'.repeat(200), lifetime: '🍪'.repeat(50) }
            : `${j}`.padEnd(100, '_'),
        ),
      })),
    };
    const notice = { id: noticeId(body as unknown as Notice), ...body } as Notice;
    const receipt = makeV2({ notice, policyVersion: 'p'.repeat(200) });
    const size = Buffer.byteLength(JSON.stringify(receipt));
    expect(size).toBeGreaterThan(1_900_000);
    expect(size).toBeLessThan(2_097_152);
    const response = await post(base, receipt);
    expect(response.status).toBe(201);
    const one = await db.sql(`SELECT length(body) AS n FROM notices WHERE id = '${notice.id}'`);
    expect(Number(one[0]!.n)).toBeGreaterThan(100_000);
    // One limit further is refused by the schema.
    const over = { ...body, texts: { ...body.texts, more: 'x' } };
    expect(
      (await post(base, makeV2({ notice: { id: noticeId(over as unknown as Notice), ...over } as Notice }))).status,
    ).toBe(400);
  });

  it('keeps one notice row for many receipts on one wording, and the chain covers the id', async () => {
    const store = await openStore(db.db);
    try {
      const before = Number((await db.sql('SELECT count(*) AS n FROM notices'))[0]!.n);
      const wording = { ...NOTICE, policyVersion: '2025-06-01' };
      const notice = { ...wording, id: noticeId(wording) };
      // In rounds of 50: a PostgreSQL pool has a handful of connections.
      for (let round = 0; round < 40; round++) {
        await Promise.all(
          Array.from({ length: 50 }, () =>
            store.insert({ receipt: makeV2({ notice }), receivedAt: new Date().toISOString(), clientIp: null }),
          ),
        );
      }
      expect(Number((await db.sql('SELECT count(*) AS n FROM notices'))[0]!.n)).toBe(before + 1);
      expect(Number((await db.sql(`SELECT count(*) AS n FROM receipts WHERE notice_id = '${notice.id}'`))[0]!.n)).toBe(
        2000,
      );
      expect((await store.verify()).ok).toBe(true);
      // Pointing a stored receipt at another notice breaks its chain link.
      await db.sql(
        `UPDATE receipts SET body = replace(body, '${notice.id}', '${NOTICE.id}') WHERE seq = (SELECT max(seq) FROM receipts WHERE notice_id = '${notice.id}')`,
      );
      expect((await store.verify()).ok).toBe(false);
    } finally {
      await store.close();
    }
  }, 60_000);

  it("verify reports a notice whose text was edited behind the collector's back", async () => {
    const store = await openStore(db.db);
    try {
      const wording = { ...NOTICE, policyVersion: '2025-07-01' };
      const notice = { ...wording, id: noticeId(wording) };
      expect((await post(base, makeV2({ notice }))).status).toBe(201);
      const clean = (await store.verify()).problems.filter((p) => p.reason.includes(notice.id));
      expect(clean).toEqual([]);
      await db.sql(`UPDATE notices SET body = replace(body, 'Принять все', 'Принять') WHERE id = '${notice.id}'`);
      const problems = (await store.verify()).problems.map((p) => p.reason);
      expect(problems).toContain(`notice ${notice.id}: its text no longer has this id (edited)`);
    } finally {
      await store.close();
    }
  }, 60_000);
});
