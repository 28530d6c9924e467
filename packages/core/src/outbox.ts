import type { Env } from './env.js';
import type { Receipt } from './receipt.js';

/** A receipt waiting for the endpoint, as kept in `localStorage`. */
interface Entry {
  receipt: Receipt;
  /** Failed attempts so far: each one doubles the wait before the next. */
  attempts: number;
  nextAttemptAt: number;
  /** While one tab sends a receipt, other tabs leave it alone until this time (0: nobody sends it). */
  leaseUntil: number;
  /** The outbox (one per page) that took the lease. */
  owner?: string;
}

export interface OutboxHooks {
  /** The endpoint answered 2xx. */
  onDelivered(receipt: Receipt): void;
  /** A receipt was given up (or, without one, an unreadable outbox was emptied); the message says why. */
  onDropped(message: string, receipt?: Receipt): void;
}

export interface Outbox {
  /** Keeps the receipt, then sends it. */
  add(receipt: Receipt): void;
  /** On a new page: sends the oldest waiting receipt now and, once one gets through, all the others. */
  flush(): void;
  /** Stops retrying and flushing (requests in flight still settle); the receipts stay for the next page. */
  stop(): void;
}

const KEY = 'paloma_consent_outbox';
const SECOND = 1000;
const TIMEOUT = 10 * SECOND;
/**
 * Longer than a request may take (TIMEOUT), so no live tab sends a receipt another is
 * still sending; a page that closes releases its leases (`pagehide`), and one that dies
 * without that event hands its receipts on when they run out.
 */
const LEASE = 15 * SECOND;
const MAX_DELAY = 300 * SECOND;
const MAX_ENTRIES = 50;
const MAX_AGE = 30 * 86_400 * SECOND;
/** The endpoint says the receipt itself is wrong: sending it again cannot help. */
const INVALID = [400, 409, 413, 415, 422];

/** `Retry-After` in milliseconds from now: seconds or an HTTP date; 0 when absent or unreadable. */
export const retryAfter = (value: string | null, now: number): number =>
  (value && (Number.isFinite(+value) ? +value * SECOND : Date.parse(value) - now)) || 0;

/**
 * The outbox behind at-least-once delivery: every receipt is written to
 * `localStorage` (one key, JSON) before it is sent and removed only when the
 * endpoint answers 2xx, so it survives a navigation right after the click, errors,
 * time-outs and offline periods. Failed sends retry with exponential backoff and
 * jitter. Tabs share the outbox and take a short lease on a receipt before sending
 * it; the collector deduplicates by `receiptId` whatever still slips through.
 * Where storage is unavailable the outbox lives in memory for the page.
 */
