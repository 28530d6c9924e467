import { randomUUID } from 'node:crypto';
import type { Notice } from '@paloma365/consent-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeId } from '../src/notice.js';
import { buildOnce, type CliProcess, makeReceipt, post, startCli, stores, type TestDb } from './helpers.js';

const TOKEN = 'large-notice-test-token';
const admin = { authorization: `Bearer ${TOKEN}` };
const RECEIPTS = 80;
const NOTICES = 40;

const makeV2Base = (subjectId?: string) => ({
  ...makeReceipt(subjectId ? { subjectId } : {}),
  version: 2,
  expiresAt: '2027-05-25T19:00:00.000Z',
});

/** The largest notice the schema allows: about 1.9 MB of JSON, stored once in a few hundred bytes per receipt. */
function largestNotice(policyVersion = 'p'.repeat(200)): Notice {
  const text = (n: number) => '\u0001'.repeat(n);
  const body = {
    language: 'ru',
    policyVersion,
    privacyPolicyUrl: text(2048),
    operator: { name: text(200), id: text(200), url: text(2048) },
    texts: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`.padEnd(64, 'x'), text(2000)])),
    categories: Array.from({ length: 32 }, (_, i) => ({
      id: `c${i}`.padEnd(32, 'x'),
      title: text(200),
      description: text(2000),
      required: i === 0,
      cookies: Array.from({ length: 50 }, (_, j) =>
        j < 20
          ? { name: `${j}`.padEnd(100, '_'), purpose: '🍪'.repeat(200), lifetime: '🍪'.repeat(50) }
          : `${j}`.padEnd(100, '_'),
      ),
    })),
  };
  return { id: noticeId(body as unknown as Notice), ...body } as Notice;
}

/** Reads a response to its end, counting bytes and lines, without holding it. */
async function drain(response: Response): Promise<{ bytes: number; lines: number }> {
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const byte of chunk) if (byte === 10) lines++;
  }
  return { bytes, lines };
}

describe.each(stores)('a subject of many receipts on one huge notice, $kind', ({ create }) => {
  // Each receipt is a few hundred bytes in the database but answers with its notice, 1.9 MB: an answer
  // built whole (or read with the notice joined to every row) needs RECEIPTS times that in memory.
  let db: TestDb;
  let cli: CliProcess;
  const subjectId = randomUUID();
  beforeAll(async () => {
    buildOnce();
    db = await create();
    // All from one address: the per-network share of new notices would refuse the wordings past 20.
    cli = await startCli(['--db', db.db, '--admin-token', TOKEN, '--max-notices-per-network', '0'], {
      NODE_OPTIONS: '--max-old-space-size=96',
    });
    const notice = largestNotice();
    for (let i = 0; i < RECEIPTS; i++) {
      const receipt = {
        ...makeV2Base(subjectId),
        notice,
        policyVersion: notice.policyVersion,
      };
      const response = await post(cli.url, receipt);
      expect(response.status, await response.text()).toBe(201);
    }
    // And as many wordings of that size as the list's page can hold, one receipt each.
    for (let i = 0; i < NOTICES; i++) {
      const policyVersion = `${i}`.padEnd(200, 'v');
      const receipt = { ...makeV2Base(), notice: largestNotice(policyVersion), policyVersion };
      const response = await post(cli.url, receipt);
      expect(response.status, await response.text()).toBe(201);
    }
  }, 180_000);
  afterAll(async () => {
    await cli?.stop();
    await db?.drop();
  });

  it('answers the subject, its export and the full export with every receipt, in a 96 MB heap', async () => {
    const receipts = await drain(await fetch(`${cli.url}/subjects/${subjectId}/receipts`, { headers: admin }));
    expect(receipts.bytes).toBeGreaterThan(RECEIPTS * 1_900_000);
    const exported = await fetch(`${cli.url}/subjects/${subjectId}/export`, { headers: admin });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toBe(`attachment; filename="consent-${subjectId}.json"`);
    expect((await drain(exported)).bytes).toBeGreaterThan(RECEIPTS * 1_900_000);
    const all = await fetch(`${cli.url}/receipts/export`, { headers: admin });
    expect(all.status).toBe(200);
    expect((await drain(all)).lines).toBe(RECEIPTS + NOTICES);
    expect((await fetch(`${cli.url}/healthz`)).status).toBe(200);
  }, 120_000);

  it('lists a page of such notices without reading their bodies', async () => {
    const response = await fetch(`${cli.url}/notices?limit=${NOTICES + 1}`, { headers: admin });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { notices: { language: string; policyVersion: string }[] };
    expect(page.notices).toHaveLength(NOTICES + 1);
    expect(page.notices.filter((n) => n.language === 'ru' && n.policyVersion.length === 200)).toHaveLength(NOTICES + 1);
    expect((await fetch(`${cli.url}/healthz`)).status).toBe(200);
  });
});
