#!/usr/bin/env node
/**
 * Server-side rendering with the consent cookie: a small `node:http` server that reads the
 * visitor's decision from the request's `Cookie` header with `readConsent()` and
 *
 * - leaves the tags of a refused category out of the HTML (nothing to download, nothing to
 *   inspect), and renders the others as gated `type="text/plain" data-category` tags: the
 *   SDK in the browser stays the one that decides what runs, the server only leaves out;
 * - marks the page `data-consent="decided"` or `"undecided"` on `<html>`, so its CSS can keep
 *   room for the banner for undecided visitors only (no banner flash, no shift for the others);
 * - answers `Vary: Cookie` and `Cache-Control: private`: the page differs per visitor and must
 *   never be served from a shared cache to another one.
 *
 * Build first, then run it from the repository root:
 *
 *   npm run build && node examples/ssr-node/server.mjs    # http://127.0.0.1:3000 (PORT=… for another)
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { readConsent } from '@paloma365/consent-core/server';

const POLICY_VERSION = '2024-01-01';
const DIST = new URL('../../packages/consent/dist/', import.meta.url);

/** What a category's tags are, as the site would render them; `chat` needs the functional category. */
const TAGS = {
  analytics: '<script type="text/plain" data-category="analytics" src="/analytics.js"></script>',
  functional: '<script type="text/plain" data-category="functional" src="/chat.js"></script>',
};

/** Stubs in place of the real third-party scripts: they record that they ran, and set a cookie. */
const STUBS = {
  '/analytics.js': "window.ran = (window.ran || []).concat('analytics'); document.cookie = '_ga=GA1.1.1; path=/';",
  '/chat.js': "window.ran = (window.ran || []).concat('chat');",
};

const escapeJson = (value) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The page for a visitor's decision (`null`: undecided, every tag gated and waiting for consent). */
export function renderPage(decision) {
  const tags = Object.entries(TAGS)
    .filter(([category]) => decision === null || decision.categories[category] === true)
    .map(([, tag]) => tag)
    .join('\n');
  return `<!doctype html>
<html lang="en" data-consent="${decision ? 'decided' : 'undecided'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Paloma Consent: server-side rendering</title>
<script type="application/json" id="paloma-consent-config">${escapeJson({ policyVersion: POLICY_VERSION, endpoint: '/api/consent-receipts' })}</script>
<script src="/consent.min.js" defer></script>
<style>html[data-consent="undecided"] body { padding-bottom: 8rem; }</style>
</head>
<body>
<main>
  <h1>Server-side rendering</h1>
  <p>This page was rendered for a visitor who is <strong>${decision ? `decided (${decision.method})` : 'undecided'}</strong>.</p>
  <p><a href="#" data-consent-open>Cookie settings</a></p>
</main>
${tags}
</body>
</html>`;
}

async function handle(request, response) {
  const { pathname } = new URL(request.url ?? '/', 'http://localhost');
  if (request.method === 'POST' && pathname === '/api/consent-receipts') {
    // A stand-in: a real site keeps receipts, e.g. with @paloma365/consent-collector.
    request.resume();
    return response.writeHead(201, { 'Content-Type': 'application/json' }).end('{"ok":true}');
  }
  if (pathname === '/') {
    const decision = readConsent(request.headers.cookie, { policyVersion: POLICY_VERSION });
    response.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'private, no-cache',
      Vary: 'Cookie',
    });
    return response.end(renderPage(decision));
  }
  if (STUBS[pathname]) {
    return response.writeHead(200, { 'Content-Type': 'text/javascript' }).end(STUBS[pathname]);
  }
  // The SDK's files (the engine and the UI file(s) it loads), by plain file name only.
  if (/^\/[\w.-]+\.js$/.test(pathname)) {
    try {
      const body = await readFile(new URL(`.${pathname}`, DIST));
      return response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(body);
    } catch {}
  }
  response.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
}

export const createSsrServer = () =>
  createServer((request, response) => {
    handle(request, response).catch(() => response.writeHead(500).end());
  });

if (import.meta.url === new URL(process.argv[1] ?? '', 'file:').href) {
  const server = createSsrServer();
  server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${server.address().port}`);
  });
}
