// Type tests of the public package (see packages/core/src/controller.types.test.ts): `npm run typecheck`
// fails when an `@ts-expect-error` line below compiles.
import type { Consent, DefaultCategoryId, Env } from '@paloma365/consent-core';
import { expect, expectTypeOf, it, vi } from 'vitest';
import { createConsent, type PalomaConsentGlobal } from './index.js';

/** No document (so no UI), a console to read. */
const serverEnv = () => {
  const console = { warn: vi.fn<Console['warn']>(), error: vi.fn<Console['error']>() };
  const cookies = { get: () => undefined, set: () => {}, remove: () => {} } as unknown as Env['cookies'];
  const env: Env = {
    cookies,
    storage: null,
    now: () => 0,
    randomUUID: () => '0b7e2a4c-1d2f-4a6b-8c9d-0e1f2a3b4c5d',
    setTimeout: () => 0,
    clearTimeout: () => {},
    console,
  };
  return { ...env, console };
};

it('types createConsent by the configuration', () => {
  const consent = createConsent({ policyVersion: '1', categories: { shop: {} } }, serverEnv());
  expectTypeOf(consent).toEqualTypeOf<Consent<'shop' | DefaultCategoryId>>();
  // @ts-expect-error: not a category of this configuration
  expect(consent.has('shpo')).toBe(false);

  const env = serverEnv();
  // @ts-expect-error: a layout that does not exist
  // At run time a layout only the UI uses is a warning, and the default layout stays.
  expect(createConsent({ policyVersion: '1', layout: 'sidebar' }, env).config?.layout).toBe('bar');
  expect(env.console.warn.mock.calls.flat().join(' ')).toContain('layout:');
  // A configuration read at run time is typed unknown: accepted, and checked then.
  expect(createConsent(JSON.parse('{"policyVersion":"1"}') as unknown, serverEnv()).config).not.toBeNull();
});

it('types PalomaConsent.init like createConsent', () => {
  const init: PalomaConsentGlobal['init'] = vi.fn();
  init({ policyVersion: '1', language: 'kk' });
  // @ts-expect-error: a misspelt key
  init({ policyVerison: '1' });
  init(JSON.parse('{}') as unknown);
  expect(init).toHaveBeenCalledTimes(3);
  expectTypeOf<PalomaConsentGlobal>().toExtend<Consent>();
});
