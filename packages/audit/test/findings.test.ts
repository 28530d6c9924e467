import { describe, expect, it } from 'vitest';
import { resolvePageConfig } from '../src/config.js';
import { classify, pageFindings, unusedPatterns } from '../src/findings.js';
import type { CookieRecord, PageReport, Visit, VisitKind } from '../src/report.js';

const URL_ = 'https://shop.example/';
const AT = '2026-12-01T00:00:00.000Z';
const config = (value: unknown = { policyVersion: '1', categories: { analytics: { cookies: ['_ga', '_ga_*'] } } }) =>
  resolvePageConfig({ source: 'page', value }, URL_).config;

const cookie = (name: string, extra: Partial<CookieRecord> = {}): CookieRecord => ({
  name,
  domain: 'shop.example',
  path: '/',
  expires: null,
  firstParty: true,
  httpOnly: false,
  secure: false,
  sameSite: 'Lax',
  ...extra,
});

const visit = (kind: VisitKind, extra: Partial<Visit> = {}): Visit => ({
  kind,
  at: AT,
  decidedBy: kind === 'before' ? null : 'button',
  cookies: [],
  localStorage: [],
  sessionStorage: [],
  requests: [],
  ...extra,
});

const consentCookie = (days = 182) =>
  cookie('paloma_consent', { expires: new Date(Date.parse(AT) + days * 86_400_000).toISOString() });
const fair = {
  acceptLabel: 'Accept all',
  rejectLabel: 'Reject all',
  accept: { width: 120, height: 44 },
  reject: { width: 120, height: 44 },
  preferencesOpened: true,
  switches: [],
};

const page = (visits: Visit[], extra: Partial<PageReport> = {}): PageReport => ({
  url: URL_,
  title: 'Shop',
  language: 'en',
  durationMs: 1,
  error: null,
  config: config(),
  banner: fair,
  visits: [
    visit('before'),
    visit('reject', { cookies: [consentCookie()] }),
    visit('accept', { cookies: [consentCookie()] }),
  ].map((v) => visits.find((w) => w.kind === v.kind) ?? v),
  ...extra,
});

const codes = (p: PageReport) => pageFindings(p).map((f) => `${f.severity} ${f.code} ${f.visit}`);

describe('classify', () => {
  it('counts the SDK consent cookie (also __Host-) and its outbox key as strictly necessary', () => {
    for (const name of ['paloma_consent', '__Host-paloma_consent', 'paloma_consent_outbox']) {
      expect(classify(name, config())).toMatchObject({ necessary: true, by: 'sdk' });
    }
  });
  it('follows the configured cookie name', () => {
    expect(classify('consent_v2', config({ policyVersion: '1', cookie: { name: 'consent_v2' } })).by).toBe('sdk');
    expect(classify('paloma_consent', config({ policyVersion: '1', cookie: { name: 'consent_v2' } })).by).not.toBe(
      'sdk',
    );
  });
  it('uses the category patterns first, then the table of well-known cookies', () => {
    expect(classify('_ga_X1', config())).toMatchObject({ category: 'analytics', by: 'config', pattern: '_ga_*' });
    expect(classify('_ym_isad', config())).toMatchObject({
      category: 'analytics',
      by: 'known',
      vendor: 'Yandex Metrica',
    });
    expect(classify('YSC', config())).toMatchObject({ category: 'functional', by: 'known', vendor: 'YouTube' });
    expect(classify('_fbp', config())).toMatchObject({ category: 'marketing', by: 'known' });
    expect(classify('PHPSESSID', config())).toMatchObject({ category: null, by: 'unknown' });
  });
  it('treats the necessary category’s own patterns as necessary', () => {
    const c = config({ policyVersion: '1', categories: { necessary: { cookies: ['PHPSESSID'] } } });
    expect(classify('PHPSESSID', c)).toMatchObject({ necessary: true, by: 'config' });
  });
});

