// @vitest-environment node
import fc from 'fast-check';
import Cookies from 'js-cookie';
import { describe, expect, it } from 'vitest';
import type { Decision } from './decision.js';
import { consentCookieTime, consentCookieValue, readConsent } from './server.js';
import { createConsentStore, encodeConsent } from './storage.js';
import { fakeEnv, fakeJar, resolvedConfig } from './test-env.js';

const POLICY = '2024-01-01';
const options = { policyVersion: POLICY };
const at = (method: Decision['method'], analytics: boolean, functional = analytics): Decision => ({
  subjectId: '0b7e3a52-6f1c-4d2e-9a8b-1c2d3e4f5a6b',
  policyVersion: POLICY,
  timestamp: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(),
  method,
  categories: { necessary: true, analytics, functional },
});
const accepted = at('accept_all', true);
const rejected = at('reject_all', false);
/** As the browser sends it: js-cookie's encoding of the value. */
const pair = (name: string, value: string) =>
  `${name}=${encodeURIComponent(value).replace(/%(3A|2B)/g, decodeURIComponent)}`;

describe('readConsent', () => {
  it('returns the decision the consent cookie holds', () => {
    const header = `_ga=GA1.1.1; ${pair('paloma_consent', encodeConsent(rejected))}; theme=dark`;
    expect(readConsent(header, options)).toEqual(rejected);
  });

  it('reads the __Host- name the SDK writes on https, before the plain one a sibling can plant', () => {
    const header = [
      pair('paloma_consent', encodeConsent(accepted)),
      pair('__Host-paloma_consent', encodeConsent(rejected)),
    ];
    expect(readConsent(header.join('; '), options)).toEqual(rejected);
    expect(readConsent(header.reverse().join('; '), options)).toEqual(rejected);
  });

  it('reads the version-1 (plain) name when there is no __Host- cookie', () => {
    expect(readConsent(pair('paloma_consent', encodeConsent(accepted)), options)).toEqual(accepted);
  });

  it('counts two differing cookies of the name as undecided, two equal ones as one', () => {
    const a = pair('paloma_consent', encodeConsent(accepted));
    const r = pair('paloma_consent', encodeConsent(rejected));
    expect(readConsent(`${a}; ${r}`, options)).toBeNull();
    expect(readConsent(`${r}; ${r}`, options)).toEqual(rejected);
    expect(readConsent(`__Host-${a}; __Host-${r}`, options)).toBeNull();
  });

  it.each([
    ['no header', undefined],
    ['a null header', null],
    ['an empty header', ''],
    ['no consent cookie', '_ga=1; theme=dark'],
    ['garbage', 'paloma_consent=garbage'],
    ['broken percent-encoding', 'paloma_consent=%E0%A4%A'],
    ['another policy version', pair('paloma_consent', encodeConsent({ ...accepted, policyVersion: '2023-01-01' }))],
    ['Accept all with a category off', pair('paloma_consent', encodeConsent(at('accept_all', true, false)))],
    ['Reject all with a category on', pair('paloma_consent', encodeConsent(at('reject_all', false, true)))],
    [
      'a category listed twice',
      pair('paloma_consent', encodeConsent(rejected).replace('functional:0', 'functional:0+analytics:1')),
    ],
  ])('returns null for %s', (_, header) => {
    expect(readConsent(header, options)).toBeNull();
  });

  it('honours cookieName and the configuration’s own categories', () => {
    const header = pair('consent', encodeConsent(accepted));
    expect(readConsent(header, options)).toBeNull();
    expect(readConsent(header, { ...options, cookieName: 'consent' })).toEqual(accepted);
    // A category added since the decision has not been asked about.
    expect(readConsent(header, { ...options, cookieName: 'consent', categories: { marketing: {} } })).toBeNull();
    const withMarketing = { ...accepted, categories: { ...accepted.categories, marketing: true } };
    expect(
      readConsent(pair('paloma_consent', encodeConsent(withMarketing)), { ...options, categories: { marketing: {} } }),
    ).toEqual(withMarketing);
  });

  it('keeps a policy version that needs percent-encoding in the cookie', () => {
    const d = { ...accepted, policyVersion: 'v 2; ü' };
    expect(readConsent(pair('paloma_consent', encodeConsent(d)), { policyVersion: 'v 2; ü' })).toEqual(d);
  });

  it('returns null, never throws, for invalid options', () => {
    expect(readConsent(pair('paloma_consent', encodeConsent(accepted)), {} as typeof options)).toBeNull();
    expect(readConsent('x', undefined as unknown as typeof options)).toBeNull();
    expect(readConsent('x', { policyVersion: POLICY, cookieName: 'bad name;' })).toBeNull();
  });

  it('never throws on any header', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (header) => readConsent(header, options) === null));
  }, 20_000); // a shared CI machine: a hundred runs take seconds under load

  it('decides as the browser does on the same cookies', () => {
    const values = [encodeConsent(accepted), encodeConsent(rejected), 'garbage', encodeConsent(at('gpc', false, true))];
    const http = { protocol: 'http:', hostname: 'www.paloma.test', origin: '', pathname: '/' };
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...values), { maxLength: 3 }), (cookies) => {
        const planted = cookies.map((v) => ['paloma_consent', v] as [string, string]);
        const browser = createConsentStore(
          resolvedConfig(),
          fakeEnv({ location: http, cookies: fakeJar({}, planted), now: Date.now }),
        );
        const header = planted.map(([n, v]) => pair(n, v)).join('; ');
        expect(readConsent(header, options)).toEqual(browser.read().decision);
      }),
    );
  });

  it('reads the header of a fetch Request, as edge runtimes hand it over', () => {
    const request = new Request('https://www.paloma.test/', {
      headers: { cookie: `a=1; ${pair('__Host-paloma_consent', encodeConsent(rejected))}` },
    });
    expect(readConsent(request.headers.get('cookie'), options)).toEqual(rejected);
    expect(readConsent(new Request('https://www.paloma.test/').headers.get('cookie'), options)).toBeNull();
  });
});

