#!/usr/bin/env node
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { parseHeads } from './evidence.js';
import type { TrustProxy } from './net.js';
import { isPostgresUrl, openStore } from './open-store.js';
import { listen } from './server.js';

const USAGE = `Usage:
  consent-collector [--port 8787] [--host 127.0.0.1] [--db ./receipts.sqlite]
                    [--allow-origin https://example.com ...] [--admin-token TOKEN]
                    [--record-ip] [--trust-proxy | --trust-proxy-hops N | --trusted-proxy ADDR ...]
                    [--rate-limit 120] [--max-connections 1000] [--chain-key KEY]
                    [--consent-cookie NAME [--consent-cookie-domain DOMAIN]]
                    [--max-notices-per-day 1000] [--max-notices-per-network 20]
  consent-collector verify --db ./receipts.sqlite|postgres://... [--chain-key KEY]
                    [--save-heads FILE] [--against FILE]
  consent-collector --version

Every flag can come from the environment instead: CONSENT_COLLECTOR_PORT, _HOST, _DB,
_ALLOW_ORIGIN (comma-separated), _ADMIN_TOKEN, _RECORD_IP=1, _RATE_LIMIT, _MAX_CONNECTIONS,
_TRUST_PROXY (1 for one proxy, a hop count, or comma-separated proxy addresses), _CHAIN_KEY,
_CONSENT_COOKIE, _CONSENT_COOKIE_DOMAIN, _MAX_NOTICES_PER_DAY, _MAX_NOTICES_PER_NETWORK.
--rate-limit is requests per minute per address; 0 turns it off.
--max-notices-per-day: distinct new notices stored per UTC day; past it a receipt on a new
notice gets 429 until the next UTC day and nothing is stored; 0 turns the cap off.
--max-notices-per-network: each client network's (IPv4 /24, IPv6 /48) share of them, counted
per instance in memory; past it that network's receipts on new notices get the same 429,
receipts on known notices are still stored; 0 turns the share off.
--trust-proxy: one proxy of yours in front; the client is the right-most X-Forwarded-For
entry. --trust-proxy-hops N: N proxies in a row. --trusted-proxy ADDR: your proxies' addresses.
The chain key (at least 32 characters) is best given as CONSENT_COLLECTOR_CHAIN_KEY: a flag
shows in the process list. verify --save-heads writes every chain's head to FILE; verify
--against FILE reports receipts and chains deleted since, unless an erasure or purge was logged.
--consent-cookie NAME: for a collector on the site's own origin (e.g. /consent/receipts), answer
each accepted receipt with the consent cookie NAME (the SDK's cookie.name, __Host- prefixed on
https: __Host-paloma_consent), so it lasts until the receipt's expiresAt where browsers cap
cookies written by script (Safari: 7 days). Max-Age to expiresAt, Path=/, SameSite=Lax, Secure on
https (or behind a trusted proxy sending X-Forwarded-Proto: https), never HttpOnly; a __Host- name
is sent over https only. --consent-cookie-domain: only if the SDK's cookie.domain sets one.`;

const env = (name: string): string | undefined => process.env[`CONSENT_COLLECTOR_${name}`] || undefined;
const flag = (value: boolean | undefined, name: string): boolean =>
  value ?? ['1', 'true', 'yes'].includes((env(name) ?? '').toLowerCase());

/** Whole numbers only, so `--port 80abc` is an error rather than port 80. */
function integer(text: string | undefined, fallback: number, what: string): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`${what} must be a whole number, got "${text}"`);
  return Number(text);
}

/** The three spellings of proxy trust, of which at most one may be given, else the environment. */
function trustProxy(values: {
  'trust-proxy'?: boolean;
  'trust-proxy-hops'?: string;
  'trusted-proxy'?: string[];
}): TrustProxy {
  const given = [values['trust-proxy'], values['trust-proxy-hops'], values['trusted-proxy']].filter(
    (value) => value !== undefined,
  );
  if (given.length > 1) throw new Error('give only one of --trust-proxy, --trust-proxy-hops, --trusted-proxy');
  if (values['trust-proxy'] !== undefined) return values['trust-proxy'];
  if (values['trust-proxy-hops'] !== undefined) return integer(values['trust-proxy-hops'], 0, '--trust-proxy-hops');
  if (values['trusted-proxy'] !== undefined) return proxyList(values['trusted-proxy'], '--trusted-proxy');
  const text = env('TRUST_PROXY')?.trim();
  if (text === undefined || /^(0|false|no)$/i.test(text)) return false;
  if (/^(true|yes)$/i.test(text)) return 1;
  if (/^\d+$/.test(text)) return Number(text);
  return proxyList(text.split(','), 'CONSENT_COLLECTOR_TRUST_PROXY');
}

function proxyList(addresses: string[], what: string): string[] {
  const list = addresses.map((address) => address.trim()).filter(Boolean);
  const bad = list.find((address) => !isIP(address));
  if (bad !== undefined) throw new Error(`${what} takes IP addresses, got "${bad}"`);
  return list;
}

/** `1 chain`, `2 chains`, `0 problems`. */
const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

