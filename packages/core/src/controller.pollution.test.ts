/**
 * A page, or a library it loads, that pollutes `Object.prototype` must not allow a category nobody
 * chose: decisions, `set()` choices and Consent Mode read own properties only.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DEFAULT_CONSENT_MODE } from './config.js';
import { type Consent, createConsent } from './controller.js';
import { consentModeState } from './signals.js';
import { fakeEnv, settle } from './test-env.js';

const polluted = ['tracking', 'analytics', 'functional'] as const;
const controllers: Consent[] = [];
const create = (config: Record<string, unknown> = {}) => {
  const consent = createConsent({ policyVersion: '2024-01-01', ...config }, fakeEnv({ document, window }));
  controllers.push(consent);
  return consent;
};

beforeEach(() => {
  window.ran = [];
  for (const key of polluted) (Object.prototype as Record<string, unknown>)[key] = true;
});

afterEach(() => {
  for (const key of polluted) delete (Object.prototype as Record<string, unknown>)[key];
  for (const consent of controllers.splice(0)) consent.destroy();
  document.body.innerHTML = '';
});

it('runs no script of a polluted category after Reject all, configured or not', async () => {
  document.body.innerHTML = ['tracking', 'analytics', 'functional', 'unconfigured']
    .map((c) => `<script type="text/plain" data-category="${c}">window.ran.push('${c}')</script>`)
    .join('');
  const consent = create();
  consent.rejectAll();
  await settle();
  expect(window.ran).toEqual([]);
  // @ts-expect-error: not a category of this configuration (still answered at run time)
  expect(consent.has('tracking')).toBe(false);
  // @ts-expect-error: not a category of this configuration
  expect(consent.has('unconfigured')).toBe(false);
  expect({ ...consent.get()?.categories }).toEqual({ necessary: true, analytics: false, functional: false });
});

it('counts a category left out of set() as refused, whatever the prototype holds', () => {
  const consent = create();
  consent.set({ functional: true });
  expect(consent.get()).toMatchObject({
    method: 'custom',
    categories: { necessary: true, analytics: false, functional: true },
  });
  expect(consent.has('analytics')).toBe(false);
  // @ts-expect-error: not a category of this configuration (still answered at run time)
  expect(consent.has('tracking')).toBe(false);
});

it('grants no Consent Mode storage for a polluted category', () => {
  expect(consentModeState(DEFAULT_CONSENT_MODE, {}).analytics_storage).toBe('denied');
  expect(consentModeState(DEFAULT_CONSENT_MODE, { necessary: true }).functionality_storage).toBe('denied');
});
