import type { IncomingMessage } from 'node:http';
import { consentCookieTime, consentCookieValue } from '@paloma365/consent-core/server';
import { isHttps, type TrustProxy } from './net.js';
import type { Receipt } from './validate.js';

/** How the collector re-issues the consent cookie (see `CollectorOptions.consentCookie`). */
export interface ConsentCookieOptions {
  /** The cookie's name as the SDK writes it on the site: `__Host-paloma_consent` on https. */
  name: string;
  /** `Domain`, only when the SDK's `cookie.domain` sets one; a `__Host-` name can have none. */
  domain?: string | undefined;
  trustProxy: TrustProxy;
  now: () => number;
  /** Told once for each reason a request could not get the cookie. */
  warn: (message: string) => void;
}

/** RFC 6265's token: what a cookie name may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DOMAIN = /^\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;

/**
 * The `Set-Cookie` value that re-issues an accepted receipt's decision as the consent cookie, or
 * `undefined` when none should be sent. The browser then keeps the cookie for as long as the receipt
 * says (`Max-Age` to its `expiresAt`), where a cookie script writes is capped (Safari: 7 days).
 * Throws at creation on a name or domain no browser would accept.
 */
export function createConsentCookie(options: ConsentCookieOptions) {
  const { name, domain, trustProxy, now, warn } = options;
  if (!TOKEN.test(name)) throw new Error(`consentCookie must be a cookie name (letters, digits, _-.), got "${name}"`);
  if (domain !== undefined && !DOMAIN.test(domain)) {
    throw new Error(`consentCookieDomain must be a domain name, got "${domain}"`);
  }
  const host = name.startsWith('__Host-');
  // The browser refuses a __Host- cookie that names a domain: every answer would be ignored.
  if (host && domain !== undefined) throw new Error(`a __Host- consent cookie (${name}) cannot have a Domain`);
  // __Host- and __Secure- cookies are refused without Secure, which a browser refuses over http.
  const needsHttps = host || name.startsWith('__Secure-');
  const warned = new Set<string>();
  const skip = (message: string) => {
    if (!warned.has(message)) warn(`${message} (said once)`);
    warned.add(message);
    return undefined;
  };

  return (req: IncomingMessage, receipt: Receipt): string | undefined => {
    // Version 1 receipts have no expiresAt, and the SDKs that send them omit credentials, so the browser would drop it.
    if (receipt.version !== 2) return undefined;
    const secure = isHttps(req, trustProxy);
    if (needsHttps && !secure) return skip(`the consent cookie ${name} needs https: not re-issued over http`);
    // The SDK on an https page writes the prefixed name; a plain one beside it would be read (and taken over)
    // once the prefixed one is gone, say after reset(), bringing an old decision back.
    if (!host && consentCookieTime(req.headers.cookie, `__Host-${name}`) !== undefined) {
      return skip(
        `the site's consent cookie is __Host-${name}: not re-issued as ${name}; set consentCookie to __Host-${name}`,
      );
    }
    // A retry of an older receipt (the outbox delivers late) must not undo the decision the visitor made since:
    // the request's cookie only ever holds the SDK back, its value is never copied.
    const current = consentCookieTime(req.headers.cookie, name);
    if (current !== undefined && current > Date.parse(receipt.timestamp)) return undefined;
    const seconds = Math.max(0, Math.floor((Date.parse(receipt.expiresAt) - now()) / 1000));
    const attributes = [`Max-Age=${seconds}`, 'Path=/', ...(domain ? [`Domain=${domain}`] : []), 'SameSite=Lax'];
    return [`${name}=${consentCookieValue(receipt)}`, ...attributes, ...(secure ? ['Secure'] : [])].join('; ');
  };
}
