/**
 * `@paloma365/consent-core/server`: the visitor's decision from a `Cookie` request header, for
 * server-side rendering (leave out the tags of refused categories, render no banner placeholder for
 * a decided visitor), and the consent cookie's value for a receipt, for a receiver that re-issues it
 * (the collector). Plain string work on the header: no DOM, no js-cookie and no Node API, so it
 * runs on Node, Deno, Bun and edge runtimes.
 */
import { type ConsentConfig, validateConfig } from './config.js';
import type { Decision } from './decision.js';
import { cookieValue, decisionTime, decodeConsent, encodeConsent, HOST_PREFIX } from './storage.js';

export type { Decision, Method } from './decision.js';

export interface ReadConsentOptions {
  /** The `policyVersion` of the page's configuration: a decision for another version is `null`. */
  policyVersion: string;
  /**
   * The `categories` of the page's configuration (only their ids matter), when it adds any: a
   * decision that was not asked about one of them is `null`, as in the browser.
   * @default the built-in `necessary`, `analytics`, `functional`
   */
  categories?: ConsentConfig['categories'];
  /** `cookie.name` of the page's configuration. @default "paloma_consent" */
  cookieName?: string;
}

/**
 * The decision the consent cookie in `cookieHeader` holds, or `null` when the visitor counts as
 * undecided: no cookie, a malformed, tampered, inconsistent or other-policy one, two differing
 * cookies of the name (one planted by another subdomain), or invalid options. Reads
 * `__Host-<cookieName>` when the header has it (what the SDK writes on https), else the plain name.
 * Never throws.
 *
 * The browser engine stays the authority for what runs: render gated tags as
 * `type="text/plain" data-category`, and use this to leave out what a visitor refused.
 *
 * @example
 * const decision = readConsent(request.headers.get('cookie'), { policyVersion: '2024-01-01' });
 * const analytics = decision?.categories.analytics === true;
 */
export function readConsent(cookieHeader: string | null | undefined, options: ReadConsentOptions): Decision | null {
  try {
    const validation = validateConfig({
      policyVersion: options.policyVersion,
      categories: options.categories,
      cookie: { name: options.cookieName },
    });
    if (!validation.ok) return null;
    const { config } = validation;
    const header = typeof cookieHeader === 'string' ? cookieHeader : '';
    const prefixed = cookieValue(header, HOST_PREFIX + config.cookie.name);
    const value = prefixed === undefined ? cookieValue(header, config.cookie.name) : prefixed;
    return decodeConsent(value, config, Date.now()).decision;
  } catch {
    return null; // `options` itself unreadable (a getter that throws): undecided, as promised
  }
}

/** What the consent cookie keeps of a receipt: its decision, and its id, which chains the subject's next one. */
export interface ReceiptDecision extends Decision {
  receiptId: string;
}

/**
 * The consent cookie's value for a receipt's decision, percent-encoded for a `Set-Cookie` header: what
 * the SDK itself writes once it has sent that receipt (its own encoder, and js-cookie's encoding), so the
 * SDK and `readConsent` read it back as the same decision. Built from the receipt alone, never from a
 * cookie a request carried (which anyone able to plant a cookie could have chosen).
 *
 * @example
 * res.setHeader('Set-Cookie', `__Host-paloma_consent=${consentCookieValue(receipt)}; Max-Age=15724800; Path=/; Secure; SameSite=Lax`);
 */
export function consentCookieValue(receipt: ReceiptDecision): string {
  const { receiptId, subjectId, policyVersion, timestamp, method, categories } = receipt;
  const value = encodeConsent({ subjectId, policyVersion, timestamp, method, categories }, receiptId);
  // js-cookie's own write converter: only the characters a cookie value cannot hold stay escaped.
  return encodeURIComponent(value).replace(/%(2[346BF]|3[AC-F]|40|5[BDE]|60|7[BCD])/g, decodeURIComponent);
}

/**
 * When the decision in the consent cookie `name` of `cookieHeader` was made (milliseconds), whatever
 * its policy version or categories; `undefined` when there is no such cookie, two differing ones, or
 * one of no format the SDK writes. A receiver compares it with a receipt's time, so that a late
 * receipt of an older decision does not overwrite a newer one (it never copies the cookie).
 */
export function consentCookieTime(cookieHeader: string | null | undefined, name: string): number | undefined {
  try {
    return decisionTime(cookieValue(typeof cookieHeader === 'string' ? cookieHeader : '', name));
  } catch {
    return undefined; // a `name` that is no string: no cookie of it, as promised
  }
}
