import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listen, type RunningCollector } from '../src/server.js';
import {
  buildOnce,
  type CliProcess,
  createSqliteDb,
  makeReceipt,
  post,
  startCli,
  stores,
  type TestDb,
} from './helpers.js';

const TOKEN = 'test-admin-token';
const admin = { authorization: `Bearer ${TOKEN}` };

/** Sends `text` as is on a fresh connection and resolves with the status line's code. */
function raw(base: string, text: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

/** Resolves with how long the server took to close `socket`, or rejects after `limitMs`. */
function closedWithin(socket: Socket, limitMs: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${limitMs} ms`)), limitMs);
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

describe.each(stores)('client mistakes on $kind (the CLI)', ({ create }) => {
  let db: TestDb;
  let cli: CliProcess;
  beforeAll(async () => {
    buildOnce();
    db = await create();
    cli = await startCli(['--db', db.db, '--admin-token', TOKEN, '--allow-origin', 'https://paloma365.com']);
  });
  afterAll(async () => {
    await cli?.stop();
    await db?.drop();
  });

  it('answers 4xx, never 503, and logs no stack trace', async () => {
    // Not a URL with host "[": a path that names no route.
    expect(await raw(cli.url, 'GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe(404);
    expect(await raw(cli.url, 'GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toBe(400);
    const purge = await fetch(`${cli.url}/purge?olderThanDays=99999999999999`, { method: 'POST', headers: admin });
    expect(purge.status).toBe(400);
    expect((await fetch(`${cli.url}/subjects/%00/receipts`, { headers: admin })).status).toBe(400);
    expect((await fetch(`${cli.url}/subjects/ab%00cd`, { method: 'DELETE', headers: admin })).status).toBe(400);
    const notUuid = await fetch(`${cli.url}/subjects/not-a-uuid`, { method: 'DELETE', headers: admin });
    expect(notUuid.status).toBe(400);
    expect(await notUuid.json()).toEqual({ error: 'the subject id must be a lower-case UUID' });
    // The server still works, and wrote nothing but its start-up lines.
    expect((await post(cli.url, makeReceipt())).status).toBe(201);
    expect(cli.output()).not.toMatch(/\n\s+at /);
    expect(cli.output()).not.toMatch(/Error/);
  });
});

describe('HTTP hygiene', () => {
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

  it('lets a cross-origin script read Retry-After', async () => {
    const base = await start({ allowOrigins: ['https://paloma365.com'], rateLimit: { max: 1, windowMs: 60_000 } });
    const origin = { origin: 'https://paloma365.com' };
    const first = await post(base, makeReceipt(), origin);
    expect(first.headers.get('access-control-expose-headers')).toBe('Retry-After');
    const limited = await post(base, makeReceipt(), origin);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('access-control-expose-headers')).toBe('Retry-After');
  });

  it('cuts off slow headers and slow bodies within seconds (defaults)', async () => {
    const base = await start();
    const { port } = new URL(base);
    const slowHeaders = connect(Number(port), '127.0.0.1', () => slowHeaders.write('POST /receipts HTTP/1.1\r\n'));
    const drip = setInterval(() => slowHeaders.write('X-Slow: 1\r\n'), 500);
    const slowBody = connect(Number(port), '127.0.0.1', () =>
      slowBody.write(
        'POST /receipts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 900\r\n\r\n{',
      ),
    );
    const dripBody = setInterval(() => slowBody.write(' '), 500);
    try {
      const [headers, body] = await Promise.all([closedWithin(slowHeaders, 8_000), closedWithin(slowBody, 13_000)]);
      expect(headers).toBeLessThan(7_000);
      expect(body).toBeLessThan(12_000);
    } finally {
      clearInterval(drip);
      clearInterval(dripBody);
      slowHeaders.destroy();
      slowBody.destroy();
    }
  }, 20_000);

  it('closes connections over the cap as they arrive, and serves the others', async () => {
    const base = await start({ maxConnections: 2 });
    const { port } = new URL(base);
    const open = () =>
      new Promise<Socket>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
      });
    const held = [await open(), await open()];
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const third = await open();
      expect(await closedWithin(third, 2_000)).toBeLessThan(2_000);
      held[0]!.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await post(base, makeReceipt())).status).toBe(201);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  it('serves many exports on one keep-alive socket without piling up listeners', async () => {
    const base = await start({ adminToken: TOKEN });
    await post(base, makeReceipt());
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<Socket>();
    try {
      for (let i = 0; i < 15; i++) {
        const text = await new Promise<string>((resolve, reject) => {
          const req = request(`${base}/receipts/export`, { agent, headers: admin }, (res) => {
            let body = '';
            res.on('data', (chunk) => {
              body += chunk;
            });
            res.on('end', () => resolve(body));
          });
          req.on('socket', (socket) => sockets.add(socket as Socket));
          req.on('error', reject);
          req.end();
        });
        expect(text.trim().split('\n')).toHaveLength(1);
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(sockets.size).toBe(1);
      expect(warnings.map((warning) => warning.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
      agent.destroy();
    }
  });
});
