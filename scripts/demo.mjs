#!/usr/bin/env node
// `npm start`: builds what is missing, then serves the script-tag example on
// http://127.0.0.1:8080 (PORT to change it) with the receipt collector mounted at
// /api/consent-receipts (SQLite under .data/, or DATA_DIR), and the collector's operator console
// on its own origin, the next port (CONSOLE_PORT to change it). Loopback only. Ctrl+C stops it.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bundle = join(root, 'packages/consent/dist/consent.min.js');
const collectorEntry = join(root, 'packages/collector/dist/index.js');
const npmExample = join(root, 'examples/npm-vite/dist');
const run = (...args) => spawnSync('npm', args, { cwd: root, stdio: 'inherit' }).status === 0 || process.exit(1);
const rebuild = process.argv.includes('--build');
if (rebuild || !existsSync(bundle) || !existsSync(collectorEntry)) run('run', 'build', '--silent');
if (rebuild || !existsSync(npmExample)) run('run', 'example:npm', '--silent');

const { createCollector } = await import(collectorEntry);
const port = Number(process.env.PORT ?? 8080);
const base = `http://127.0.0.1:${port}`;
// DATA_DIR: where the SQLite file goes (the tests give each run a folder of its own).
const dataDir = process.env.DATA_DIR ?? join(root, '.data');
mkdirSync(dataDir, { recursive: true });
const db = join(dataDir, 'receipts.sqlite');
// A fresh token per run, printed for the console; it never leaves this machine.
const adminToken = randomBytes(16).toString('hex');
const consolePort = Number(process.env.CONSOLE_PORT ?? port + 1);
// Browsers send Origin with every POST, same-origin ones too: the site's own origin must be allowed.
// Mounted on the site's own origin, it also re-issues the consent cookie (plain name: the demo is http).
const collector = await createCollector({
  db,
  adminToken,
  allowOrigins: [base],
  rateLimit: false,
  consentCookie: 'paloma_consent',
  // That warning is for a console on the site's origin; here the site forwards only the receipt
  // routes, and the console has an origin of its own (the next port).
  onWarning: (message) => message.includes('/admin/') || console.warn(`consent-collector: warning: ${message}`),
});

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};
const site = join(root, 'examples/script-tag');

/** The script-tag files: the engine and the UI file of each language, which the engine fetches beside itself. */
const SDK_FILE = /^\/(consent\.min\.js|consent-ui\.[a-z]+\.[\w-]+\.min\.js)$/;

/** The script-tag example at /, the Vite build at /npm/, the SDK's files beside the pages; nothing else. */
function serveFile(pathname, res) {
  const [folder, path] = SDK_FILE.test(pathname)
    ? [dirname(bundle), pathname]
    : pathname.startsWith('/npm/')
      ? [npmExample, pathname.slice(4)]
      : [site, pathname];
  const file = normalize(join(folder, path.endsWith('/') ? `${path}index.html` : path));
  if (!file.startsWith(folder)) return false;
  if (!existsSync(file) || !extname(file)) return false;
  res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
  res.end(readFileSync(file));
  return true;
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  // The collector is mounted in this server: its routes are /receipts, /subjects/…, /receipts/export.
  if (url.pathname === '/api/consent-receipts') {
    req.url = '/receipts';
    return collector.handler(req, res);
  }
  if (url.pathname === '/api/receipts.ndjson') {
    req.url = '/receipts/export';
    req.headers.authorization = `Bearer ${adminToken}`;
    return collector.handler(req, res);
  }
  if (url.pathname === '/receipts') return receiptsPage(res);
  if (url.pathname === '/npm') return res.writeHead(301, { Location: '/npm/' }).end();
  if (req.method === 'GET' && serveFile(decodeURIComponent(url.pathname), res)) return;
  res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
});

const html = (text) =>
  String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** The stored receipts as a page a person can read (the export itself is NDJSON, which a browser downloads). */
async function receiptsPage(res) {
  const response = await fetch(`${base}/api/receipts.ndjson`);
  const receipts = (await response.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .reverse();
  const rows = receipts.map((r) => {
    const allowed = Object.entries(r.categories ?? {})
      .filter(([, on]) => on)
      .map(([id]) => id)
      .join(', ');
    return `<tr><td>${html(r.timestamp)}</td><td>${html(r.method)}</td><td>${html(allowed)}</td><td>${html(r.language)}</td><td>${html(r.page)}</td><td><code>${html(r.subjectId)}</code></td></tr>`;
  });
  res.writeHead(200, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
  });
  res.end(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Stored receipts</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.4em .8em;text-align:left}</style>
<h1>Stored receipts (${receipts.length}, newest first)</h1>
<p>From the collector's SQLite file; <a href="/api/receipts.ndjson">as NDJSON</a>.</p>
<table><tr><th>time</th><th>method</th><th>allowed</th><th>language</th><th>page</th><th>consent id</th></tr>${rows.join('')}</table>`);
}

server.on('error', (error) => {
  if (error.code !== 'EADDRINUSE') throw error;
  console.error(`Port ${port} is in use: stop what runs there, or pick another one: PORT=${port + 1} npm start`);
  process.exit(1);
});

// The whole collector, console and operator API included, on an origin of its own, as in production.
const consoleServer = createServer(collector.handler);
let consoleLine = `  operator console     http://127.0.0.1:${consolePort}/admin/  (token ${adminToken})`;
consoleServer.on('error', (error) => {
  if (error.code !== 'EADDRINUSE') throw error;
  consoleLine = `  operator console     not started: port ${consolePort} is in use (CONSOLE_PORT to pick another)`;
});
await new Promise((done) => {
  consoleServer.once('listening', done).once('error', done);
  consoleServer.listen(consolePort, '127.0.0.1');
});

server.listen(port, '127.0.0.1', () => {
  console.log(`
Paloma Consent demo
  site (English)       ${base}/
  site (Russian)       ${base}/ru.html
  site (Kazakh)        ${base}/kk.html
  npm + Vite example   ${base}/npm/
  stored receipts      ${base}/receipts  (NDJSON: ${base}/api/receipts.ndjson)
  receipts stored in   ${db} (SQLite)
${consoleLine}

Click through the banner, then open the receipts link. Ctrl+C stops the demo.`);
});

const stop = async () => {
  server.close();
  consoleServer.close();
  await collector.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
