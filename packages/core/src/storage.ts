import type { Category, ResolvedConfig } from './config.js';
import { type Decision, METHODS, type Method } from './decision.js';
import type { Env } from './env.js';

/** What the consent cookie restores. */
export interface Stored {
  /** `null` when undecided: no cookie, or one that is malformed, tampered or for another policy version. */
  decision: Decision | null;
  /** Kept from a cookie of an older policy version, so a visitor's receipts stay linked. */
  subjectId?: string;
  /** The last receipt sent for this subject, to chain the next one to it. */
  lastReceiptId?: string;
}

const FORMAT = '1';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CHOICE = /^([a-z][a-z0-9_]*):([01])$/;
const DAY = 86_400_000;

/**
 * `1.<subjectId>.<time base36>.<method>.<id:1+id:0>.<lastReceiptId>.<policyVersion>`:
 * compact, and the policy version goes last so it may hold dots.
 */
export function encodeConsent(decision: Decision, lastReceiptId = ''): string {
  const choices = Object.entries(decision.categories)
    .map(([id, allowed]) => `${id}:${allowed ? 1 : 0}`)
    .join('+');
  const time = Date.parse(decision.timestamp).toString(36);
  return [FORMAT, decision.subjectId, time, decision.method, choices, lastReceiptId, decision.policyVersion].join('.');
}

/** What decoding needs of the configuration (the server-side read has no full one). */
export interface DecodeOptions {
  policyVersion: string;
  categories: readonly Pick<Category, 'id' | 'required'>[];
}

/**
 * Total: whatever the cookie holds, returns a value and never throws. `null` (differing cookies
 * of the same name, see `cookieValue`) is undecided like any other bad value.
 */
export function decodeConsent(value: string | null | undefined, config: DecodeOptions, now: number): Stored {
  const parts = (value ?? '').split('.');
  const [format, subjectId = '', time = '', method = '', choices = '', lastReceiptId = ''] = parts;
  const policyVersion = parts.slice(6).join('.');
  if (format !== FORMAT || parts.length < 7 || !UUID.test(subjectId)) return { decision: null };
  const linked: Stored = { decision: null, subjectId };
  if (UUID.test(lastReceiptId)) linked.lastReceiptId = lastReceiptId;

  const millis = Number.parseInt(time, 36);
  const inFuture = millis > now + DAY; // a little clock skew is normal; a date in the future is not
  if (!/^[0-9a-z]+$/.test(time) || inFuture || !METHODS.includes(method as Method)) return linked;
  if (policyVersion !== config.policyVersion) return linked;

  // No prototype: a category id such as "constructor" must not find Object's.
  const categories: Record<string, boolean> = Object.create(null);
  for (const choice of choices.split('+')) {
    const match = CHOICE.exec(choice);
    // A category listed twice is no cookie the SDK wrote: which of the two would count?
    if (!match || (match[1] as string) in categories) return linked;
    categories[match[1] as string] = match[2] === '1';
  }
  for (const { id, required } of config.categories) {
    const allowed = categories[id];
    // A category added since the decision has not been asked about: ask again. Choices that contradict the
    // method (`accept_all` with one off, `reject_all` or `gpc` with an optional one on) were not written by the SDK.
    if (
      allowed === undefined ||
      (required && !allowed) ||
      (method === 'accept_all' && !allowed) ||
      ((method === 'reject_all' || method === 'gpc') && allowed && !required)
    )
      return linked;
  }
  const known = Object.fromEntries(config.categories.map((c) => [c.id, categories[c.id] as boolean]));
  linked.decision = {
    subjectId,
    policyVersion,
    timestamp: new Date(millis).toISOString(),
    method: method as Method,
    categories: known,
  };
  return linked;
}

/**
 * The time of the decision a cookie value holds, whatever its policy version and choices; `undefined`
 * when it is no value `encodeConsent` writes. For a receiver (`server.ts`); the engine does not use it.
 */
export function decisionTime(value: string | null | undefined): number | undefined {
  const [format, subjectId = '', time = ''] = (value ?? '').split('.');
  return format === FORMAT && UUID.test(subjectId) && /^[0-9a-z]+$/.test(time) ? Number.parseInt(time, 36) : undefined;
}

/** `__Host-` cookies can only be set by the host itself, Secure, with `Path=/` and no `Domain`. */
export const HOST_PREFIX = '__Host-';

/**
 * The one value `header` (as `document.cookie` or a `Cookie` request header holds it) gives `name`:
 * `undefined` when there is none, `null` when there are differing ones. A sibling subdomain can add a
 * cookie of the same name for the parent domain, or for a longer path that the browser lists first;
 * with no way to tell which one the visitor's decision wrote, neither counts.
 */
export function cookieValue(header: string, name: string): string | null | undefined {
  let found: string | null | undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== name) continue;
    let value = pair.slice(at + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {} // broken percent-encoding: the raw value, which no decision matches
    if (found !== undefined && found !== value) return null;
    found = value;
  }
  return found;
}

export interface ConsentStore {
  /** The cookie's name: `__Host-` prefixed where the browser can enforce that only this host wrote it. */
  name: string;
  read(): Stored;
  write(decision: Decision, lastReceiptId?: string): void;
  clear(): void;
}

/**
 * The consent cookie. Where cookies are disabled or the jar throws (sandboxed frames), nothing is
 * stored and nothing throws: the controller's own state keeps the decision for the page.
 */
export function createConsentStore(config: ResolvedConfig, env: Env): ConsentStore {
  const { cookies } = env;
  const { name: v1, domain, path, maxAgeDays, sameSite } = config.cookie;
  const https = env.location?.protocol === 'https:';
  // Where nothing asks for a wider cookie, the prefix makes the browser refuse any cookie of this name that
  // another host (a sibling subdomain) or another path would set.
  const prefixed = https && !domain && path === '/';
  const name = prefixed ? HOST_PREFIX + v1 : v1;
  const attributes = {
    path,
    domain,
    expires: maxAgeDays,
    sameSite,
    // SameSite=None is rejected without Secure; on http the cookie could not be set at all.
    secure: https || sameSite === 'None',
  };
  const attempt = <T>(action: () => T) => {
    try {
      return action();
    } catch {}
  };
  // Without `header()` (a custom jar) only one cookie of a name can be seen.
  const value = (cookie: string, header = cookies.header?.()) =>
    header === undefined ? cookies.get(cookie) : cookieValue(header, cookie);
  const read = () => {
    // One read for both names: each read of `document.cookie` is a round trip to the browser (milliseconds at
    // load), and a first visit looks for both.
    const header = cookies.header?.();
    let found = value(name, header);
    if (prefixed && found === undefined) {
      // The version-1 name: moved to the prefixed one, but only when it was this host's own cookie (host-only,
      // `Path=/`, what version 1 wrote here): if it is still there once that one is removed, a sibling planted it.
      found = value(v1, header);
      if (found) {
        cookies.remove(v1, attributes);
        if (value(v1) === undefined) cookies.set(name, found, attributes);
        else found = null;
      }
    }
    return found;
  };
  return {
    name,
    read: () => decodeConsent(attempt(read), config, env.now()),
    write: (decision, lastReceiptId) =>
      attempt(() => cookies.set(name, encodeConsent(decision, lastReceiptId), attributes)),
    clear: () => attempt(() => cookies.remove(name, attributes)),
  };
}
