import { describe, expect, it, vi } from 'vitest';
import { type ConsentModeType, DEFAULT_CONSENT_MODE } from './config.js';
import { consentModeState, createConsentMode, gpcRefuses } from './signals.js';

const DENIED = {
  ad_storage: 'denied',
  ad_user_data: 'denied',
  ad_personalization: 'denied',
  analytics_storage: 'denied',
  functionality_storage: 'denied',
  personalization_storage: 'denied',
  security_storage: 'granted',
} as const;

/** For calls that must not fail: a report fails the test. */
const fail = (error: unknown) => {
  throw error;
};

describe('gpcRefuses', () => {
  it('refuses only when navigator.globalPrivacyControl is true', () => {
    expect(gpcRefuses({ globalPrivacyControl: true })).toBe(true);
    expect(gpcRefuses({ globalPrivacyControl: false })).toBe(false);
    expect(gpcRefuses({})).toBe(false);
    expect(gpcRefuses(undefined)).toBe(false);
  });
});

describe('consentModeState', () => {
  it('denies everything but security storage before any decision', () => {
    expect(consentModeState(DEFAULT_CONSENT_MODE, {})).toEqual(DENIED);
  });

  it('grants analytics_storage for analytics', () => {
    expect(consentModeState(DEFAULT_CONSENT_MODE, { necessary: true, analytics: true, functional: false })).toEqual({
      ...DENIED,
      analytics_storage: 'granted',
    });
  });

  it('grants functionality_storage and personalization_storage for functional', () => {
    expect(consentModeState(DEFAULT_CONSENT_MODE, { necessary: true, analytics: false, functional: true })).toEqual({
      ...DENIED,
      functionality_storage: 'granted',
      personalization_storage: 'granted',
    });
  });

  it('keeps ad_* denied when every category is allowed', () => {
    expect(
      consentModeState(DEFAULT_CONSENT_MODE, { necessary: true, analytics: true, functional: true }),
    ).toMatchObject({ ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied' });
  });

  it('follows a custom mapping', () => {
    const mapping: Record<string, ConsentModeType[]> = {
      analytics: ['analytics_storage', 'ad_user_data'],
      marketing: ['ad_storage'],
    };
    expect(consentModeState(mapping, { analytics: true, marketing: false, functional: true })).toEqual({
      ...DENIED,
      analytics_storage: 'granted',
      ad_user_data: 'granted',
    });
  });
});

describe('createConsentMode', () => {
  type GtagWindow = { gtag?: (...args: unknown[]) => void; dataLayer?: unknown[] };
  const asWindow = (w: GtagWindow) => w as unknown as Window;

  it('sends the default, then each update in order, through window.gtag when present', () => {
    const w: GtagWindow = { gtag: vi.fn() };
    const mode = createConsentMode(asWindow(w), DEFAULT_CONSENT_MODE, fail);
    mode.setDefault();
    mode.update({ necessary: true, analytics: true, functional: false });
    mode.update({ necessary: true, analytics: false, functional: false });
    expect(vi.mocked(w.gtag)?.mock.calls).toEqual([
      ['consent', 'default', DENIED],
      ['consent', 'update', { ...DENIED, analytics_storage: 'granted' }],
      ['consent', 'update', DENIED],
    ]);
    expect(w.dataLayer).toBeUndefined();
  });

  it('queues Arguments objects, not arrays, on window.dataLayer without gtag', () => {
    const earlier = { event: 'gtm.js' };
    const w: GtagWindow = { dataLayer: [earlier] };
    const mode = createConsentMode(asWindow(w), DEFAULT_CONSENT_MODE, fail);
    mode.setDefault();
    mode.update({ necessary: true, analytics: false, functional: true });
    const [first, ...queued] = w.dataLayer ?? [];
    expect(first).toBe(earlier);
    for (const entry of queued) {
      expect(Array.isArray(entry)).toBe(false);
      expect(Object.prototype.toString.call(entry)).toBe('[object Arguments]');
    }
    expect(queued.map((entry) => Array.from(entry as ArrayLike<unknown>))).toEqual([
      ['consent', 'default', DENIED],
      ['consent', 'update', { ...DENIED, functionality_storage: 'granted', personalization_storage: 'granted' }],
    ]);
  });

  it('creates window.dataLayer when the page has none', () => {
    const w: GtagWindow = {};
    createConsentMode(asWindow(w), DEFAULT_CONSENT_MODE, fail).setDefault();
    expect(w.dataLayer).toHaveLength(1);
  });
});

describe('createConsentMode with a broken page', () => {
  it.each([
    [
      'a gtag that throws',
      {
        gtag: () => {
          throw new Error('broken gtag');
        },
      },
    ],
    ['a dataLayer that is not a list', { dataLayer: {} }],
  ])('reports %s instead of throwing', (_, w) => {
    const reported: unknown[] = [];
    const mode = createConsentMode(w as unknown as Window, DEFAULT_CONSENT_MODE, (error) => reported.push(error));
    expect(() => mode.setDefault()).not.toThrow();
    expect(() => mode.update({ analytics: true })).not.toThrow();
    expect(reported).toHaveLength(2);
  });
});
