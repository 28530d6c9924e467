import type { CookieJar } from './env.js';

const toRegExp = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

/** The host and each parent domain a cookie may have been set on: `a.b.com` → `a.b.com`, `b.com`. */
export function cookieDomains(hostname: string): string[] {
  if (!hostname.includes('.') || /^[\d.]+$/.test(hostname) || hostname.includes(':')) return [];
  const labels = hostname.split('.');
  return labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'));
}

/**
 * Deletes the cookies whose names match the patterns (`*` is a wildcard). Analytics
 * tools set theirs on the widest domain they can (`_ga` on `.paloma365.com`), and a
 * cookie can only be deleted with the domain it was set with, so every candidate is tried.
 * `keep` is never deleted: a pattern as wide as `*` must not take the consent cookie with it.
 * @returns the names of the deleted cookies
 */
export function deleteCookies(jar: CookieJar, patterns: readonly string[], hostname: string, keep?: string): string[] {
  if (patterns.length === 0) return [];
  const matchers = patterns.map(toRegExp);
  // `document.cookie` throws in sandboxed frames; clean-up is best effort and must not break a decision.
  try {
    const names = Object.keys(jar.get()).filter((name) => name !== keep && matchers.some((m) => m.test(name)));
    const domains = cookieDomains(hostname);
    for (const name of names) {
      jar.remove(name, { path: '/' });
      for (const domain of domains) jar.remove(name, { path: '/', domain });
    }
    return names;
  } catch {
    return [];
  }
}
