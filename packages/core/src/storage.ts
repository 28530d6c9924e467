import type { ResolvedConfig } from './config.js';
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

/** Total: whatever the cookie holds, returns a value and never throws. */
export function decodeConsent(value: string | undefined, config: ResolvedConfig, now: number): Stored {
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
    if (!match) return linked;
    categories[match[1] as string] = match[2] === '1';
  }
  for (const category of config.categories) {
    const allowed = categories[category.id];
    // A category added since the decision has not been asked about: ask again.
    if (allowed === undefined || (category.required && !allowed)) return linked;
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

export interface ConsentStore {
  read(): Stored;
  write(decision: Decision, lastReceiptId?: string): void;
  clear(): void;
}

/**
 * The consent cookie. Where cookies are disabled or the jar throws (sandboxed frames), nothing is
 * stored and nothing throws: the controller's own state keeps the decision for the page.
 */
export function createConsentStore(config: ResolvedConfig, env: Env): ConsentStore {
  const { name, domain, path, maxAgeDays, sameSite } = config.cookie;
  const attributes = {
    path,
    domain,
    expires: maxAgeDays,
    sameSite,
    // SameSite=None is rejected without Secure; on http the cookie could not be set at all.
    secure: env.location?.protocol === 'https:' || sameSite === 'None',
  };
  const attempt = <T>(action: () => T) => {
    try {
      return action();
    } catch {}
  };
  return {
    read: () =>
      decodeConsent(
        attempt(() => env.cookies.get(name)),
        config,
        env.now(),
      ),
    write: (decision, lastReceiptId) =>
      attempt(() => env.cookies.set(name, encodeConsent(decision, lastReceiptId), attributes)),
    clear: () => attempt(() => env.cookies.remove(name, { path, domain })),
  };
}