describe('pageFindings', () => {
  it('finds nothing on a page that stores only the consent cookie until Accept all', () => {
    const accepted = visit('accept', { cookies: [consentCookie(), cookie('_ga'), cookie('_ga_X')] });
    expect(pageFindings(page([accepted]))).toEqual([]);
  });

  it('reports an optional cookie before consent and after Reject all as violations', () => {
    const before = visit('before', { cookies: [cookie('_ga')] });
    const reject = visit('reject', { cookies: [consentCookie(), cookie('_ym_uid')] });
    const found = pageFindings(page([before, reject]));
    expect(found.filter((f) => f.severity === 'violation').map((f) => [f.code, f.evidence.cookie])).toEqual([
      ['cookie-before-consent', '_ga'],
      ['cookie-after-reject', '_ym_uid'],
    ]);
  });

  it('reports a third-party cookie and third-party requests before consent, with whether cookies were sent', () => {
    const before = visit('before', {
      cookies: [cookie('uid', { domain: '.tracker.test', firstParty: false })],
      requests: [
        {
          url: 'http://px.tracker.test/a',
          host: 'px.tracker.test',
          method: 'GET',
          resourceType: 'image',
          cookieSent: true,
          sameSite: false,
        },
        {
          url: 'http://px.tracker.test/b',
          host: 'px.tracker.test',
          method: 'GET',
          resourceType: 'image',
          cookieSent: false,
          sameSite: false,
        },
        {
          url: 'https://cdn.shop.example/app.js',
          host: 'cdn.shop.example',
          method: 'GET',
          resourceType: 'script',
          cookieSent: false,
          sameSite: true,
        },
      ],
    });
    const found = pageFindings(page([before])).filter((f) => f.severity === 'violation');
    expect(found.map((f) => f.code)).toEqual(['cookie-before-consent', 'request-before-consent']);
    expect(found[1]?.evidence).toMatchObject({ host: 'px.tracker.test', count: 2, cookieSent: true });
  });

  it('lets requests go to the receipts endpoint’s host and to --allow-host hosts', () => {
    const value = { policyVersion: '1', endpoint: 'https://receipts.example/consent' };
    const c = resolvePageConfig({ source: 'page', value }, URL_, ['cdn.vendor.test']).config;
    const req = (host: string) => ({
      url: `https://${host}/x`,
      host,
      method: 'POST',
      resourceType: 'fetch',
      cookieSent: false,
      sameSite: false,
    });
    const before = visit('before', { requests: [req('receipts.example'), req('cdn.vendor.test')] });
    expect(pageFindings(page([before], { config: c }))).toEqual([]);
  });

  it('reports optional storage keys before consent; unknown keys are only listed', () => {
    const before = visit('before', {
      localStorage: ['_ym_retryReqs', 'cart', 'paloma_consent_outbox'],
      sessionStorage: ['_hjSession'],
    });
    expect(codes(page([before]))).toEqual([
      'violation storage-before-consent before',
      'violation storage-before-consent before',
    ]);
  });

  it('reports a cookie no category covers once, with the category it probably belongs to', () => {
    const accept = visit('accept', {
      cookies: [consentCookie(), cookie('_ga'), cookie('_ym_isad'), cookie('session')],
    });
    const found = pageFindings(page([accept]));
    expect(found.map((f) => [f.code, f.severity, f.evidence.cookie, f.evidence.probableCategory])).toEqual([
      ['uncovered-cookie', 'warning', '_ym_isad', 'analytics'],
      ['uncovered-cookie', 'warning', 'session', null],
    ]);
    expect(found[0]?.message).toContain('Yandex Metrica');
  });

  it('reports a banner without Reject all, with buttons of unequal size, and a pre-ticked optional switch', () => {
    const noReject = { ...fair, reject: null };
    expect(codes(page([], { banner: noReject }))).toEqual(['violation reject-not-on-first-layer before']);
    const loud = { ...fair, accept: { width: 240, height: 60 } };
    expect(codes(page([], { banner: loud }))).toEqual(['violation unequal-buttons before']);
    const rounding = { ...fair, accept: { width: 120.5, height: 44 } };
    expect(codes(page([], { banner: rounding }))).toEqual([]);
    const switches = [
      { label: 'Strictly necessary', checked: true, disabled: true, firstLayer: false },
      { label: 'Analytics', checked: true, disabled: false, firstLayer: false },
    ];
    expect(pageFindings(page([], { banner: { ...fair, switches } })).map((f) => f.evidence.label)).toEqual([
      'Analytics',
    ]);
  });

  it('compares the consent cookie’s lifetime with maxAgeDays', () => {
    const accept = (days: number) => visit('accept', { cookies: [consentCookie(days)] });
    expect(codes(page([accept(182)]))).toEqual([]);
    expect(codes(page([accept(400)]))).toEqual(['violation consent-cookie-lifetime accept']);
    expect(codes(page([accept(7)]))).toEqual(['warning consent-cookie-lifetime accept']);
    expect(codes(page([visit('accept')]))).toEqual(['warning consent-cookie-missing accept']);
    const c = config({ policyVersion: '1', cookie: { maxAgeDays: 30 } });
    expect(codes(page([accept(30)], { config: c }))).toEqual([]);
  });

  it('says when the configuration is missing or invalid', () => {
    const none = resolvePageConfig({ source: 'none' }, URL_).config;
    expect(codes(page([], { config: none }))).toEqual(['warning config-not-found null']);
    const bad = config({ policyVersion: 1 });
    expect(pageFindings(page([], { config: bad }))[0]).toMatchObject({ code: 'config-invalid' });
    expect(bad.problems[0]).toMatch(/policyVersion/);
  });
});

describe('unusedPatterns', () => {
  it('reports a pattern the site lists that no audited page ever set, once for the site', () => {
    const c = config({
      policyVersion: '1',
      categories: { analytics: { cookies: ['_ga', '_gid'] }, functional: { cookies: ['chat_*'] } },
    });
    const accept = visit('accept', { cookies: [consentCookie(), cookie('_ga'), cookie('chat_visitor')] });
    const pages = [page([accept], { config: c }), page([], { config: c, url: 'https://shop.example/b' })];
    expect(unusedPatterns(pages).map((f) => [f.code, f.evidence.category, f.evidence.pattern, f.page])).toEqual([
      ['unused-pattern', 'analytics', '_gid', URL_],
    ]);
  });
  it('ignores the SDK’s default patterns, which the site did not write', () => {
    const c = config({ policyVersion: '1' });
    expect(c.categories.find((x) => x.id === 'analytics')?.cookies).toContain('_gid');
    expect(unusedPatterns([page([], { config: c })])).toEqual([]);
  });
});
