/** The operator console's files at `/admin/`: headers, exact names only, nothing without an admin token. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_HEADERS } from '../src/console.js';
import { listen, type RunningCollector } from '../src/server.js';

const TOKEN = 'console-test-token';
const dir = mkdtempSync(join(tmpdir(), 'collector-console-'));
const consoleDir = join(dir, 'console');
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Sends a request line as written (no client-side normalisation of `..`) and returns status and body. */
function rawGet(base: string, target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () =>
      socket.write(`GET ${target} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`),
    );
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('close', () =>
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0),
        body: answer.split('\r\n\r\n')[1] ?? '',
      }),
    );
    socket.on('error', reject);
  });
}

let withToken: RunningCollector;
let withoutToken: RunningCollector;

beforeAll(async () => {
  mkdirSync(consoleDir);
  writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(consoleDir, 'console.js'), 'console-script');
  writeFileSync(join(consoleDir, 'console.css'), 'console-style');
  writeFileSync(join(consoleDir, 'secret.txt'), 'SECRET-IN-FOLDER');
  writeFileSync(join(dir, 'secret.txt'), 'SECRET-ABOVE');
  const common = { port: 0, db: join(dir, 'receipts.sqlite'), consoleDir, rateLimit: false as const };
  withToken = await listen({ ...common, adminToken: TOKEN });
  withoutToken = await listen({ ...common, port: 0, db: join(dir, 'other.sqlite') });
});

afterAll(async () => {
  await withToken?.close();
  await withoutToken?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the console at /admin/', () => {
  it('redirects /admin to /admin/, so the page’s relative asset URLs resolve in its folder', async () => {
    const response = await fetch(`${withToken.url}/admin`, { redirect: 'manual' });
    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe('/admin/');
    expect(response.headers.get('content-security-policy')).toBe(CSP);
  });

  it('serves index.html at /admin/ with the strict headers and no-store', async () => {
    const response = await fetch(`${withToken.url}/admin/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('<!doctype html><title>console</title>');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CSP);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(CONSOLE_HEADERS['Content-Security-Policy']).toBe(CSP);
  });

  it('serves the script and the stylesheet by their exact names, with their types', async () => {
    const script = await fetch(`${withToken.url}/admin/console.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console-script');
    const style = await fetch(`${withToken.url}/admin/console.css`);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(style.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await style.text()).toBe('console-style');
  });

  it('answers HEAD without a body, and refuses other methods', async () => {
    const head = await fetch(`${withToken.url}/admin/console.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${withToken.url}/admin/`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(post.headers.get('content-security-policy')).toBe(CSP);
  });

  it.each([
    '/admin/secret.txt',
    '/admin/../secret.txt',
    '/admin/..%2fsecret.txt',
    '/admin/%2e%2e/secret.txt',
    '/admin/console/../secret.txt',
    '/admin//secret.txt',
    '/admin/console.js/',
    '/admin/./console.js/../../secret.txt',
    '/admin/index.html%00.js',
    '/admin/constructor',
    '/admin/__proto__',
  ])('refuses %s: only the console’s own names are ever read', async (target) => {
    const { status, body } = await rawGet(withToken.url, target);
    expect(status).not.toBe(200);
    expect(body).not.toContain('SECRET');
  });

  it('does not exist without an admin token', async () => {
    for (const path of ['/admin', '/admin/', '/admin/console.js', '/admin/console.css']) {
      const response = await fetch(`${withoutToken.url}${path}`, { redirect: 'manual' });
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-security-policy'), path).toBe(CSP);
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(await response.text()).not.toContain('console-script');
    }
  });

  it('says the console is not built when its files are missing', async () => {
    const empty = await listen({
      port: 0,
      db: join(dir, 'empty.sqlite'),
      consoleDir: join(dir, 'none'),
      adminToken: TOKEN,
    });
    try {
      const response = await fetch(`${empty.url}/admin/`);
      expect(response.status).toBe(404);
      expect(await response.text()).toMatch(/not built/);
    } finally {
      await empty.close();
    }
  });

  it('lets the console call the operator routes from the collector’s own origin, and no other origin', async () => {
    const subject = '00000000-0000-4000-8000-000000000000';
    const call = (origin: string) =>
      fetch(`${withToken.url}/subjects/${subject}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${TOKEN}`, origin },
      });
    expect((await call(withToken.url)).status).toBe(200);
    expect((await call('http://evil.example')).status).toBe(403);
    // Receipts keep the allow-list: the console never posts them.
    const receipt = await fetch(`${withToken.url}/receipts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: withToken.url },
      body: '{}',
    });
    expect(receipt.status).toBe(403);
  });
});
