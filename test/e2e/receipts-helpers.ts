/**
 * What the receipt-delivery tests need beyond the shared harness: the receipt schema's
 * validator (the collector's), the page's outbox in `localStorage`,
 * and a loopback port that refuses connections.
 */
import { createServer } from 'node:net';
import type { Receipt as ReceiptBody } from '@paloma365/consent-core';
import type { Page } from 'playwright-core';
import { createReceiptValidator } from '../../packages/collector/src/validate.js';
import type { Receipt as Received } from './server.js';

/** Version 1 kept the outbox as a list under this key; now each receipt has a key `OUTBOX_KEY:<receiptId>`. */
export const OUTBOX_KEY = 'paloma_consent_outbox';

/** An outbox entry as the SDK keeps it in `localStorage`. */
export interface OutboxEntry {
  receipt: ReceiptBody;
  attempts: number;
  nextAttemptAt: number;
  leaseUntil: number;
}

/** The collector's own check against `receipt.schema.json`. */
const validate = createReceiptValidator();

/** The schema's complaints about a body, as `path: message`; empty for a valid receipt. */
export function schemaProblems(body: unknown): string[] {
  const result = validate(body);
  return result.ok ? [] : result.problems;
}

/** Everything wrong with one request to the endpoint: schema, content type, idempotency key. */
export function requestProblems({ body, headers }: Received): string[] {
  const problems = schemaProblems(body);
  const type = headers['content-type'] ?? '';
  if (!/^application\/json(;|$)/i.test(type)) problems.push(`Content-Type is ${JSON.stringify(type)}`);
  const id = (body as Partial<ReceiptBody> | null)?.receiptId;
  const key = headers['idempotency-key'];
  if (!id || key !== id) problems.push(`Idempotency-Key ${JSON.stringify(key)} is not the receiptId ${id}`);
  return problems;
}

export const bodyOf = (received: Received): ReceiptBody => received.body as ReceiptBody;

/** The distinct receipt ids among what the endpoint received. */
export const distinctIds = (received: Received[]): string[] => [...new Set(received.map((r) => bodyOf(r).receiptId))];

/** The page's outbox, as stored: the entries under the per-receipt keys, oldest first. */
export const outbox = (page: Page): Promise<OutboxEntry[]> =>
  page.evaluate((key) => {
    const keys = Object.keys(localStorage).filter((k) => k.startsWith(`${key}:`));
    const entries: OutboxEntry[] = keys.map((k) => JSON.parse(localStorage.getItem(k) ?? ''));
    return entries.sort((a, b) => Date.parse(a.receipt.timestamp) - Date.parse(b.receipt.timestamp));
  }, OUTBOX_KEY);

/** A port on 127.0.0.1 where nothing listens (it was free a moment ago): connections are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