function packageVersion(): string {
  const manifest = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      'admin-token': { type: 'string' },
      'record-ip': { type: 'boolean' },
      'trust-proxy': { type: 'boolean' },
      'trust-proxy-hops': { type: 'string' },
      'trusted-proxy': { type: 'string', multiple: true },
      'rate-limit': { type: 'string' },
      'max-connections': { type: 'string' },
      'chain-key': { type: 'string' },
      'consent-cookie': { type: 'string' },
      'consent-cookie-domain': { type: 'string' },
      'max-notices-per-day': { type: 'string' },
      'max-notices-per-network': { type: 'string' },
      'save-heads': { type: 'string' },
      against: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.version) {
    console.log(packageVersion());
    return 0;
  }
  const db = values.db ?? env('DB') ?? './receipts.sqlite';
  const command = positionals[0];
  const chainKey = values['chain-key'] ?? env('CHAIN_KEY');

  if (command === 'verify') {
    // Opening a path that does not exist would create an empty database and call it intact.
    if (!isPostgresUrl(db) && !existsSync(db)) {
      console.error(`consent-collector: no database at ${db} (give the file with --db)`);
      return 2;
    }
    const saveHeads = values['save-heads'];
    const against =
      values.against === undefined ? undefined : parseHeads(readFileSync(values.against, 'utf8'), chainKey);
    const store = await openStore(db, { chainKey, verifyOnly: true });
    try {
      const report = await store.verify({ against, saveHeads: saveHeads !== undefined });
      for (const problem of report.problems) {
        const where = problem.receiptId
          ? `subject ${problem.subjectId}, receipt ${problem.receiptId}: `
          : problem.subjectId
            ? `subject ${problem.subjectId}: `
            : '';
        console.error(`broken chain: ${where}${problem.reason}`);
      }
      console.log(
        `${report.ok ? 'ok' : 'BROKEN'}: ${count(report.receipts, 'receipt')} in ${count(report.subjects, 'chain')}, ${count(report.problems.length, 'problem')}`,
      );
      console.log(
        `links: ${report.keyed} HMAC checked, ${report.unkeyed} SHA-256 only, ${report.unchecked} HMAC not checked (no key); ${report.logEntries} evidence log entries`,
      );
      if (saveHeads !== undefined) {
        if (!report.ok) {
          console.error(`heads not saved to ${saveHeads}: the chains are broken`);
        } else {
          // Written whole or not at all: a half-written heads file would accuse every chain.
          writeFileSync(`${saveHeads}.tmp`, `${JSON.stringify(report.savedHeads)}\n`, { mode: 0o600 });
          renameSync(`${saveHeads}.tmp`, saveHeads);
          console.log(`heads of ${count(report.subjects, 'chain')} saved to ${saveHeads}`);
        }
      }
      return report.ok ? 0 : 1;
    } finally {
      await store.close();
    }
  }
  if (command !== undefined) {
    console.error(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }

  const allowOrigins = values['allow-origin'] ?? (env('ALLOW_ORIGIN') ?? '').split(',').filter(Boolean);
  const adminToken = values['admin-token'] ?? env('ADMIN_TOKEN');
  const perMinute = integer(values['rate-limit'] ?? env('RATE_LIMIT'), 120, '--rate-limit');
  const noticesPerDay = integer(
    values['max-notices-per-day'] ?? env('MAX_NOTICES_PER_DAY'),
    1000,
    '--max-notices-per-day',
  );
  const noticesPerNetwork = integer(
    values['max-notices-per-network'] ?? env('MAX_NOTICES_PER_NETWORK'),
    20,
    '--max-notices-per-network',
  );
  const running = await listen({
    db,
    port: integer(values.port ?? env('PORT'), 8787, '--port'),
    host: values.host ?? env('HOST') ?? '127.0.0.1',
    allowOrigins,
    adminToken,
    recordClientIp: flag(values['record-ip'], 'RECORD_IP'),
    trustProxy: trustProxy(values),
    maxConnections: integer(values['max-connections'] ?? env('MAX_CONNECTIONS'), 1000, '--max-connections'),
    rateLimit: perMinute === 0 ? false : { max: perMinute, windowMs: 60_000 },
    maxNoticesPerDay: noticesPerDay === 0 ? false : noticesPerDay,
    maxNoticesPerNetwork: noticesPerNetwork === 0 ? false : noticesPerNetwork,
    chainKey,
    consentCookie: values['consent-cookie'] ?? env('CONSENT_COOKIE'),
    consentCookieDomain: values['consent-cookie-domain'] ?? env('CONSENT_COOKIE_DOMAIN'),
    onError: (error) => console.error('consent-collector:', error),
  });
  // Both are legitimate set-ups, but a new operator should hear why browsers or routes fail.
  if (allowOrigins.length === 0) {
    console.warn(
      'consent-collector: warning: no --allow-origin, so every POST from a browser (it sends Origin) is refused with 403',
    );
  }
  if (!adminToken) {
    console.warn(
      'consent-collector: warning: no --admin-token, so the operator routes (export, erasure, purge) are off',
    );
  }
  // Tests and scripts read the bound port from this line (port 0 picks a free one).
  console.log(`consent-collector listening on ${running.url} (${running.collector.store.kind})`);
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`consent-collector: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