export function createOutbox(env: Env, endpoint: string, hooks: OutboxHooks): Outbox {
  // This page's name on the leases it takes: drawn at its first send, not on every page load.
  let owner: string | undefined;
  let memory: Entry[] | undefined;
  let timer: unknown;
  let stopped = false;

  const save = (entries: Entry[]) => {
    try {
      // A null storage throws here too: either way the outbox falls back to memory.
      if (entries.length) env.storage!.setItem(KEY, JSON.stringify(entries));
      else env.storage!.removeItem(KEY);
      memory = undefined;
    } catch {
      memory = entries;
    }
  };

  /** Read afresh each time: other tabs share the outbox. */
  const load = (): Entry[] => {
    if (memory) return memory;
    try {
      const raw = env.storage?.getItem(KEY);
      if (!raw) return [];
      const entries = JSON.parse(raw);
      // Anything but a list of entries throws here or fails the check.
      if (entries.every((e: Entry) => e.receipt.receiptId && e.nextAttemptAt >= 0)) return entries;
    } catch {}
    save([]); // so it is reported once, not on every read
    hooks.onDropped('receipts outbox in localStorage unreadable: emptied');
    return [];
  };

  const drop = ({ receipt }: Entry, why: string) =>
    hooks.onDropped(`receipt ${receipt.receiptId} dropped: ${why}`, receipt);

  /** Drops receipts older than 30 days, then the oldest beyond 50, so a dead endpoint cannot fill the storage. */
  const prune = (entries: Entry[]): Entry[] => {
    const now = env.now();
    const expired = entries.filter((e) => now - Date.parse(e.receipt.timestamp) > MAX_AGE);
    const kept = entries.filter((e) => !expired.includes(e));
    const overflow = kept.splice(0, kept.length - MAX_ENTRIES);
    if (expired.length || overflow.length) save(kept);
    for (const e of expired) drop(e, 'not delivered in 30 days');
    for (const e of overflow) drop(e, `outbox full (${MAX_ENTRIES})`);
    return kept;
  };

  /** One timer, for the earliest receipt due (or lease running out). */
  const schedule = () => {
    env.clearTimeout(timer);
    const next = Math.min(...load().map((e) => Math.max(e.nextAttemptAt, e.leaseUntil || 0)));
    if (!stopped && next < Infinity) {
      // Capped: browsers fire timers over 24.8 days at once.
      timer = env.setTimeout(() => pump(), Math.min(next - env.now(), MAX_DELAY));
    }
  };

  /** Sends every receipt that is due (`force`: every waiting one). */
  const pump = (force?: boolean) => {
    if (stopped) return;
    const now = env.now();
    for (const e of prune(load())) if (force || e.nextAttemptAt <= now) send(e.receipt.receiptId);
    schedule();
  };

  const send = async (id: string) => {
    const now = env.now();
    const entries = load();
    const entry = entries.find((e) => e.receipt.receiptId === id);
    if (!entry || entry.leaseUntil > now) return; // delivered meanwhile, or another tab is sending it
    entry.leaseUntil = now + LEASE;
    entry.owner = owner ??= env.randomUUID();
    save(entries);
    // Two tabs may take the lease at once: the last write wins, and only its owner sends.
    if (load().find((e) => e.receipt.receiptId === id)?.owner !== owner) return;

    const abort = new AbortController();
    const timeout = env.setTimeout(() => abort.abort(), TIMEOUT);
    let status = 0;
    let wait = 0;
    try {
      const response = await env.fetch!(endpoint, {
        method: 'POST',
        // Outlives the page, so a navigation right after the click does not cancel it.
        keepalive: true,
        credentials: 'omit',
        // The Referer would carry the query string the receipt leaves out.
        referrerPolicy: 'strict-origin',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': id },
        body: JSON.stringify(entry.receipt),
        signal: abort.signal,
      });
      status = response.status;
      wait = retryAfter(response.headers.get('Retry-After'), env.now());
    } catch {} // offline, timed out, blocked: tried again later
    env.clearTimeout(timeout);

    const after = load();
    const mine = after.find((e) => e.receipt.receiptId === id);
    const delivered = status > 199 && status < 300;
    const invalid = INVALID.includes(status);
    if (delivered || invalid) save(after.filter((e) => e !== mine));
    else if (mine) {
      mine.attempts = (mine.attempts || 0) + 1;
      const backoff = Math.min(SECOND * 2 ** (mine.attempts - 1), MAX_DELAY) * (0.8 + Math.random() * 0.4);
      mine.nextAttemptAt = env.now() + Math.max(backoff, wait);
      mine.leaseUntil = 0;
      save(after);
    }
    if (invalid) drop(entry, `refused as invalid (HTTP ${status})`);
    if (delivered) {
      hooks.onDelivered(entry.receipt);
      pump(true); // the endpoint is back: the receipts backing off need not wait
    } else schedule();
  };

  /**
   * A page that goes away never learns how its requests ended: it hands its leases on, so the next
   * page sends those receipts within 2 s instead of waiting the lease out. The cost is a duplicate
   * when the request got through after all, which the receiver deduplicates by `receiptId`.
   */
  const release = () => {
    if (!owner) return; // nothing sent, nothing leased
    const entries = load();
    const mine = entries.filter((e) => e.owner === owner && e.leaseUntil > env.now());
    for (const e of mine) e.leaseUntil = 0;
    if (mine.length) save(entries);
  };
  env.window?.addEventListener('pagehide', release);

  return {
    add(receipt) {
      save(prune([...load(), { receipt, attempts: 0, nextAttemptAt: env.now(), leaseUntil: 0 }]));
      send(receipt.receiptId);
    },
    flush() {
      if (stopped) return;
      pump();
      // A new page need not wait out the last page's backoff, but one receipt tests the endpoint for all.
      const oldest = load().find((e) => !(e.leaseUntil > env.now()));
      if (oldest) send(oldest.receipt.receiptId);
    },
    stop() {
      stopped = true;
      env.clearTimeout(timer);
      env.window?.removeEventListener('pagehide', release);
    },
  };
}
