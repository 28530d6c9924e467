import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createCollector, listen, type RunningCollector } from '../src/server.js';
import { createSqliteDb, makeReceipt, post, type TestDb } from './helpers.js';

// Behaviour that does not depend on the store runs once, on SQLite.
describe('collector options', () => {
  let db: TestDb | undefined;
  let running: RunningCollector | undefined;
  afterEach(async () => {
    await running?.close();
    await db?.drop();
    running = undefined;
    db = undefined;
  });

  async function start(options: Parameters<typeof listen>[0] = {}) {
    db = await createSqliteDb();
    running = await listen({ db: db.db, port: 0, ...options });
    return running.url;
  }

  it('binds 127.0.0.1 on a free port when asked for port 0', async () => {
    const base = await start();
    expect(running!.host).toBe('127.0.0.1');
    expect(running!.port).toBeGreaterThan(0);
    expect(base).toBe(`http://127.0.0.1:${running!.port}`);
  });

  it('answers 429 with Retry-After past the per-address limit', async () => {
    const base = await start({ rateLimit: { max: 3, windowMs: 60_000 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(base, makeReceipt())).status);
    expect(statuses).toEqual([201, 201, 201]);
    const limited = await post(base, makeReceipt());
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toEqual({ error: 'too many requests' });
    expect(await db!.count()).toBe(3);
  });

  it('hides the operator routes when no admin token is configured', async () => {
    const base = await start();
    const response = await fetch(`${base}/receipts/export`, { headers: { authorization: 'Bearer anything' } });
    expect(response.status).toBe(404);
  });

  it('does not record the client address by default', async () => {
    const base = await start();
    await post(base, makeReceipt());
    expect(await db!.sql('SELECT client_ip FROM receipts')).toEqual([{ client_ip: null }]);
  });

  it('records a truncated client address when asked', async () => {
    const base = await start({ recordClientIp: true });
    await post(base, makeReceipt());
    expect(await db!.sql('SELECT client_ip FROM receipts')).toEqual([{ client_ip: '127.0.0.0' }]);
  });

  it('ignores X-Forwarded-For unless a proxy is trusted', async () => {
    const base = await start({ recordClientIp: true });
    await post(base, makeReceipt(), { 'x-forwarded-for': '198.51.100.23' });
    expect(await db!.sql('SELECT client_ip FROM receipts')).toEqual([{ client_ip: '127.0.0.0' }]);
  });

  // nginx's $proxy_add_x_forwarded_for appends the peer to whatever the client sent, so
  // everything left of the entry our proxy added is the client's own invention.
  it('records the entry the trusted proxy added, not one the client forged in front of it', async () => {
    const base = await start({ recordClientIp: true, trustProxy: true });
    await post(base, makeReceipt(), { 'x-forwarded-for': '192.0.2.66, 198.51.100.23' });
    expect(await db!.sql('SELECT client_ip FROM receipts')).toEqual([{ client_ip: '198.51.100.0' }]);
  });

  it('rate limits the proxied client however it varies a forged X-Forwarded-For', async () => {
    const base = await start({ trustProxy: true, rateLimit: { max: 2, windowMs: 60_000 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) {
      const forged = `192.0.2.${i}`;
      statuses.push((await post(base, makeReceipt(), { 'x-forwarded-for': `${forged}, 198.51.100.23` })).status);
    }
    expect(statuses).toEqual([201, 201, 429, 429]);
    // Another real client behind the same proxy still gets through.
    expect((await post(base, makeReceipt(), { 'x-forwarded-for': '198.51.100.99' })).status).toBe(201);
  });

  it('rate limits an IPv6 client by its /64, whichever address of it each request comes from', async () => {
    const base = await start({ trustProxy: true, rateLimit: { max: 2, windowMs: 60_000 } });
    const statuses = [];
    for (let i = 1; i <= 3; i++) {
      statuses.push((await post(base, makeReceipt(), { 'x-forwarded-for': `2001:db8:5:6::${i}` })).status);
    }
    expect(statuses).toEqual([201, 201, 429]);
    expect((await post(base, makeReceipt(), { 'x-forwarded-for': '2001:db8:5:7::1' })).status).toBe(201);
  });

  it('counts hops from the right with a hop count', async () => {
    const base = await start({ recordClientIp: true, trustProxy: 2 });
    await post(base, makeReceipt(), { 'x-forwarded-for': '192.0.2.66, 198.51.100.23, 10.0.0.1' });
    expect(await db!.sql('SELECT client_ip FROM receipts')).toEqual([{ client_ip: '198.51.100.0' }]);
  });

  it('skips only listed proxy addresses, and believes nothing from a peer not on the list', async () => {
    const base = await start({ recordClientIp: true, trustProxy: ['127.0.0.1', '10.0.0.1'] });
    await post(base, makeReceipt(), { 'x-forwarded-for': '192.0.2.66, 198.51.100.23, 10.0.0.1' });
    await running!.close();
    running = await listen({ db: db!.db, port: 0, recordClientIp: true, trustProxy: ['10.0.0.1'] });
    await post(running.url, makeReceipt(), { 'x-forwarded-for': '198.51.100.23, 10.0.0.1' });
    expect(await db!.sql('SELECT client_ip FROM receipts ORDER BY seq')).toEqual([
      { client_ip: '198.51.100.0' },
      { client_ip: '127.0.0.0' },
    ]);
  });

  it('mounts in an existing node:http server', async () => {
    db = await createSqliteDb();
    const collector = await createCollector({ db: db.db });
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/consent/')) {
        req.url = req.url.slice('/consent'.length);
        return collector.handler(req, res);
      }
      res.end('site');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await post(`${base}/consent`, makeReceipt())).status).toBe(201);
      expect(await (await fetch(base)).text()).toBe('site');
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await collector.close();
    }
  });
});
