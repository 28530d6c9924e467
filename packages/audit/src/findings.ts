/**
 * The rules: pure functions from what the visits recorded to findings. Nothing here touches a browser,
 * so every rule is tested with literal pages (test/findings.test.ts).
 */
import { knownCookie, matches } from './known-cookies.js';
import type { CookieRecord, Finding, PageConfig, PageReport, Visit, VisitKind } from './report.js';
import { VISIT_NAMES } from './report.js';

/** The SDK's receipts outbox in localStorage: strictly necessary, like the consent cookie. */
export const OUTBOX_KEY = 'paloma_consent_outbox';

/** Accept and reject may differ by rounding, not by design. */
const SIZE_TOLERANCE_PX = 1;
const DAY_MS = 86_400_000;

export interface Verdict {
  category: string | null;
  necessary: boolean;
  /** `sdk`: the SDK's own; `config`: a category's pattern; `known`: the built-in table; `unknown`: none. */
  by: 'sdk' | 'config' | 'known' | 'unknown';
  pattern?: string;
  vendor?: string;
}

/** Which category a cookie or storage key belongs to, by the page's configuration first. */
export function classify(name: string, config: PageConfig): Verdict {
  const sdkCookie = name === config.cookieName || name === `__Host-${config.cookieName}`;
  if (sdkCookie || name === OUTBOX_KEY) return { category: 'necessary', necessary: true, by: 'sdk' };
  for (const category of config.categories) {
    const pattern = category.cookies.find((p) => matches(p, name));
    if (pattern) return { category: category.id, necessary: category.required, by: 'config', pattern };
  }
  const known = knownCookie(name);
  if (known) return { category: known.category, necessary: false, by: 'known', vendor: known.vendor };
  return { category: null, necessary: false, by: 'unknown' };
}

const where = (verdict: Verdict) =>
  verdict.by === 'config'
    ? `category "${verdict.category}", pattern ${verdict.pattern}`
    : `${verdict.vendor}, a ${verdict.category} tag`;

const isConsentCookie = (cookie: CookieRecord, config: PageConfig) =>
  cookie.name === config.cookieName || cookie.name === `__Host-${config.cookieName}`;

/** What must not be there before consent or after Reject all: optional cookies, storage, third-party requests. */
function leaks(page: PageReport, visit: Visit, config: PageConfig): Finding[] {
  const when = visit.kind === 'before' ? 'before-consent' : 'after-reject';
  const finding = (kind: string, message: string, evidence: Finding['evidence']): Finding => ({
    code: `${kind}-${when}`,
    severity: 'violation',
    page: page.url,
    visit: visit.kind,
    message: `${message} ${VISIT_NAMES[visit.kind]}`,
    evidence,
  });
  const out: Finding[] = [];
  for (const cookie of visit.cookies) {
    const verdict = classify(cookie.name, config);
    if (verdict.necessary) continue;
    const evidence = { cookie: cookie.name, domain: cookie.domain, firstParty: cookie.firstParty };
    if (verdict.by === 'config' || verdict.by === 'known') {
      out.push(
        finding('cookie', `cookie ${cookie.name} (${where(verdict)}) is set`, {
          ...evidence,
          category: verdict.category ?? null,
        }),
      );
    } else if (!cookie.firstParty) {
      out.push(
        finding('cookie', `third-party cookie ${cookie.name} on ${cookie.domain} is set`, {
          ...evidence,
          category: null,
        }),
      );
    }
  }
  for (const area of ['localStorage', 'sessionStorage'] as const) {
    for (const key of visit[area]) {
      const verdict = classify(key, config);
      if (verdict.necessary || verdict.by === 'unknown') continue;
      out.push(
        finding('storage', `${area} key ${key} (${where(verdict)}) is stored`, {
          key,
          area,
          category: verdict.category ?? null,
        }),
      );
    }
  }
  const hosts = new Map<string, Visit['requests']>();
  for (const request of visit.requests) {
    if (request.sameSite || config.allowedHosts.includes(request.host)) continue;
    hosts.set(request.host, [...(hosts.get(request.host) ?? []), request]);
  }
  for (const [host, requests] of hosts) {
    const cookieSent = requests.some((r) => r.cookieSent);
    out.push(
      finding('request', `${requests.length} request(s) to third party ${host}${cookieSent ? ' with cookies' : ''}`, {
        host,
        count: requests.length,
        cookieSent,
        urls: [...new Set(requests.map((r) => r.url))].slice(0, 5),
      }),
    );
  }
  return out;
}

/** Cookies no category's pattern covers: the configuration should list them (and can then delete them). */
function uncovered(page: PageReport, config: PageConfig): Finding[] {
  const seen = new Map<string, { cookie: CookieRecord; visits: VisitKind[] }>();
  for (const visit of page.visits) {
    for (const cookie of visit.cookies) {
      const entry = seen.get(cookie.name) ?? { cookie, visits: [] };
      if (!entry.visits.includes(visit.kind)) entry.visits.push(visit.kind);
      seen.set(cookie.name, entry);
    }
  }
  const out: Finding[] = [];
  for (const [name, { cookie, visits }] of seen) {
    const verdict = classify(name, config);
    if (verdict.by === 'sdk' || verdict.by === 'config') continue;
    const guess = verdict.by === 'known' ? `; it probably belongs to ${verdict.category} (${verdict.vendor})` : '';
    const which = visits.map((v) => VISIT_NAMES[v]).join(', ');
    out.push({
      code: 'uncovered-cookie',
      severity: 'warning',
      page: page.url,
      visit: visits.includes('accept') ? 'accept' : (visits[0] ?? null),
      message: `cookie ${name} (seen ${which}) is in no category's cookies list${guess}`,
      evidence: {
        cookie: name,
        domain: cookie.domain,
        firstParty: cookie.firstParty,
        visits,
        probableCategory: verdict.by === 'known' ? (verdict.category ?? null) : null,
        vendor: verdict.vendor ?? null,
      },
    });
  }
  return out;
}

