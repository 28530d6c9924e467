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
  /**
   * A receipt was given up, or could not be stored (so a navigation may lose it), or, without one, an
   * unreadable entry was removed; the message says which.
   */
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

/** Version 1 kept every receipt in one list under this key; now each has a key of its own, `KEY:<receiptId>`. */
const KEY = 'paloma_consent_outbox';
const PREFIX = `${KEY}:`;
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
/**
 * Chromium refuses a `keepalive` request once the bodies of a page's keepalive requests in flight
 * would pass 64 KiB; version 2 receipts carry their notice (a few KB each), so a flush of many waiting
 * ones sends keepalive only those that fit, the others as ordinary requests (a navigation cancels
 * them, and they stay in the outbox for the next page).
 */
const KEEPALIVE = 65_536;
/** The endpoint says the receipt itself is wrong: sending it again cannot help. */
const INVALID = [400, 409, 413, 415, 422];

/** `Retry-After` in milliseconds from now: seconds or an HTTP date; 0 when absent or unreadable. */
export const retryAfter = (value: string | null, now: number): number =>
  (value && (Number.isFinite(+value) ? +value * SECOND : Date.parse(value) - now)) || 0;

/**
 * The outbox behind at-least-once delivery: every receipt is written to
 * `localStorage` before it is sent and removed only when the endpoint answers 2xx,
 * so it survives a navigation right after the click, errors, time-outs and offline
 * periods. Failed sends retry with exponential backoff and jitter.
 *
 * Tabs share the outbox. Each receipt has a key of its own and a tab only ever
 * rewrites a receipt's own key: `localStorage` is not transactional across tabs (each
 * keeps a copy it syncs later), so a shared list read, changed and written back by
 * two tabs at once would lose one tab's receipt. Before sending, a tab takes a short
 * lease on the receipt; the collector deduplicates by `receiptId` whatever still
 * slips through. Where storage is unavailable or full, the receipt lives in memory
 * for the page, and the controller is told.
 */
