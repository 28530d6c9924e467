import { createServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { consentCookieValue, readConsent } from '@paloma365/consent-core/server';
import { afterEach, describe, expect, it } from 'vitest';
import { selfSigned } from '../../../test/e2e/https.js';
import { createCollector, type ListenOptions, listen, type RunningCollector } from '../src/server.js';
import type { ReceiptV2 } from '../src/validate.js';
import { createSqliteDb, makeReceipt, post, stores, type TestDb } from './helpers.js';

const NOW = new Date('2026-11-24T19:00:05.000Z');
/** Expires 182 days after the decision, which was made 5 s before NOW. */
const makeV2 = (overrides: Partial<ReceiptV2> = {}): ReceiptV2 => ({
  ...makeReceipt(),
  version: 2,
  expiresAt: '2027-05-25T19:00:00.000Z',
  notice: null,
  ...overrides,
});
const MAX_AGE = (Date.parse('2027-05-25T19:00:00.000Z') - NOW.getTime()) / 1000;

/** The re-issued cookie's name=value and its attributes, split. */
const parse = (header: string | null) => {
  const [pair = '', ...attributes] = (header ?? '').split('; ');
  return { pair, attributes };
};

describe('re-issuing the consent cookie', () => {
  let db: TestDb | undefined;
  let running: RunningCollector | undefined;
  const warnings: string[] = [];
  afterEach(async () => {
    await running?.close();
    await db?.drop();
    running = undefined;
    db = undefined;
    warnings.length = 0;
  });

  async function start(options: ListenOptions = {}) {
    db = await createSqliteDb();
    running = await listen({ db: db.db, port: 0, now: () => NOW, onWarning: (m) => warnings.push(m), ...options });
    return running.url;
  }

  it('sets no cookie without the option', async () => {
    const response = await post(await start(), makeV2());
    expect(response.status).toBe(201);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('answers an accepted receipt with its decision as the consent cookie, Max-Age to its expiresAt', async () => {
    const base = await start({ consentCookie: 'paloma_consent' });
    const receipt = makeV2({ method: 'custom', categories: { necessary: true, analytics: false, functional: true } });
    const response = await post(base, receipt);
    expect(response.status).toBe(201);
    const { pair, attributes } = parse(response.headers.get('set-cookie'));
    expect(pair).toBe(`paloma_consent=${consentCookieValue(receipt)}`);
    expect(attributes).toEqual([`Max-Age=${MAX_AGE}`, 'Path=/', 'SameSite=Lax']);
    // What the SDK (and the server-side reader) make of it: the receipt's own decision.
    const { subjectId, policyVersion, timestamp, method, categories } = receipt;
    expect(readConsent(pair, { policyVersion })).toEqual({ subjectId, policyVersion, timestamp, method, categories });
  });

  it('re-issues it for a duplicate (200) too', async () => {
    const base = await start({ consentCookie: 'paloma_consent' });
    const receipt = makeV2();
    await post(base, receipt);
    const again = await post(base, receipt);
    expect(again.status).toBe(200);
    expect(parse(again.headers.get('set-cookie')).pair).toBe(`paloma_consent=${consentCookieValue(receipt)}`);
  });

  it('sets nothing on a refused receipt (400, 409, 415)', async () => {
    const base = await start({ consentCookie: 'paloma_consent' });
    const receipt = makeV2();
    const refused = [
      await post(base, { ...receipt, method: 'shrug' }),
      await post(base, 'not json'),
      await post(base, receipt, { 'idempotency-key': makeV2().receiptId }),
      await fetch(`${base}/receipts`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }),
    ];
    await post(base, receipt);
    refused.push(
      await post(base, {
        ...receipt,
        method: 'reject_all',
        categories: { necessary: true, analytics: false, functional: false },
      }),
    );
    expect(refused.map((r) => r.status)).toEqual([400, 400, 400, 415, 409]);
    for (const response of refused) expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('gives an expired receipt Max-Age=0, and a version 1 receipt (no expiresAt) no cookie', async () => {
    const base = await start({ consentCookie: 'paloma_consent' });
    const expired = await post(base, makeV2({ expiresAt: '2026-11-24T19:00:01.000Z' }));
    expect(parse(expired.headers.get('set-cookie')).attributes[0]).toBe('Max-Age=0');
    const v1 = await post(base, makeReceipt());
    expect(v1.status).toBe(201);
    expect(v1.headers.get('set-cookie')).toBeNull();
  });

  it('never echoes a cookie the request carried, and leaves a later decision in place', async () => {
    const base = await start({ consentCookie: 'paloma_consent' });
    const receipt = makeV2();
    const planted = consentCookieValue(makeV2({ timestamp: '2026-11-20T10:00:00.000Z', method: 'accept_all' }));
    const response = await post(base, receipt, { cookie: `paloma_consent=${planted}` });
    expect(parse(response.headers.get('set-cookie')).pair).toBe(`paloma_consent=${consentCookieValue(receipt)}`);
    // An older receipt delivered late (the outbox retries) after the visitor decided again.
    const later = consentCookieValue(makeV2({ subjectId: receipt.subjectId, timestamp: '2026-11-24T19:00:03.000Z' }));
    const late = await post(base, makeV2({ subjectId: receipt.subjectId }), { cookie: `paloma_consent=${later}` });
    expect(late.status).toBe(201);
    expect(late.headers.get('set-cookie')).toBeNull();
  });

  it('sets no plain-named cookie beside the __Host- one the SDK on https writes, and says to configure that name', async () => {
    const base = await start({ consentCookie: 'paloma_consent', trustProxy: true });
    const sdk = `__Host-paloma_consent=${consentCookieValue(makeV2())}`;
    for (let i = 0; i < 2; i++) {
      const response = await post(base, makeV2(), { cookie: sdk, 'x-forwarded-proto': 'https' });
      expect(response.status).toBe(201);
      expect(response.headers.get('set-cookie')).toBeNull();
    }
    expect(warnings).toEqual([expect.stringContaining('set consentCookie to __Host-paloma_consent')]);
  });

  it('names a Domain only when asked to', async () => {
    const base = await start({ consentCookie: 'paloma_consent', consentCookieDomain: 'paloma365.com' });
    const { attributes } = parse((await post(base, makeV2())).headers.get('set-cookie'));
    expect(attributes).toEqual([`Max-Age=${MAX_AGE}`, 'Path=/', 'Domain=paloma365.com', 'SameSite=Lax']);
  });

  it('adds Secure behind a trusted proxy that says https, never for a client that says it itself', async () => {
    const secure = async (options: ListenOptions, forwarded: string) => {
      const base = await start({ consentCookie: 'paloma_consent', ...options });
      const response = await post(base, makeV2(), { 'x-forwarded-proto': forwarded });
      const { attributes } = parse(response.headers.get('set-cookie'));
      await running!.close();
      running = undefined;
      await db!.drop();
      return attributes.includes('Secure');
    };
    expect(await secure({}, 'https')).toBe(false); // no proxy trusted: the client's own header
    expect(await secure({ trustProxy: ['192.0.2.1'] }, 'https')).toBe(false); // the peer is no listed proxy
    expect(await secure({ trustProxy: true }, 'https, http')).toBe(false); // our proxy says http
    expect(await secure({ trustProxy: true }, 'http, https')).toBe(true);
    expect(await secure({ trustProxy: ['127.0.0.1'] }, 'https')).toBe(true);
  });

  it('adds Secure over TLS, and sends a __Host- name only then (warning once over http)', async () => {
    db = await createSqliteDb();
    const collector = await createCollector({ db: db.db, consentCookie: '__Host-paloma_consent', now: () => NOW });
    const server = createServer(selfSigned(), collector.handler);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const { port } = server.address() as AddressInfo;
      const answer = await new Promise<string | undefined>((done, fail) => {
        const body = JSON.stringify(makeV2());
        const req = httpsRequest(
          { host: '127.0.0.1', port, path: '/receipts', method: 'POST', rejectUnauthorized: false },
          (res) => {
            res.resume();
            done(res.headers['set-cookie']?.[0]);
          },
        );
        req.on('error', fail);
        req.setHeader('content-type', 'application/json');
        req.end(body);
      });
      expect(parse(answer ?? null).attributes).toEqual([`Max-Age=${MAX_AGE}`, 'Path=/', 'SameSite=Lax', 'Secure']);
      expect(parse(answer ?? null).pair).toMatch(/^__Host-paloma_consent=1\./);
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
      await collector.close();
    }

    const base = await start({ consentCookie: '__Host-paloma_consent' });
    for (let i = 0; i < 2; i++) {
      const response = await post(base, makeV2());
      expect(response.status).toBe(201);
      expect(response.headers.get('set-cookie')).toBeNull();
    }
    expect(warnings).toEqual([expect.stringContaining('__Host-paloma_consent needs https')]);
  });

  it('warns at start that an admin token puts the console on the origin of the site and its scripts', async () => {
    await start({ consentCookie: 'paloma_consent' });
    expect(warnings).toEqual([]);
    await running!.close();
    running = await listen({
      db: db!.db,
      port: 0,
      consentCookie: 'paloma_consent',
      adminToken: 'a-long-random-admin-token',
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toEqual([expect.stringMatching(/\/admin\/.*site's origin.*sessionStorage/)]);
  });

  it('refuses at start a cookie no browser would take', async () => {
    db = await createSqliteDb();
    const open = (options: ListenOptions) => createCollector({ db: db!.db, ...options });
    await expect(open({ consentCookie: '__Host-c', consentCookieDomain: 'paloma365.com' })).rejects.toThrow(
      'cannot have a Domain',
    );
    await expect(open({ consentCookie: 'a b' })).rejects.toThrow('consentCookie must be a cookie name');
    await expect(open({ consentCookie: 'c', consentCookieDomain: 'x;y' })).rejects.toThrow('must be a domain name');
    await expect(open({ consentCookieDomain: 'paloma365.com' })).rejects.toThrow(
      'consentCookieDomain needs consentCookie',
    );
  });
});

describe.each(stores)('re-issuing the consent cookie on $kind', ({ create }) => {
  let db: TestDb | undefined;
  let running: RunningCollector | undefined;
  afterEach(async () => {
    await running?.close();
    await db?.drop();
  });

  it('sets the same cookie on 201 and on the duplicate 200, and none on the 409', async () => {
    db = await create();
    running = await listen({ db: db.db, port: 0, now: () => NOW, consentCookie: 'paloma_consent' });
    const receipt = makeV2();
    const expected = `paloma_consent=${consentCookieValue(receipt)}; Max-Age=${MAX_AGE}; Path=/; SameSite=Lax`;
    const first = await post(running.url, receipt);
    const again = await post(running.url, receipt);
    const conflict = await post(running.url, { ...receipt, method: 'custom' });
    expect([first.status, again.status, conflict.status]).toEqual([201, 200, 409]);
    expect([first, again, conflict].map((r) => r.headers.get('set-cookie'))).toEqual([expected, expected, null]);
    expect(await db.count()).toBe(1);
  });
});
