/**
 * The collector on the site's own origin re-issues the consent cookie (design §3.9), in real Chromium.
 * One server per scheme serves the page, the built SDK and the collector's handler mounted at
 * `/consent/receipts`, as a site would behind one host. Chromium keeps a cookie written by script as
 * long as it asks; Safari caps it at 7 days, so the page's `document.cookie` is capped the same way
 * here (an init script): the long-lived cookie the browser ends up with can only be the server's.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readConsent } from '@paloma365/consent-core/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collector, createCollector } from '../../packages/collector/src/server.js';
import { consentUI, decision, POLICY, settle, testPage } from './consent.js';
import { useE2E } from './harness.js';
import { selfSigned } from './https.js';
import { DIST } from './server.js';

const t = useE2E();
const HOST = 'www.paloma.test';
const MOUNT = '/consent/receipts';
const DAY = 86_400_000;
/** What Safari does to a cookie written by script: an expiry past 7 days is cut to 7 days. */
const SAFARI_CAP = `(() => {
  const jar = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true,
    get() { return jar.get.call(this); },
    set(value) {
      const cap = Date.now() + 7 * ${DAY};
      const expires = /;\\s*expires=([^;]*)/i.exec(value);
      if (expires && Date.parse(expires[1]) > cap) value = value.replace(expires[0], '; expires=' + new Date(cap).toUTCString());
      jar.set.call(this, value);
    },
  });
})();`;

interface Site {
  origin: string;
  collector: Collector;
  close(): Promise<void>;
}

const dir = mkdtempSync(join(tmpdir(), 'cookie-reissue-'));
const sites: Partial<Record<'http' | 'https', Site>> = {};

/** The page, the SDK's files, and the collector at `/consent/receipts` (the prefix stripped, as a proxy would). */
async function startSite(scheme: 'http' | 'https', consentCookie: string, allowOrigins?: string[]): Promise<Site> {
  let collector: Collector | undefined;
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    if (path === MOUNT && collector) {
      req.url = '/receipts';
      return collector.handler(req, res);
    }
    const file = join(DIST, basename(path));
    if (path !== '/' && !existsSync(file)) return res.writeHead(404).end();
    const body = path === '/' ? testPage({ config: { policyVersion: POLICY, endpoint: MOUNT } }) : readFileSync(file);
    res.writeHead(200, { 'Content-Type': path === '/' ? 'text/html; charset=utf-8' : 'text/javascript' });
    res.end(body);
  };
  const server = scheme === 'https' ? createHttpsServer(selfSigned(), handle) : createHttpServer(handle);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const origin = `${scheme}://${HOST}:${(server.address() as AddressInfo).port}`;
  collector = await createCollector({
    db: join(dir, `${scheme}.sqlite`),
    allowOrigins: allowOrigins ?? [origin],
    consentCookie,
    rateLimit: false,
  });
  const running = collector;
  return {
    origin,
    collector: running,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await running.close();
    },
  };
}

