/**
 * What the receipt-delivery tests need beyond the shared harness: the receipt schema's
 * validator (Ajv 2020, as the collector uses it), the page's outbox in `localStorage`,
 * and a loopback port that refuses connections.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import ajv2020 from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { Page } from 'playwright-core';
import { type Receipt as Received, ROOT } from './server.js';

export const OUTBOX_KEY = 'paloma_consent_outbox';

/** A receipt as the endpoint receives it (design 3.8). */
export interface ReceiptBody {
  version: 1;
  receiptId: string;
  subjectId: string;
  timestamp: string;
  policyVersion: string;
  method: string;
  categories: Record<string, boolean>;
  language: string;
  page: string;
  sdkVersion: string;
  previousReceiptId: string | null;
}

/** An outbox entry as the SDK keeps it in `localStorage`. */
export interface OutboxEntry {
  receipt: ReceiptBody;
  attempts: number;
  nextAttemptAt: number;
  leaseUntil: number;
}

// Ajv and ajv-formats are CommonJS with `exports.default`: under NodeNext a default import may be the module object.
type AjvClass = typeof ajv2020.default;
const Ajv2020 = ((ajv2020 as unknown as { default?: AjvClass }).default ?? ajv2020) as AjvClass;
const addFormats = ((ajvFormats as unknown as { default?: unknown }).default ?? ajvFormats) as (
  ajv: InstanceType<AjvClass>,
  formats: string[],
) => void;

const schema = JSON.parse(readFileSync(join(ROOT, 'packages/core/receipt.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv, ['date-time']);
const check = ajv.compile(schema);

/** The schema's complaints about a body, as `path message`; empty for a valid receipt. */
export function schemaProblems(body: unknown): string[] {
  return check(body) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
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

/** The page's outbox, as stored. */
export const outbox = (page: Page): Promise<OutboxEntry[]> =>
  page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? '[]'), OUTBOX_KEY);

/** A port on 127.0.0.1 where nothing listens (it was free a moment ago): connections are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}
