#!/usr/bin/env node
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseHeads } from './evidence.js';
import { openStore } from './open-store.js';
import { listen } from './server.js';

const USAGE = `Usage:
  consent-collector [--port 8787] [--host 127.0.0.1] [--db ./receipts.sqlite]
                    [--allow-origin https://example.com ...] [--admin-token TOKEN]
                    [--record-ip] [--trust-proxy] [--rate-limit 120] [--chain-key KEY]
  consent-collector verify --db ./receipts.sqlite|postgres://... [--chain-key KEY]
                    [--save-heads FILE] [--against FILE]

Every flag can come from the environment instead: CONSENT_COLLECTOR_PORT, _HOST, _DB,
_ALLOW_ORIGIN (comma-separated), _ADMIN_TOKEN, _RECORD_IP=1, _TRUST_PROXY=1, _RATE_LIMIT.
--rate-limit is requests per minute per address; 0 turns it off. The chain key (at least 32
characters) is best given as CONSENT_COLLECTOR_CHAIN_KEY: a flag shows in the process list.
verify --save-heads writes every chain's head to FILE; verify --against FILE reports receipts
and chains deleted since, unless an erasure or purge was logged.`;

const env = (name: string): string | undefined => process.env[`CONSENT_COLLECTOR_${name}`] || undefined;
const flag = (value: boolean | undefined, name: string): boolean =>
  value ?? ['1', 'true', 'yes'].includes((env(name) ?? '').toLowerCase());

/** Whole numbers only, so `--port 80abc` is an error rather than port 80. */
function integer(text: string | undefined, fallback: number, what: string): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`${what} must be a whole number, got "${text}"`);
  return Number(text);
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
      'rate-limit': { type: 'string' },
      'chain-key': { type: 'string' },
      'save-heads': { type: 'string' },
      against: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const db = values.db ?? env('DB') ?? './receipts.sqlite';
  const command = positionals[0];
  const chainKey = values['chain-key'] ?? env('CHAIN_KEY');

  if (command === 'verify') {
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
        `${report.ok ? 'ok' : 'BROKEN'}: ${report.receipts} receipts in ${report.subjects} chains, ${report.problems.length} problems`,
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
          console.log(`heads of ${report.subjects} chains saved to ${saveHeads}`);
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

  const perMinute = integer(values['rate-limit'] ?? env('RATE_LIMIT'), 120, '--rate-limit');
  const running = await listen({
    db,
    port: integer(values.port ?? env('PORT'), 8787, '--port'),
    host: values.host ?? env('HOST') ?? '127.0.0.1',
    allowOrigins: values['allow-origin'] ?? (env('ALLOW_ORIGIN') ?? '').split(',').filter(Boolean),
    adminToken: values['admin-token'] ?? env('ADMIN_TOKEN'),
    recordClientIp: flag(values['record-ip'], 'RECORD_IP'),
    trustProxy: flag(values['trust-proxy'], 'TRUST_PROXY'),
    rateLimit: perMinute === 0 ? false : { max: perMinute, windowMs: 60_000 },
    chainKey,
    onError: (error) => console.error('consent-collector:', error),
  });
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