beforeAll(async () => {
  sites.http = await startSite('http', 'paloma_consent');
  sites.https = await startSite('https', '__Host-paloma_consent');
});
afterAll(async () => {
  await Promise.all(Object.values(sites).map((site) => site.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe.each([
  { scheme: 'http' as const, name: 'paloma_consent', secure: false },
  { scheme: 'https' as const, name: '__Host-paloma_consent', secure: true },
])('the collector on the page’s own origin, over $scheme', ({ scheme, name, secure }) => {
  const open = async (page: Page) => {
    await page.goto(`${sites[scheme]!.origin}/`);
    await page.waitForFunction(() => window.PalomaConsent);
  };

  it(`re-issues ${name} for as long as the receipt says, and a new page reads it as the same decision`, async () => {
    await t.newContext({ ignoreHTTPSErrors: true });
    await t.context.addInitScript(SAFARI_CAP);
    await open(t.page);
    const answered = t.page.waitForResponse((r) => r.url().endsWith(MOUNT) && r.request().method() === 'POST');
    await consentUI(t.page).bannerButton('Accept all').click();
    const response = await answered;
    expect(response.status()).toBe(201);
    const issued = /^([^=]+)=([^;]+);/.exec((await response.headerValue('set-cookie')) ?? '');
    expect(issued?.[1]).toBe(name);
    const accepted = await decision(t.page);
    expect(accepted).toMatchObject({ method: 'accept_all' });

    const [receipt] = await sites[scheme]!.collector.store.bySubject(accepted!.subjectId);
    const expires = Date.parse(receipt!.version === 2 ? receipt!.expiresAt : '') / 1000;
    const jar = async () => (await t.context.cookies()).find((c) => c.name === name);
    // The server's cookie (Max-Age to expiresAt, 182 days), where the script's was cut to 7 days.
    await expect
      .poll(async () => (await jar())?.expires, { timeout: 5000 })
      .toBeGreaterThan(Date.now() / 1000 + 100 * 86_400);
    const cookie = await jar();
    expect(cookie).toMatchObject({ httpOnly: false, sameSite: 'Lax', secure, path: '/', domain: HOST });
    expect(Math.abs(cookie!.expires - expires)).toBeLessThan(5);
    expect(cookie!.value).toBe(issued?.[2]);
    expect(readConsent(`${name}=${cookie!.value}`, { policyVersion: POLICY })).toEqual(accepted);
    expect((await t.context.cookies()).filter((c) => c.name.includes('paloma_consent'))).toHaveLength(1);

    const fresh = await t.context.newPage();
    await open(fresh);
    expect(await decision(fresh)).toEqual(accepted);
    await settle(fresh);
    expect(await consentUI(fresh).banner.count()).toBe(0);
    expect(await sites[scheme]!.collector.store.bySubject(accepted!.subjectId)).toHaveLength(1);
  });
});

describe('a page of another site', () => {
  it('cannot plant a consent cookie through the collector, not even one that allows any origin', async () => {
    const site = await startSite('http', 'paloma_consent', ['*']);
    const attacker = createHttpServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<p>hi</p>'));
    await new Promise<void>((done) => attacker.listen(0, '127.0.0.1', done));
    try {
      // A real receipt of the site, taken by a visitor in another context, under new ids.
      await t.newContext();
      await t.page.goto(`${site.origin}/`);
      await t.page.waitForFunction(() => window.PalomaConsent);
      const answered = t.page.waitForResponse((r) => r.url().endsWith(MOUNT) && r.request().method() === 'POST');
      await consentUI(t.page).bannerButton('Accept all').click();
      expect((await answered).status()).toBe(201);
      const [stored] = await site.collector.store.bySubject((await decision(t.page))!.subjectId);
      const { receivedAt: _r, clientIp: _c, prevHash: _p, hash: _h, ...receipt } = stored!;
      const forge = () => ({ ...receipt, receiptId: randomUUID(), subjectId: randomUUID() });
      const url = `${site.origin}${MOUNT}`;
      // Posted by a server, such a receipt gets the cookie: only the browser's rules can stop the page.
      const control = await fetch(url.replace(HOST, '127.0.0.1'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(forge()),
      });
      expect(control.status).toBe(201);
      expect(control.headers.get('set-cookie')).toMatch(/^paloma_consent=/);

      await t.newContext();
      await t.page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
      const attempts = { cors: forge(), corsOmit: forge(), noCors: forge(), form: forge() };
      const outcomes = await t.page.evaluate(
        async ({ url, attempts }) => {
          const send = (body: unknown, init: RequestInit) =>
            fetch(url, { method: 'POST', body: JSON.stringify(body), ...init }).then(
              (r) => r.status,
              () => 'blocked',
            );
          const json = { 'Content-Type': 'application/json' };
          const result = {
            cors: await send(attempts.cors, { mode: 'cors', credentials: 'include', headers: json }),
            corsOmit: await send(attempts.corsOmit, { mode: 'cors', credentials: 'omit', headers: json }),
            noCors: await send(attempts.noCors, {
              mode: 'no-cors',
              credentials: 'include',
              headers: { 'Content-Type': 'text/plain' },
            }),
          };
          // A form is a top-level-like POST that carries cookies; its body can only be one of three types.
          const frame = document.body.appendChild(Object.assign(document.createElement('iframe'), { name: 'f' }));
          const form = Object.assign(document.createElement('form'), { method: 'POST', action: url, target: 'f' });
          form.enctype = 'text/plain';
          const field = Object.assign(document.createElement('input'), {
            name: JSON.stringify(attempts.form).slice(0, -1),
            value: '}',
          });
          form.append(field);
          document.body.append(form);
          await new Promise((done) => {
            frame.onload = done;
            form.submit();
          });
          return result;
        },
        { url, attempts },
      );
      // The credentialed one never leaves the preflight (no Access-Control-Allow-Credentials); the text/plain ones get 415.
      expect(outcomes).toEqual({ cors: 'blocked', corsOmit: 201, noCors: 0 });
      const count = async (body: { subjectId: string }) =>
        (await site.collector.store.bySubject(body.subjectId)).length;
      expect([
        await count(attempts.cors),
        await count(attempts.corsOmit),
        await count(attempts.noCors),
        await count(attempts.form),
      ]).toEqual([0, 1, 0, 0]);
      // The one receipt that got in was answered with Set-Cookie, which a request without credentials may not store.
      expect((await t.context.cookies()).filter((c) => c.name.includes('paloma_consent'))).toEqual([]);
    } finally {
      attacker.closeAllConnections();
      await new Promise<void>((done) => attacker.close(() => done()));
      await site.close();
    }
  });
});
