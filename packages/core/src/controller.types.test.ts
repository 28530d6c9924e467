// Type tests: `npm run typecheck` compiles this file, so each `@ts-expect-error` line fails the check if
// it ever compiles (a typo the types no longer catch). Vitest runs it too: every mistake the types catch is
// still handled at run time, as a JavaScript page or a JSON block gets it.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ConsentConfig, DefaultCategoryId, TextKey } from './config.js';
import { type Consent, createConsent } from './controller.js';
import type { Env } from './env.js';
import { fakeEnv } from './test-env.js';

const POLICY = '2024-01-01';

describe('createConsent of a literal configuration', () => {
  it('infers the category ids: has() and set() of an id the configuration lacks fail to compile', () => {
    const consent = createConsent({ policyVersion: POLICY, categories: { shop: { title: 'Shop' } } }, fakeEnv());
    expectTypeOf(consent).toEqualTypeOf<Consent<'shop' | DefaultCategoryId>>();
    expectTypeOf(consent.has).parameter(0).toEqualTypeOf<'shop' | 'necessary' | 'analytics' | 'functional'>();

    consent.set({ shop: true, analytics: false });
    expect(consent.has('shop')).toBe(true);
    // @ts-expect-error: a typo of an id
    expect(consent.has('shpo')).toBe(false);
    // @ts-expect-error: an id the configuration does not add
    consent.set({ shop: true, marketing: true });
    expect(consent.get()?.categories).toEqual({ necessary: true, analytics: false, functional: false, shop: true });
  });

  it('knows the default categories when the configuration adds none', () => {
    const consent = createConsent({ policyVersion: POLICY }, fakeEnv());
    expectTypeOf(consent.has).parameter(0).toEqualTypeOf<DefaultCategoryId>();
    // @ts-expect-error: the default category is `analytics`
    expect(consent.has('analitycs')).toBe(false);
    expect(consent.has('necessary')).toBe(true);
  });

  it.each([
    // @ts-expect-error: a misspelt key, ignored with a warning at run time
    ['policyVerison', (env: Env) => createConsent({ policyVerison: POLICY }, env)],
    // @ts-expect-error: a layout that does not exist
    ['layout', (env: Env) => createConsent({ policyVersion: POLICY, layout: 'sidebar' }, env)],
    // @ts-expect-error: a misspelt key of a nested object
    ['cookie.nmae', (env: Env) => createConsent({ policyVersion: POLICY, cookie: { nmae: 'c' } }, env)],
    // @ts-expect-error: a SameSite value browsers do not know
    ['cookie.sameSite', (env: Env) => createConsent({ policyVersion: POLICY, cookie: { sameSite: 'lax' } }, env)],
    [
      'categories.analytics.cookies',
      // @ts-expect-error: a category's cookies are a list
      (env: Env) => createConsent({ policyVersion: POLICY, categories: { analytics: { cookies: '_ga' } } }, env),
    ],
    [
      'googleConsentMode.mapping.analytics[0]',
      (env: Env) =>
        // @ts-expect-error: a Consent Mode type Google does not define
        createConsent({ policyVersion: POLICY, googleConsentMode: { mapping: { analytics: ['ads'] } } }, env),
    ],
  ])('rejects a mistake in %s at compile time, and the run time reports it', (path, create) => {
    const env = fakeEnv();
    create(env);
    const logged = [...env.console.warn.mock.calls, ...env.console.error.mock.calls].flat().join(' ');
    expect(logged).toContain(`${path}:`);
  });

  it('rejects a misspelt text key at compile time (the run time keeps it, and no text uses it)', () => {
    // @ts-expect-error: the key is `bannerTitle`
    const consent = createConsent({ policyVersion: POLICY, texts: { en: { bannerTitel: 'Cookies' } } }, fakeEnv());
    expect(consent.config?.texts.en).toEqual({ bannerTitel: 'Cookies' });
  });

  it("types texts by the UI's keys and the added categories' titles and descriptions", () => {
    type Config = NonNullable<Parameters<typeof createConsent<'shop'>>[0]>;
    expectTypeOf<keyof NonNullable<NonNullable<Config['texts']>['ru']>>().toEqualTypeOf<
      TextKey | `${'shop' | DefaultCategoryId}${'Title' | 'Description'}`
    >();
    const consent = createConsent(
      {
        policyVersion: POLICY,
        categories: { shop: {} },
        texts: { ru: { bannerTitle: 'Мы используем cookie', shopTitle: 'Магазин', shopDescription: 'Корзина' } },
      },
      fakeEnv(),
    );
    expect(consent.config?.texts.ru).toEqual({
      bannerTitle: 'Мы используем cookie',
      shopTitle: 'Магазин',
      shopDescription: 'Корзина',
    });
    // @ts-expect-error: `shop` is not a category of this configuration, so `shopTitle` is no text of it
    createConsent({ policyVersion: POLICY, texts: { en: { shopTitle: 'Shop' } } }, fakeEnv());
  });
});

describe('createConsent of a configuration typed otherwise', () => {
  it('takes a value typed unknown (a JSON block) and checks it at run time', () => {
    const json: unknown = JSON.parse('{"policyVersion": 2024}');
    const env = fakeEnv();
    const consent = createConsent(json, env);
    expectTypeOf(consent).toEqualTypeOf<Consent>();
    expect(consent.config).toBeNull();
    expect(env.console.error.mock.calls.flat().join(' ')).toContain('policyVersion:');
  });

  it('takes a ConsentConfig variable, with any category id', () => {
    const config: ConsentConfig = { policyVersion: POLICY, categories: { shop: {} } };
    const consent = createConsent(config, fakeEnv());
    expectTypeOf(consent.has).parameter(0).toEqualTypeOf<string>();
    expect(consent.has('shop')).toBe(false);
  });
});