export function createOutbox(env: Env, endpoint: string, hooks: OutboxHooks): Outbox {
  // This page's name on the leases it takes: drawn at its first send, not on every page load.
  let owner: string | undefined;
  /** Receipts storage could not keep, by id. */
  const memory = new Map<string, Entry>();
  let timer: unknown;
  let stopped = false;
  /** Bytes of this page's keepalive bodies in flight. */
  let inflight = 0;

  const unset = (key: string) => {
    try {
      env.storage!.removeItem(key);
    } catch {}
  };

  /** Writes the entry under its own key; `false` when storage cannot keep it (null, throws, full). */
  const save = (entry: Entry) => {
    const id = entry.receipt.receiptId;
    try {
      env.storage!.setItem(PREFIX + id, JSON.stringify(entry));
      memory.delete(id);
      return true;
    } catch {
      memory.set(id, entry);
      return false;
    }
  };

  const remove = (id: string) => {
    memory.delete(id);
    unset(PREFIX + id);
  };

  /** The entries under one key (version 1's key: a list); an unreadable one is removed and reported once. */
  const read = (key: string): Entry[] => {
    try {
      const raw = env.storage?.getItem(key);
      if (!raw) return [];
      const value = JSON.parse(raw);
      const entries: Entry[] = key === KEY ? value : [value];
      // Anything but entries throws here or fails the check.
      if (entries.every((e) => e.receipt.receiptId && e.nextAttemptAt >= 0)) return entries;
    } catch {}
    unset(key);
    hooks.onDropped(`localStorage ${key} unreadable: removed`);
    return [];
  };

  const get = (id: string): Entry | undefined => memory.get(id) ?? read(PREFIX + id)[0];

  /** Every waiting receipt, oldest first, read afresh each time: other tabs add and remove theirs. */
  const load = (): Entry[] => {
    // A version-1 list moves to one key per receipt; it goes only once each of its receipts is stored.
    let moved = true;
    for (const e of read(KEY)) if (!read(PREFIX + e.receipt.receiptId).length && !save(e)) moved = false;
    if (moved) unset(KEY);
    const keys: string[] = [];
    try {
      for (let i = 0; i < env.storage!.length; i++) keys.push(env.storage!.key(i)!);
    } catch {}
    const entries = new Map<string, Entry>();
    for (const key of keys) if (key.startsWith(PREFIX)) for (const e of read(key)) entries.set(e.receipt.receiptId, e);
    for (const [id, e] of memory) entries.set(id, e);
    return [...entries.values()].sort((a, b) => Date.parse(a.receipt.timestamp) - Date.parse(b.receipt.timestamp));
  };

  const drop = ({ receipt }: Entry, why: string) => {
    remove(receipt.receiptId);
    hooks.onDropped(`receipt ${receipt.receiptId} dropped: ${why}`, receipt);
  };

  /** Drops receipts older than 30 days, then the oldest beyond 50, so a dead endpoint cannot fill the storage. */
  const prune = (entries: Entry[]): Entry[] => {
    const now = env.now();
    const expired = entries.filter((e) => now - Date.parse(e.receipt.timestamp) > MAX_AGE);
    const kept = entries.filter((e) => !expired.includes(e));
    const overflow = kept.splice(0, kept.length - MAX_ENTRIES);
    for (const e of expired) drop(e, 'not delivered in 30 days');
    for (const e of overflow) drop(e, `outbox full (${MAX_ENTRIES})`);
    return kept;
  };

  /**
   * What this tab retries on its timer: its own receipts, nobody's (a closed page's), and those under
   * a lease that may have died with its tab. Not another live tab's: every tab would wake at the same
   * instant for it and send it too, before the others' leases reach it.
   */
  const mine = (e: Entry) => !e.owner || e.owner === owner || e.leaseUntil > 0;

  /** One timer, for the earliest receipt due (or lease running out). */
  const schedule = () => {
    env.clearTimeout(timer);
    const next = Math.min(
      ...load()
        .filter(mine)
        .map((e) => Math.max(e.nextAttemptAt, e.leaseUntil || 0)),
    );
    if (!stopped && next < Infinity) {
      // Capped: browsers fire timers over 24.8 days at once.
      timer = env.setTimeout(() => pump(), Math.min(next - env.now(), MAX_DELAY));
    }
  };

  /** Sends every receipt that is due (`force`: every waiting one). */
  const pump = (force?: boolean) => {
    if (stopped) return;
    const now = env.now();
    for (const e of prune(load())) if (force || (mine(e) && e.nextAttemptAt <= now)) send(e.receipt.receiptId);
    schedule();
  };

  const send = (id: string) => {
    const entry = get(id);
    // Not when delivered meanwhile, or while another tab is sending it.
    if (entry && !(entry.leaseUntil > env.now())) post(entry);
  };

  /** Takes the lease, writing it (synchronously, before any request) with the entry, then sends. */
  const post = async (entry: Entry) => {
    const id = entry.receipt.receiptId;
    entry.leaseUntil = env.now() + LEASE;
    entry.owner = owner ??= env.randomUUID();
    save(entry);
    // Two tabs may take the lease at once: the last write wins, and only its owner sends.
    if (get(id)?.owner !== owner) return;

    const abort = new AbortController();
    const timeout = env.setTimeout(() => abort.abort(), TIMEOUT);
    let status = 0;
    let wait = 0;
    const body = JSON.stringify(entry.receipt);
    const size = new Blob([body]).size;
    const keepalive = inflight + size <= KEEPALIVE;
    if (keepalive) inflight += size;
    try {
      const response = await env.fetch!(endpoint, {
        method: 'POST',
        // Outlives the page, so a navigation right after the click does not cancel it.
        keepalive,
        // Cookies go to the site's own origin only: a collector mounted there answers with the consent cookie
        // (Set-Cookie, which `omit` would make the browser drop); a collector elsewhere gets none.
        credentials: 'same-origin',
        // The Referer would carry the query string the receipt leaves out.
        referrerPolicy: 'strict-origin',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': id },
        body,
        signal: abort.signal,
      });
      status = response.status;
      wait = retryAfter(response.headers.get('Retry-After'), env.now());
    } catch {} // offline, timed out, blocked: tried again later
    env.clearTimeout(timeout);
    if (keepalive) inflight -= size;

    const mine = get(id);
    const delivered = status > 199 && status < 300;
    const invalid = INVALID.includes(status);
    if (delivered || invalid) remove(id);
    else if (mine) {
      mine.attempts = (mine.attempts || 0) + 1;
      const backoff = Math.min(SECOND * 2 ** (mine.attempts - 1), MAX_DELAY) * (0.8 + Math.random() * 0.4);
      mine.nextAttemptAt = env.now() + Math.max(backoff, wait);
      mine.leaseUntil = 0;
      save(mine);
    }
    if (invalid) drop(entry, `refused as invalid (HTTP ${status})`);
    if (delivered) {
      hooks.onDelivered(entry.receipt);
      pump(true); // the endpoint is back: the receipts backing off need not wait
    } else schedule();
  };

  /**
   * A page that goes away never learns how its requests ended: it hands its receipts on, leases
   * included, so the next page sends them within 2 s instead of waiting the lease out, and open
   * tabs retry them. The cost is a duplicate when a request got through after all, which the
   * receiver deduplicates by `receiptId`.
   */
  const release = () => {
    for (const e of owner ? load() : []) if (e.owner === owner) save({ ...e, leaseUntil: 0, owner: undefined });
  };
  env.window?.addEventListener('pagehide', release);

  return {
    add(receipt) {
      // Stored with its lease in one write: another tab must never see it unleased while this one sends it.
      post({ receipt, attempts: 0, nextAttemptAt: env.now(), leaseUntil: 0 });
      if (memory.has(receipt.receiptId)) {
        const why = 'localStorage full or blocked: sent with keepalive, lost if not delivered before the page closes';
        hooks.onDropped(`receipt ${receipt.receiptId} could not be stored (${why})`, receipt);
      }
      prune(load());
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