describe('consentCookieValue', () => {
  const RECEIPT_ID = '7d444840-9dc0-41d1-8c6b-6a4b6a0c1f55';
  const receipt = (decision: Decision) => ({ ...decision, receiptId: RECEIPT_ID, language: 'en', notice: null });

  it('is the value the SDK writes for the decision, encoded as js-cookie encodes it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.boolean(), (policyVersion, analytics) => {
        const decision = { ...at('custom', analytics, !analytics), policyVersion };
        expect(consentCookieValue(receipt(decision))).toBe(
          Cookies.converter.write(encodeConsent(decision, RECEIPT_ID), 'paloma_consent'),
        );
      }),
    );
  });

  it('reads back as the same decision, chained to the receipt, on the server and in the browser', () => {
    for (const decision of [accepted, rejected, at('custom', true, false), { ...accepted, policyVersion: 'v 2; ü' }]) {
      const value = consentCookieValue(receipt(decision));
      expect(value).toMatch(/^[^\s;,"\\]+$/); // a cookie-octet string: nothing a Set-Cookie header cannot carry
      const header = `__Host-paloma_consent=${value}`;
      expect(readConsent(header, { policyVersion: decision.policyVersion })).toEqual(decision);
      const https = { protocol: 'https:', hostname: 'www.paloma.test', origin: '', pathname: '/' };
      const jar = fakeJar({ '__Host-paloma_consent': value });
      const config = resolvedConfig({ policyVersion: decision.policyVersion });
      const stored = createConsentStore(config, fakeEnv({ location: https, cookies: jar, now: Date.now })).read();
      expect(stored).toEqual({ decision, subjectId: decision.subjectId, lastReceiptId: RECEIPT_ID });
    }
  });
});

describe('consentCookieTime', () => {
  it('gives the time of the decision a cookie of the name holds, whatever its policy', () => {
    const other = { ...accepted, policyVersion: 'another', timestamp: '2026-03-01T10:00:00.123Z' };
    const header = `a=1; ${pair('__Host-paloma_consent', encodeConsent(other))}`;
    expect(consentCookieTime(header, '__Host-paloma_consent')).toBe(Date.parse(other.timestamp));
  });

  it('is undefined for no cookie, a value of no format the SDK writes, or two differing cookies', () => {
    const value = encodeConsent(accepted);
    expect(consentCookieTime(pair('paloma_consent', value), '__Host-paloma_consent')).toBeUndefined();
    expect(consentCookieTime(undefined, 'paloma_consent')).toBeUndefined();
    expect(consentCookieTime('paloma_consent=2.x.y', 'paloma_consent')).toBeUndefined();
    expect(
      consentCookieTime(`paloma_consent=${value.replace(/^1\.[^.]+/, '1.nope')}`, 'paloma_consent'),
    ).toBeUndefined();
    const two = [pair('paloma_consent', value), pair('paloma_consent', encodeConsent(rejected))].join('; ');
    expect(consentCookieTime(two, 'paloma_consent')).toBeUndefined();
  });
});
