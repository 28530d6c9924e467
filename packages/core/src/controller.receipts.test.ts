import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import vectors from '../test-vectors/notice.json' with { type: 'json' };
import { type Consent, type ConsentError, createConsent } from './controller.js';
import type { KeyValueStore } from './env.js';
import type { Notice, Receipt } from './receipt.js';
import { type FakeEnv, fakeEnv, fakeJar, fakeStorage, NOW } from './test-env.js';
import { schemaProblems } from './test-receipt.js';

const ENDPOINT = '/api/consent-receipts';
const KEY = 'paloma_consent_outbox';
/** What the outbox holds: the values of its per-receipt keys (`KEY:<receiptId>`). */
const waiting = (storage: KeyValueStore | null) =>
  Array.from({ length: storage?.length ?? 0 }, (_, i) => storage?.key(i) ?? '')
    .filter((k) => k.startsWith(`${KEY}:`))
    .map((k) => storage?.getItem(k));
const UUID = expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
const controllers: Consent[] = [];

/** Answers with the statuses in turn (then the last one) and keeps every posted receipt. */
function endpoint(...statuses: number[]) {
  const receipts: Receipt[] = [];
  const fetch = vi.fn(async (_url: string | URL | Request, init: RequestInit = {}) => {
    receipts.push(JSON.parse(String(init.body)));
    return new Response(null, { status: (statuses.length > 1 ? statuses.shift() : statuses[0]) ?? 201 });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, spy: fetch, receipts };
}

/** A page of the visitor whose cookie jar and localStorage are given: the same ones again make the next page load. */
function page(
  fetch: typeof globalThis.fetch,
  visitor = { cookies: fakeJar(), storage: fakeStorage() as KeyValueStore | null },
  overrides: Partial<FakeEnv> = {},
) {
  const env = fakeEnv({
    ...visitor,
    fetch,
    now: () => Date.now(),
    randomUUID: () => crypto.randomUUID(),
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    ...overrides,
  });
  return { env, visitor };
}

const create = (env: FakeEnv, config: Record<string, unknown> = {}) => {
  const consent = createConsent({ policyVersion: '2024-01-01', endpoint: ENDPOINT, language: 'ru', ...config }, env);
  controllers.push(consent);
  return consent;
};

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
});
afterEach(() => {
  for (const consent of controllers.splice(0)) consent.destroy();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('receipts', () => {
  it('posts a receipt with exactly the v2 fields for a decision, no notice when made through the API', async () => {
    const { fetch, spy, receipts } = endpoint(201);
    const consent = create(page(fetch).env);
    consent.acceptAll();
    expect(spy).toHaveBeenCalledWith(ENDPOINT, expect.objectContaining({ method: 'POST', keepalive: true }));
    expect(receipts).toStrictEqual([
      {
        version: 2,
        receiptId: UUID,
        subjectId: consent.get()?.subjectId,
        timestamp: new Date(NOW).toISOString(),
        expiresAt: new Date(NOW + 182 * 86_400_000).toISOString(),
        policyVersion: '2024-01-01',
        method: 'accept_all',
        categories: { necessary: true, analytics: true, functional: true },
        language: 'ru',
        page: 'https://a.b.paloma365.com/pricing',
        sdkVersion: '0.0.0-test',
        previousReceiptId: null,
        notice: null,
      },
    ]);
    expect(schemaProblems(receipts[0])).toEqual([]);
  });

  it('posts a valid receipt for every method', () => {
    const { fetch, receipts } = endpoint(201);
    const consent = create(page(fetch).env);
    consent.acceptAll();
    consent.rejectAll();
    consent.set({ analytics: true });
    consent.set({});
    const gpc = create(page(fetch, undefined, { navigator: { globalPrivacyControl: true } }).env);
    expect(gpc.get()?.method).toBe('gpc');
    expect(receipts.map((r) => r.method)).toEqual(['accept_all', 'reject_all', 'custom', 'withdraw', 'gpc']);
    for (const receipt of receipts) expect(schemaProblems(receipt)).toEqual([]);
  });

  it('carries the notice the UI hands with a decision; the API alone and gpc give null', () => {
    const { fetch, receipts } = endpoint(201);
    const notice = { id: vectors.cases[1]!.sha256, ...vectors.cases[1]!.notice } as unknown as Notice;
    const consent = create(page(fetch, undefined, { navigator: { globalPrivacyControl: true } }).env, {
      cookie: { maxAgeDays: 30 },
    });
    consent.acceptAll(notice);
    consent.rejectAll(notice);
    consent.set({ analytics: true }, notice);
    consent.acceptAll();
    expect(receipts.map((r) => [r.method, r.notice?.id ?? null])).toEqual([
      ['gpc', null],
      ['accept_all', notice.id],
      ['reject_all', notice.id],
      ['custom', notice.id],
      ['accept_all', null],
    ]);
    expect(receipts[1]!.notice).toStrictEqual(notice);
    expect(receipts[1]!.expiresAt).toBe(new Date(NOW + 30 * 86_400_000).toISOString());
    for (const receipt of receipts) expect(schemaProblems(receipt)).toEqual([]);
  });

  it('reports the language the visitor saw', () => {
    const { fetch, receipts } = endpoint(201);
    create(page(fetch).env, { language: 'kk' }).acceptAll();
    expect(receipts[0]?.language).toBe('kk');
  });

  it("chains a subject's receipts: each names the one before", () => {
    const { fetch, receipts } = endpoint(201);
    const consent = create(page(fetch).env);
    consent.acceptAll();
    consent.rejectAll();
    consent.reset();
    consent.acceptAll();
    const [first, second, third] = receipts;
    expect(first?.previousReceiptId).toBeNull();
    expect(second?.previousReceiptId).toBe(first?.receiptId);
    expect(third?.previousReceiptId).toBe(second?.receiptId);
    expect(new Set(receipts.map((r) => r.subjectId)).size).toBe(1);
  });

  it('chains across page loads through the consent cookie', () => {
    const { fetch, receipts } = endpoint(201);
    const first = page(fetch);
    create(first.env).acceptAll();
    const next = create(page(fetch, first.visitor).env);
    next.set({ analytics: true });
    expect(receipts[1]?.previousReceiptId).toBe(receipts[0]?.receiptId);
    expect(receipts[1]?.subjectId).toBe(receipts[0]?.subjectId);
  });

  it('writes the receipt to the outbox before sending it', () => {
    const visitor = { cookies: fakeJar(), storage: fakeStorage() };
    let stored: string | null = null;
    const fetch = vi.fn(async () => {
      stored = waiting(visitor.storage).join();
      return new Response(null, { status: 201 });
    });
    create(page(fetch as unknown as typeof globalThis.fetch, visitor).env).acceptAll();
    expect(stored).toContain('"method":"accept_all"');
  });

  it('fires `receipt` with the receipt once the endpoint has it', async () => {
    const { fetch, receipts } = endpoint(201);
    const consent = create(page(fetch).env);
    const delivered: Receipt[] = [];
    consent.on('receipt', (r) => delivered.push(r));
    consent.acceptAll();
    expect(delivered).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(delivered).toEqual(receipts);
  });

  it('tells listeners attached after creation about the automatic GPC receipt', async () => {
    const { fetch } = endpoint(201);
    const consent = create(page(fetch, undefined, { navigator: { globalPrivacyControl: true } }).env);
    const delivered: Receipt[] = [];
    consent.on('receipt', (r) => delivered.push(r));
    await vi.advanceTimersByTimeAsync(0);
    expect(delivered.map((r) => r.method)).toEqual(['gpc']);
  });

  it('fires `error` with code receipt when the endpoint refuses a receipt as invalid', async () => {
    const { fetch } = endpoint(422);
    const { env } = page(fetch);
    const consent = create(env);
    const errors: ConsentError[] = [];
    consent.on('error', (e) => errors.push(e));
    consent.acceptAll();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([
      {
        code: 'receipt',
        message: expect.stringContaining('invalid (HTTP 422)'),
        receipt: expect.objectContaining({ method: 'accept_all' }),
      },
    ]);
    expect(env.console.error).toHaveBeenCalledWith('[paloma-consent]', errors[0]?.message);
  });

  it('keeps a receipt the endpoint did not take and sends it within 2 s of the next page load', async () => {
    const down = endpoint(503);
    const first = page(down.fetch);
    const consent = create(first.env);
    consent.acceptAll();
    await vi.advanceTimersByTimeAsync(10 * 60_000); // retried with backoff all along
    consent.destroy(); // the visitor leaves

    const up = endpoint(201);
    const next = create(page(up.fetch, first.visitor).env);
    const delivered: Receipt[] = [];
    next.on('receipt', (r) => delivered.push(r));
    await vi.advanceTimersByTimeAsync(2000);
    expect(up.receipts).toEqual([down.receipts[0]]);
    expect(delivered).toEqual(up.receipts);
    expect(waiting(first.visitor.storage)).toEqual([]);
  });

  it('sends directly when localStorage is unavailable, and says the receipt could not be kept', async () => {
    const { fetch, receipts } = endpoint(503, 201);
    const consent = create(page(fetch, { cookies: fakeJar(), storage: null }).env);
    const errors: ConsentError[] = [];
    consent.on('error', (e) => errors.push(e));
    consent.acceptAll();
    await vi.advanceTimersByTimeAsync(2000);
    expect(receipts).toHaveLength(2);
    expect(receipts[1]).toEqual(receipts[0]);
    expect(errors).toEqual([
      { code: 'receipt', message: expect.stringContaining('could not be stored'), receipt: receipts[0] },
    ]);
  });

  it('sends no receipt without an endpoint', async () => {
    const { fetch, spy } = endpoint(201);
    const { env, visitor } = page(fetch, undefined, { navigator: { globalPrivacyControl: true } });
    const consent = create(env, { endpoint: undefined });
    consent.acceptAll();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(spy).not.toHaveBeenCalled();
    expect(waiting(visitor.storage)).toEqual([]);
  });

  it('sends no receipt with an invalid configuration', async () => {
    const { fetch, spy } = endpoint(201);
    const consent = create(page(fetch).env, { language: 'English' });
    consent.acceptAll();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(spy).not.toHaveBeenCalled();
  });
});
