/** `npm start`: the demo site in three languages, the stored receipts as a page, and its start-up messages. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentUI } from './consent.js';
import { useE2E } from './harness.js';
import { ROOT } from './server.js';

const t = useE2E();

const freePort = () =>
  new Promise<number>((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });

/** Runs the demo; resolves with everything it printed once `until` shows up, or once it exits. */
const startDemo = (port: number, until: string) => {
  const child = spawn(process.execPath, [join(ROOT, 'scripts/demo.mjs')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: mkdtempSync(join(tmpdir(), 'paloma-demo-')) },
  });
  let out = '';
  const printed = new Promise<string>((done) => {
    const take = (chunk: Buffer) => {
      out += chunk;
      if (out.includes(until)) done(out);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', () => done(out));
  });
  return { child, printed };
};

let demo: ChildProcess | undefined;
let base = '';
let startup = '';

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const started = startDemo(port, `${base}/receipts`);
  demo = started.child;
  startup = await started.printed;
}, 90_000);

afterAll(() => {
  demo?.kill('SIGTERM');
});

describe('the demo', () => {
  it('speaks Kazakh on its Kazakh page, and shows the stored receipt on a page a person can read', async () => {
    await t.page.goto(`${base}/kk.html`);
    const ui = consentUI(t.page);
    const answered = t.page.waitForResponse((r) => r.request().method() === 'POST');
    await ui.bannerButton('Барлығын қабылдау').click();
    // The collector is on the demo's own origin: it re-issues the consent cookie.
    expect(await (await answered).headerValue('set-cookie')).toMatch(/^paloma_consent=1\..*; SameSite=Lax$/);
    await expect
      .poll(async () => (await (await fetch(`${base}/api/receipts.ndjson`)).text()).trim().split('\n').length)
      .toBe(1);
    await t.page.goto(`${base}/receipts`);
    await expect.poll(() => t.page.locator('td').allTextContents()).toContain('accept_all');
    expect(await t.page.locator('h1').textContent()).toContain('Stored receipts (1');
    expect(await t.page.locator('td').allTextContents()).toContain('kk');
  });

  it('redirects /npm to /npm/', async () => {
    const response = await fetch(`${base}/npm`, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe('/npm/');
  });

  it('serves the operator console on an origin of its own, with the token it printed', async () => {
    const [, consoleUrl, token] =
      /operator console\s+(http:\S+\/admin\/)\s+\(token ([0-9a-f]{32})\)/.exec(startup) ?? [];
    expect(consoleUrl).toBe(`http://127.0.0.1:${Number(new URL(base).port) + 1}/admin/`);
    const page = await fetch(consoleUrl!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const origin = new URL(consoleUrl!).origin;
    expect((await fetch(`${origin}/notices`)).status).toBe(401);
    const notices = await fetch(`${origin}/notices`, { headers: { Authorization: `Bearer ${token}` } });
    expect(notices.status).toBe(200);
    // The site forwards only the receipt routes: no console and no operator route on its origin.
    expect((await fetch(`${base}/admin/`)).status).toBe(404);
    expect((await fetch(`${base}/notices`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(404);
    // The warning about a console on the site's origin does not apply here, and is not printed.
    expect(startup).not.toContain('/admin/ shares');
  });

  it('says in one line that its port is in use, without a stack trace', async () => {
    const second = startDemo(Number(new URL(base).port), 'in use');
    const printed = await second.printed;
    expect(printed).toMatch(/Port \d+ is in use: .*PORT=\d+ npm start/);
    expect(printed).not.toMatch(/\n\s+at /);
    second.child.kill();
  });
});
