import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import vectors from '../test-vectors/notice.json' with { type: 'json' };
import type { Env, KeyValueStore } from './env.js';
import { createOutbox } from './outbox.js';
import { buildReceipt, type Notice, type Receipt } from './receipt.js';
import { fakeEnv, fakeStorage, NOW } from './test-env.js';

/** Version 1's single key (a list); now the prefix of one key per receipt. */
const KEY = 'paloma_consent_outbox';
const ENDPOINT = 'https://collector.paloma365.com/receipts';
const SECOND = 1000;
const DAY = 86_400 * SECOND;

/** A reply of the fetch double: a status, a status with headers, a network error, or no answer at all. */
type Reply = number | { status: number; headers: Record<string, string> } | 'offline' | 'hang' | 'silent';

/**
 * A fetch double that answers with the given replies in turn (then the last one) and records each
 * call with what storage held at that moment. `hang` answers only by failing when aborted;
 * `silent` never settles, as a request from a page that is gone.
 */
function fetchDouble(storage: KeyValueStore | null, ...replies: Reply[]) {
  const calls: { at: number; init: RequestInit; receipt: Receipt; stored: string | null }[] = [];
  const fetch = vi.fn(async (_url: string | URL | Request, init: RequestInit = {}) => {
    calls.push({
      at: Date.now(),
      init,
      receipt: JSON.parse(String(init.body)),
      stored: storage && JSON.stringify(stored(storage)),
    });
    const reply = replies.length > 1 ? replies.shift() : replies[0];
    if (reply === 'offline') throw new TypeError('Failed to fetch');
    if (reply === 'silent') return new Promise<Response>(() => {});
    if (reply === 'hang') {
      return new Promise<Response>((_, reject) =>
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    }
    const { status, headers } = typeof reply === 'object' ? reply : { status: reply ?? 201, headers: {} };
    return new Response(null, { status, headers });
  });
  return {
    fetch: fetch as unknown as typeof globalThis.fetch,
    calls,
    ids: () => calls.map((c) => c.receipt.receiptId),
  };
}

let uuids = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++uuids).padStart(12, '0')}`;

function receipt(timestamp = new Date(Date.now()).toISOString()): Receipt {
  return buildReceipt(
    {
      subjectId: '0b7e4c5a-9d1f-4e2b-8a3c-5d6e7f809a1b',
      policyVersion: '2024-01-01',
      timestamp,
      method: 'accept_all',
      categories: { necessary: true, analytics: true, functional: true },
    },
    {
      receiptId: uuid(),
      language: 'en',
      page: 'https://paloma365.com/pricing',
      previousReceiptId: null,
      maxAgeDays: 182,
      notice: null,
    },
  );
}

/** An outbox over a fake env with the (fake) clock and timers; a second call over the same storage is another tab or page. */
function tab(fetch: typeof globalThis.fetch, storage: KeyValueStore | null, window?: Window) {
  const env: Env = fakeEnv({
    window,
    storage,
    fetch,
    now: () => Date.now(),
    randomUUID: uuid,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  });
  const delivered: Receipt[] = [];
  const dropped: { message: string; receipt?: Receipt }[] = [];
  const outbox = createOutbox(env, ENDPOINT, {
    onDelivered: (r) => delivered.push(r),
    onDropped: (message, r) => dropped.push({ message, receipt: r }),
  });
  return { outbox, delivered, dropped };
}

/** The entries under the per-receipt keys, in storage order. */
function stored(storage: KeyValueStore) {
  const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i) ?? '');
  return keys.filter((k) => k.startsWith(`${KEY}:`)).map((k) => JSON.parse(storage.getItem(k) ?? ''));
}
const storedIds = (storage: KeyValueStore) => stored(storage).map((e: { receipt: Receipt }) => e.receipt.receiptId);
const wait = (ms: number) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  vi.spyOn(Math, 'random').mockReturnValue(0.5); // no jitter unless a test asks for it
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('sending', () => {
  it('writes the receipt to storage before sending it', async () => {
    const storage = fakeStorage();
    const { fetch, calls } = fetchDouble(storage, 201);
    const r = receipt();
    tab(fetch, storage).outbox.add(r);
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0]?.stored ?? '[]')[0].receipt).toEqual(r);
  });

  it('posts JSON with keepalive, cookies only to its own origin and the receipt id as Idempotency-Key', async () => {
    const storage = fakeStorage();
    const { fetch, calls } = fetchDouble(storage, 201);
    const r = receipt();
    tab(fetch, storage).outbox.add(r);
    expect(fetch).toHaveBeenCalledWith(ENDPOINT, expect.anything());
    const init = calls[0]?.init as RequestInit;
    expect(init).toMatchObject({
      method: 'POST',
      keepalive: true,
      credentials: 'same-origin',
      referrerPolicy: 'strict-origin',
    });
    expect(init.headers).toEqual({ 'Content-Type': 'application/json', 'Idempotency-Key': r.receiptId });
    expect(JSON.parse(String(init.body))).toEqual(r);
  });

  it('removes the receipt and reports its delivery when the endpoint answers 2xx', async () => {
    const storage = fakeStorage();
    const { fetch } = fetchDouble(storage, 200);
    const { outbox, delivered, dropped } = tab(fetch, storage);
    const r = receipt();
    outbox.add(r);
    await wait(0);
    expect(delivered).toEqual([r]);
    expect(dropped).toEqual([]);
    expect(stored(storage)).toEqual([]);
  });

  it('sends each receipt once to a healthy endpoint', async () => {
    const storage = fakeStorage();
    const { fetch, calls } = fetchDouble(storage, 201);
    const { outbox } = tab(fetch, storage);
    outbox.add(receipt());
    outbox.add(receipt());
    await wait(10 * 60 * SECOND);
    expect(calls).toHaveLength(2);
  });
});

describe('failures', () => {
  it.each([
    ['a 5xx answer', 503 as Reply],
    ['a network error', 'offline' as Reply],
    ['a 404 (a misconfigured endpoint may be fixed)', 404 as Reply],
  ])('keeps the receipt after %s and sends it again', async (_, reply) => {
    const storage = fakeStorage();
    const { fetch, calls } = fetchDouble(storage, reply, 201);
    const { outbox, delivered } = tab(fetch, storage);
    const r = receipt();
    outbox.add(r);
    await wait(0);
    expect(storedIds(storage)).toEqual([r.receiptId]);
    expect(stored(storage)[0]).toMatchObject({ attempts: 1, nextAttemptAt: NOW + SECOND, leaseUntil: 0 });
    await wait(SECOND);
    expect(calls).toHaveLength(2);
    expect(delivered).toEqual([r]);
    expect(stored(storage)).toEqual([]);
  });

  it('gives up a request after 10 s and keeps the receipt', async () => {
    const storage = fakeStorage();
    const { fetch, calls } = fetchDouble(storage, 'hang', 201);
    const { outbox } = tab(fetch, storage);
    const r = receipt();
    outbox.add(r);
    await wait(10 * SECOND - 1);
    expect(stored(storage)[0].attempts).toBe(0);
    await wait(1);
    expect(calls[0]?.init.signal?.aborted).toBe(true);
    expect(stored(storage)[0]).toMatchObject({ attempts: 1, nextAttemptAt: NOW + 11 * SECOND });
    await wait(SECOND);
    expect(calls).toHaveLength(2);
    expect(stored(storage)).toEqual([]);
  });

  it('retries with exponential backoff: 1 s, 2 s, 4 s … capped at 5 minutes', async () => {
    const storage = fakeStorage();
    const { fetch, calls } = fetchDouble(storage, 503);
    tab(fetch, storage).outbox.add(receipt());
    await wait(30 * 60 * SECOND);
    const gaps = calls.slice(1).map((c, i) => c.at - (calls[i]?.at ?? 0));
    expect(gaps.slice(0, 11)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300].map((s) => s * SECOND));
  });

  it.each([
    [0, 800],
    [0.9999, 1199.96],
  ])('spreads retries by ±20 %% jitter (random %f: %f ms)', async (random, delay) => {
    const storage = fakeStorage();
    const { fetch } = fetchDouble(storage, 503);
    vi.mocked(Math.random).mockReturnValue(random);
    tab(fetch, storage).outbox.add(receipt());
    await wait(0);
    expect(stored(storage)[0].nextAttemptAt - NOW).toBeCloseTo(delay);
  });

  it('waits as long as Retry-After says, in seconds', async () => {
    const storage = fakeStorage();
    const { fetch, calls } = fetchDouble(storage, { status: 429, headers: { 'Retry-After': '30' } }, 201);
    tab(fetch, storage).outbox.add(receipt());
    await wait(30 * SECOND - 1);
    expect(calls).toHaveLength(1);
    await wait(1);
    expect(calls).toHaveLength(2);
  });

  it('waits as long as Retry-After says, as an HTTP date', async () => {
    const storage = fakeStorage();
    const date = new Date(NOW + 120 * SECOND).toUTCString();
    const { fetch, calls } = fetchDouble(storage, { status: 503, headers: { 'Retry-After': date } }, 201);
    tab(fetch, storage).outbox.add(receipt());
    await wait(120 * SECOND - 1);
    expect(calls).toHaveLength(1);
    await wait(1);
    expect(calls).toHaveLength(2);
  });

  it('ignores a Retry-After shorter than its own backoff or unreadable', async () => {
    const storage = fakeStorage();
    const { fetch, calls } = fetchDouble(storage, { status: 429, headers: { 'Retry-After': 'soon' } }, 201);
    tab(fetch, storage).outbox.add(receipt());
    await wait(SECOND);
    expect(calls).toHaveLength(2);
  });

  it.each([400, 409, 413, 415, 422])(
    'drops a receipt the endpoint refuses as invalid (%i), with a reason',
    async (status) => {
      const storage = fakeStorage();
      const { fetch, calls } = fetchDouble(storage, status);
      const { outbox, delivered, dropped } = tab(fetch, storage);
      const r = receipt();
      outbox.add(r);
      await wait(10 * 60 * SECOND);
      expect(calls).toHaveLength(1);
      expect(stored(storage)).toEqual([]);
      expect(delivered).toEqual([]);
      expect(dropped).toEqual([{ message: expect.stringContaining(`invalid (HTTP ${status})`), receipt: r }]);
      expect(dropped[0]?.message).toContain(r.receiptId);
    },
  );

  it('sends the receipts that back off as soon as one gets through', async () => {
    const storage = fakeStorage();
    const { fetch, calls } = fetchDouble(storage, 503, 503, 201);
    const { outbox, delivered } = tab(fetch, storage);
    const first = receipt();
    outbox.add(first); // 503: waits 1 s
    outbox.add(receipt()); // 503: waits 1 s
    await wait(0);
    const third = receipt();
    outbox.add(third); // 201: the endpoint is back
    await wait(0);
    expect(calls).toHaveLength(5);
    expect(delivered.map((r) => r.receiptId)).toContain(first.receiptId);
    expect(stored(storage)).toEqual([]);
  });
});

describe('bounds', () => {
  it('keeps at most 50 receipts, dropping the oldest with a reason', async () => {
    const storage = fakeStorage();
    const { fetch } = fetchDouble(storage, 503);
    const { outbox, dropped } = tab(fetch, storage);
    const receipts = Array.from({ length: 51 }, () => receipt());
    for (const r of receipts) outbox.add(r);
    await wait(0);
    expect(storedIds(storage)).toEqual(receipts.slice(1).map((r) => r.receiptId));
    expect(dropped).toEqual([{ message: expect.stringContaining(receipts[0]?.receiptId ?? ''), receipt: receipts[0] }]);
  });

  it('drops receipts not delivered within 30 days, with a reason', async () => {
    const storage = fakeStorage();
    const old = receipt(new Date(NOW - 30 * DAY - 1).toISOString());
    const recent = receipt(new Date(NOW - 29 * DAY).toISOString());
    const entry = (r: Receipt) => ({ receipt: r, attempts: 9, nextAttemptAt: NOW + 60 * SECOND, leaseUntil: 0 });
    storage.setItem(KEY, JSON.stringify([entry(old), entry(recent)]));
    const { fetch, ids } = fetchDouble(storage, 201);
    const { outbox, dropped } = tab(fetch, storage);
    outbox.flush();
    await wait(0);
    expect(dropped).toEqual([{ message: expect.stringContaining('30 days'), receipt: old }]);
    expect(ids()).toEqual([recent.receiptId]);
  });

  it('drops a receipt that turns 30 days old while the page stays open', async () => {
    const storage = fakeStorage();
    const { fetch } = fetchDouble(storage, 503);
    const { outbox, dropped } = tab(fetch, storage);
    outbox.add(receipt(new Date(NOW - 30 * DAY + 10 * SECOND).toISOString()));
    await wait(60 * SECOND);
    expect(dropped).toHaveLength(1);
    expect(stored(storage)).toEqual([]);
  });
});

describe('receipts with their notice', () => {
  /** The test vector's realistic notice: Russian texts, the default categories, an operator. */
  const notice = { id: vectors.cases[1]!.sha256, ...vectors.cases[1]!.notice } as unknown as Notice;
  const withNotice = () => ({ ...receipt(), notice });
  const bytes = (text: string) => new Blob([text]).size;

  it('keep 50 waiting ones in a small share of the 5 MiB localStorage quota', () => {
    const storage = fakeStorage();
    const page = tab(fetchDouble(storage, 503).fetch, storage);
    for (let i = 0; i < 60; i++) page.outbox.add(withNotice());
    const entries = stored(storage);
    expect(entries).toHaveLength(50);
    const size = bytes(entries.map((e: unknown) => JSON.stringify(e)).join(''));
    // About 3 KB a receipt: 50 of them are 3 % of the quota.
    expect(size).toBeLessThan(0.1 * 5 * 1024 * 1024);
    expect(bytes(JSON.stringify(withNotice()))).toBeGreaterThan(2500);
  });

  it('send keepalive only while the bodies in flight fit in 64 KiB, as Chromium demands, and deliver them all', async () => {
    const storage = fakeStorage();
    const before = tab(fetchDouble(storage, 503).fetch, storage);
    const waiting = Array.from({ length: 30 }, withNotice);
    for (const r of waiting) before.outbox.add(r);
    await wait(0); // the 503s release the leases
    before.outbox.stop();

    // Chromium: a keepalive request that would pass 64 KiB in flight fails at once.
    let inflight = 0;
    let most = 0;
    const refused: string[] = [];
    const chromium = vi.fn(async (_url: unknown, init: RequestInit = {}) => {
      const size = bytes(String(init.body));
      if (init.keepalive && inflight + size > 65_536) {
        refused.push(JSON.parse(String(init.body)).receiptId);
        throw new TypeError('Failed to fetch');
      }
      if (init.keepalive) inflight += size;
      most = Math.max(most, inflight);
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (init.keepalive) inflight -= size;
      return new Response(null, { status: 201 });
    });
    const next = tab(chromium as unknown as typeof fetch, storage);
    next.outbox.flush();
    await wait(300);
    expect(refused).toEqual([]);
    expect(next.delivered.map((r) => r.receiptId).sort()).toEqual(waiting.map((r) => r.receiptId).sort());
    expect(most).toBeGreaterThan(40_000);
    expect(most).toBeLessThanOrEqual(65_536);
    // The newest decision's receipt goes keepalive again once the flush is done.
    next.outbox.add(withNotice());
    expect(chromium.mock.calls.at(-1)![1]!.keepalive).toBe(true);
  });
});

describe('tabs and page loads', () => {
  it('lets only one tab send a receipt while its lease runs', async () => {
    const storage = fakeStorage();
    const a = fetchDouble(storage, 'silent');
    const b = fetchDouble(storage, 201);
    const first = tab(a.fetch, storage);
    first.outbox.add(receipt());
    first.outbox.stop(); // the tab is gone, its request never answered
    const other = tab(b.fetch, storage);
    other.outbox.flush();
    await wait(15 * SECOND - 1);
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toHaveLength(0);
    // Once the lease runs out, the other tab sends it.
    await wait(1);
    expect(b.calls).toHaveLength(1);
    expect(stored(storage)).toEqual([]);
  });

  it('hands its leases on when the page goes away, so the next page sends at once', async () => {
    const storage = fakeStorage();
    const a = fetchDouble(storage, 'silent');
    const b = fetchDouble(storage, 201);
    const page = new EventTarget() as Window;
    const first = tab(a.fetch, storage, page);
    first.outbox.add(receipt());
    page.dispatchEvent(new Event('pagehide')); // navigation with the request in flight
    const next = tab(b.fetch, storage);
    next.outbox.flush();
    await wait(0);
    expect(b.calls).toHaveLength(1); // not 15 s later: a duplicate at worst, which the receiver drops
    expect(stored(storage)).toEqual([]);
  });

  it('sends nothing more once stopped, even when a request in flight then succeeds', async () => {
    const storage = fakeStorage();
    const { fetch, ids } = fetchDouble(storage, 503, 201);
    const page = tab(fetch, storage);
    const [r1, r2] = [receipt(), receipt()];
    page.outbox.add(r1); // 503: backs off
    await wait(0);
    page.outbox.add(r2); // 201 arrives after stop()
    page.outbox.stop();
    await wait(10 * 60 * SECOND);
    expect(ids()).toEqual([r1.receiptId, r2.receiptId]);
  });

  it('leaves a receipt alone that another tab delivered', async () => {
    const storage = fakeStorage();
    const a = fetchDouble(storage, 201);
    const b = fetchDouble(storage, 201);
    const first = tab(a.fetch, storage);
    const second = tab(b.fetch, storage);
    first.outbox.add(receipt());
    second.outbox.flush();
    await wait(60 * SECOND);
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toHaveLength(0);
  });

  it('sends waiting receipts on the next page load at once, whatever their backoff', async () => {
    const storage = fakeStorage();
    const before = fetchDouble(storage, 503);
    const page = tab(before.fetch, storage);
    const receipts = [receipt(), receipt()];
    for (const r of receipts) page.outbox.add(r);
    await wait(10 * 60 * SECOND); // backing off for 5 minutes now
    page.outbox.stop(); // navigation

    const after = fetchDouble(storage, 201);
    const next = tab(after.fetch, storage);
    next.outbox.flush();
    await wait(0);
    expect(after.ids().sort()).toEqual(receipts.map((r) => r.receiptId).sort());
    expect(next.delivered).toHaveLength(2);
    expect(stored(storage)).toEqual([]);
  });

  it('tries only the oldest on the next page load while the endpoint is still down', async () => {
    const storage = fakeStorage();
    const before = fetchDouble(storage, 503);
    const page = tab(before.fetch, storage);
    const receipts = [receipt(), receipt(), receipt()];
    for (const r of receipts) page.outbox.add(r);
    await wait(10 * 60 * SECOND);
    page.outbox.stop();

    const after = fetchDouble(storage, 503);
    tab(after.fetch, storage).outbox.flush();
    await wait(2 * SECOND);
    expect(after.ids()).toEqual([receipts[0]?.receiptId]);
  });
});

/**
 * Two tabs' views of one `localStorage`, as Chromium keeps it: each tab reads and writes a copy of its
 * own, and `sync()` replays every tab's writes in order on the shared store, then refreshes the copies.
 */
function laggingStorages() {
  const shared = fakeStorage();
  const writes: [string, string | null][] = [];
  const view = (): KeyValueStore => {
    const copy = fakeStorage();
    views.push(copy);
    return {
      getItem: copy.getItem,
      setItem(k, v) {
        copy.setItem(k, v);
        writes.push([k, v]);
      },
      removeItem(k) {
        copy.removeItem(k);
        writes.push([k, null]);
      },
      get length() {
        return copy.length;
      },
      key: copy.key,
    };
  };
  const views: ReturnType<typeof fakeStorage>[] = [];
  const sync = () => {
    for (const [k, v] of writes.splice(0)) v === null ? shared.removeItem(k) : shared.setItem(k, v);
    for (const copy of views) {
      copy.items.clear();
      for (const [k, v] of shared.items) copy.items.set(k, v);
    }
  };
  return { shared, view, sync };
}

describe('tabs deciding at once', () => {
  it('keeps both receipts when two tabs add one each from copies that have not synced yet', async () => {
    const { shared, view, sync } = laggingStorages();
    const a = fetchDouble(null, 503);
    const b = fetchDouble(null, 503);
    const first = tab(a.fetch, view());
    const second = tab(b.fetch, view());
    const [ra, rb] = [receipt(), receipt()];
    first.outbox.add(ra);
    second.outbox.add(rb);
    await wait(0); // both failed, and each tab wrote its own copy
    first.outbox.stop();
    second.outbox.stop();
    sync();

    const up = fetchDouble(shared, 201);
    const next = tab(up.fetch, shared);
    next.outbox.flush();
    await wait(0);
    expect(next.delivered.map((r) => r.receiptId).sort()).toEqual([ra.receiptId, rb.receiptId].sort());
    expect(stored(shared)).toEqual([]);
  });
});

describe('tabs retrying', () => {
  it('stores a new receipt already leased, so another tab never sees it unleased while this one sends it', () => {
    const storage = fakeStorage();
    const writes: string[] = [];
    const recording = {
      ...storage,
      setItem(k: string, v: string) {
        writes.push(v);
        storage.setItem(k, v);
      },
    };
    Object.defineProperty(recording, 'length', { get: () => storage.length });
    const { fetch } = fetchDouble(null, 'silent');
    tab(fetch, recording).outbox.add(receipt());
    expect(writes).toHaveLength(1);
    expect(JSON.parse(writes[0] ?? '')).toMatchObject({ leaseUntil: NOW + 15 * SECOND, owner: expect.any(String) });
  });

  it("retries its own receipts on its timer, not another live tab's (all would wake at once and send it)", async () => {
    const { shared, view, sync } = laggingStorages();
    const a = fetchDouble(null, 503);
    const b = fetchDouble(null, 503);
    const first = tab(a.fetch, view());
    const second = tab(b.fetch, view());
    const [ra, rb] = [receipt(), receipt()];
    first.outbox.add(ra);
    second.outbox.add(rb);
    await wait(0);
    sync(); // each tab now sees both receipts, due at the same instant
    await wait(SECOND);
    expect(a.ids()).toEqual([ra.receiptId, ra.receiptId]);
    expect(b.ids()).toEqual([rb.receiptId, rb.receiptId]);
    sync();
    expect(storedIds(shared).sort()).toEqual([ra.receiptId, rb.receiptId].sort());
  });

  it('retries on its timer the receipts a closed page handed on', async () => {
    const storage = fakeStorage();
    const a = fetchDouble(storage, 503);
    const b = fetchDouble(storage, 503);
    const page = new EventTarget() as Window;
    const closing = tab(a.fetch, storage, page);
    const open = tab(b.fetch, storage);
    const [ra, rb] = [receipt(), receipt()];
    closing.outbox.add(ra);
    open.outbox.add(rb);
    await wait(0);
    page.dispatchEvent(new Event('pagehide'));
    closing.outbox.stop();
    await wait(SECOND);
    expect(b.ids().sort()).toEqual([ra.receiptId, rb.receiptId, rb.receiptId].sort());
  });
});

describe('version-1 outbox', () => {
  const entry = (r: Receipt) => ({ receipt: r, attempts: 3, nextAttemptAt: NOW + 60 * SECOND, leaseUntil: 0 });

  it('moves the receipts of the single-key list to keys of their own and delivers them', async () => {
    const storage = fakeStorage();
    const old = [receipt(), receipt()];
    storage.setItem(KEY, JSON.stringify(old.map(entry)));
    const { fetch, ids } = fetchDouble(storage, 201);
    const page = tab(fetch, storage);
    page.outbox.flush();
    expect(storage.getItem(KEY)).toBeNull();
    await wait(0);
    expect(ids().sort()).toEqual(old.map((r) => r.receiptId).sort());
    expect(page.delivered).toHaveLength(2);
    expect(stored(storage)).toEqual([]);
  });

  it('keeps the list while its receipts cannot be stored under their own keys', async () => {
    const storage = fakeStorage();
    const old = receipt();
    storage.setItem(KEY, JSON.stringify([entry(old)]));
    const full = {
      ...storage,
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    } as KeyValueStore;
    Object.defineProperty(full, 'length', { get: () => storage.length });
    const { fetch, ids } = fetchDouble(null, 503);
    tab(fetch, full).outbox.flush();
    await wait(0);
    expect(ids()).toEqual([old.receiptId]); // sent from memory
    expect(JSON.parse(storage.getItem(KEY) ?? '[]')).toHaveLength(1); // and still there for the next page
  });
});

describe('stop', () => {
  it('stops retrying, and flushes nothing after', async () => {
    const storage = fakeStorage();
    const { fetch, calls } = fetchDouble(storage, 503);
    const { outbox } = tab(fetch, storage);
    outbox.add(receipt());
    await wait(0);
    outbox.stop();
    outbox.flush();
    await wait(10 * 60 * SECOND);
    expect(calls).toHaveLength(1);
    expect(stored(storage)).not.toEqual([]); // kept for the next page
  });
});

describe('without storage', () => {
  it.each([
    ['there is no localStorage', () => null],
    [
      'localStorage throws',
      () => ({
        getItem: () => null,
        setItem: () => {
          throw new DOMException('quota', 'QuotaExceededError');
        },
        removeItem: () => {},
        length: 0,
        key: () => null,
      }),
    ],
  ])('sends directly when %s, keeps failed receipts in memory and retries them', async (_, storage) => {
    const { fetch, calls } = fetchDouble(null, 'offline', 201);
    const { outbox, delivered, dropped } = tab(fetch, storage());
    const r = receipt();
    expect(() => outbox.add(r)).not.toThrow();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.init.keepalive).toBe(true);
    // A navigation now would lose it: the page is told, once.
    expect(dropped).toEqual([{ message: expect.stringMatching(/could not be stored.*keepalive/), receipt: r }]);
    await wait(SECOND);
    expect(calls).toHaveLength(2);
    expect(delivered).toEqual([r]);
    expect(dropped).toHaveLength(1);
  });

  it('treats an unreadable outbox as empty and reports it once', async () => {
    const storage = fakeStorage();
    storage.setItem(KEY, '{not json');
    const { fetch, calls } = fetchDouble(storage, 201);
    const { outbox, dropped } = tab(fetch, storage);
    expect(() => outbox.flush()).not.toThrow();
    expect(dropped).toEqual([{ message: expect.stringContaining('unreadable'), receipt: undefined }]);
    expect(stored(storage)).toEqual([]);
    outbox.add(receipt());
    await wait(0);
    expect(calls).toHaveLength(1);
    expect(dropped).toHaveLength(1);
  });

  it('removes an unreadable receipt key, reports it once, and still sends the others', async () => {
    const storage = fakeStorage();
    const good = receipt();
    storage.setItem(`${KEY}:broken`, '{not json');
    storage.setItem(
      `${KEY}:${good.receiptId}`,
      JSON.stringify({ receipt: good, attempts: 1, nextAttemptAt: NOW, leaseUntil: 0 }),
    );
    storage.setItem('unrelated', '{not json either');
    const { fetch, ids } = fetchDouble(storage, 201);
    const { outbox, dropped } = tab(fetch, storage);
    outbox.flush();
    await wait(0);
    expect(dropped).toEqual([{ message: expect.stringContaining(`${KEY}:broken`), receipt: undefined }]);
    expect(ids()).toEqual([good.receiptId]);
    expect([...storage.items.keys()]).toEqual(['unrelated']);
  });

  it('treats JSON that is not a list of receipts as unreadable', async () => {
    const storage = fakeStorage();
    storage.setItem(KEY, '[{"receipt":null}]');
    const { fetch, calls } = fetchDouble(storage, 201);
    const { outbox, dropped } = tab(fetch, storage);
    outbox.flush();
    await wait(0);
    expect(calls).toHaveLength(0);
    expect(dropped).toHaveLength(1);
  });
});