/** Reject all on the first layer, accept and reject of one size, no optional switch on by default. */
function bannerRules(page: PageReport): Finding[] {
  const banner = page.banner;
  if (!banner) return [];
  const finding = (code: string, message: string, evidence: Finding['evidence']): Finding => ({
    code,
    severity: 'violation',
    page: page.url,
    visit: 'before',
    message,
    evidence,
  });
  const out: Finding[] = [];
  if (!banner.reject) {
    out.push(
      finding('reject-not-on-first-layer', 'the banner has no Reject all button on its first layer', {
        lookedFor: banner.rejectLabel ?? '',
      }),
    );
  }
  if (!banner.accept) {
    out.push({ ...finding('accept-not-found', 'the banner has no Accept all button', {}), severity: 'warning' });
  }
  const { accept, reject } = banner;
  if (accept && reject) {
    const off =
      Math.abs(accept.width - reject.width) > SIZE_TOLERANCE_PX ||
      Math.abs(accept.height - reject.height) > SIZE_TOLERANCE_PX;
    if (off) {
      out.push(
        finding('unequal-buttons', `Accept all (${size(accept)}) and Reject all (${size(reject)}) differ in size`, {
          accept: size(accept),
          reject: size(reject),
        }),
      );
    }
  }
  for (const s of banner.switches) {
    if (s.checked && !s.disabled) {
      out.push(
        finding('preticked-switch', `the optional switch "${s.label}" is on before any choice`, {
          label: s.label,
          firstLayer: s.firstLayer,
        }),
      );
    }
  }
  return out;
}

const size = (box: { width: number; height: number }) => `${Math.round(box.width)}×${Math.round(box.height)} px`;

/** The consent cookie after Accept all lives as long as `cookie.maxAgeDays` says, give or take a day. */
function lifetime(page: PageReport, config: PageConfig): Finding[] {
  const visit = page.visits.find((v) => v.kind === 'accept');
  if (!visit) return [];
  const cookie = visit.cookies.find((c) => isConsentCookie(c, config));
  const base = { page: page.url, visit: 'accept' as const, code: 'consent-cookie-lifetime' };
  if (!cookie) {
    return [
      {
        ...base,
        code: 'consent-cookie-missing',
        severity: 'warning',
        message: `no consent cookie ${config.cookieName} after Accept all`,
        evidence: { cookie: config.cookieName },
      },
    ];
  }
  const expected = config.maxAgeDays;
  if (cookie.expires === null) {
    return [
      {
        ...base,
        severity: 'warning',
        message: `the consent cookie ${cookie.name} is a session cookie; the configuration says ${expected} days`,
        evidence: { cookie: cookie.name, expectedDays: expected, actualDays: null },
      },
    ];
  }
  const days = Math.round(((Date.parse(cookie.expires) - Date.parse(visit.at)) / DAY_MS) * 10) / 10;
  const evidence = { cookie: cookie.name, expectedDays: expected, actualDays: days };
  // Longer than stated keeps a consent past its stated period; shorter only asks again early (Safari caps script cookies).
  if (days > expected + 1) {
    return [
      {
        ...base,
        severity: 'violation',
        message: `the consent cookie ${cookie.name} lasts ${days} days, longer than maxAgeDays ${expected}`,
        evidence,
      },
    ];
  }
  if (days < expected - 1) {
    return [
      {
        ...base,
        severity: 'warning',
        message: `the consent cookie ${cookie.name} lasts ${days} days, shorter than maxAgeDays ${expected}`,
        evidence,
      },
    ];
  }
  return [];
}

/** Every finding about one page. */
export function pageFindings(page: PageReport): Finding[] {
  const config = page.config;
  if (!config) return [];
  const out: Finding[] = [];
  if (config.source === 'none') {
    out.push({
      code: 'config-not-found',
      severity: 'warning',
      page: page.url,
      visit: null,
      message: 'no #paloma-consent-config block on the page (pass --config FILE): the SDK defaults were assumed',
      evidence: {},
    });
  }
  if (config.problems.length > 0) {
    out.push({
      code: 'config-invalid',
      severity: 'warning',
      page: page.url,
      visit: null,
      message: `the consent configuration is invalid: ${config.problems.join('; ')}`,
      evidence: { problems: config.problems },
    });
  }
  for (const visit of page.visits) if (visit.kind !== 'accept') out.push(...leaks(page, visit, config));
  out.push(...uncovered(page, config), ...bannerRules(page), ...lifetime(page, config));
  return out;
}

/** Site-wide: a pattern the site's configuration lists that no cookie on any audited page ever matched. */
export function unusedPatterns(pages: PageReport[]): Finding[] {
  const names = new Set(pages.flatMap((p) => p.visits.flatMap((v) => v.cookies.map((c) => c.name))));
  const out = new Map<string, Finding>();
  for (const page of pages) {
    for (const category of page.config?.categories ?? []) {
      for (const pattern of category.declared) {
        const key = `${category.id}\u0000${pattern}`;
        if (out.has(key) || [...names].some((name) => matches(pattern, name))) continue;
        out.set(key, {
          code: 'unused-pattern',
          severity: 'warning',
          page: page.url,
          visit: null,
          message: `category "${category.id}" lists ${pattern}, which no audited page ever set`,
          evidence: { category: category.id, pattern, pages: pages.length },
        });
      }
    }
  }
  return [...out.values()];
}
