import type { Consent, ConsentConfig, createConsent as createCore } from '@paloma365/consent-core';
import { createConsent as create } from './create.js';

export type {
  Choices,
  Consent,
  ConsentConfig,
  ConsentError,
  ConsentEvents,
  ConsentState,
  Decision,
  DefaultCategoryId,
  Env,
  Language,
  Method,
  TextKey,
  Texts,
  View,
} from '@paloma365/consent-core';

/**
 * The consent controller with its banner and preferences dialog. The category ids of a literal
 * configuration are inferred, so a mistake in it, or `has()` of an id it does not have, fails to
 * compile; a configuration typed `unknown` (read at run time) is checked when it runs.
 *
 * @example
 * import { createConsent } from '@paloma365/consent';
 * const consent = createConsent({ policyVersion: '2024-01-01', endpoint: '/api/consent-receipts' });
 * if (consent.has('analytics')) loadAnalytics();
 */
// The same function as the script-tag bundle's: only its type is the core's, typed one.
export const createConsent: typeof createCore = create;

/**
 * `window.PalomaConsent` of the script-tag bundle, for TypeScript on such a page:
 * `declare global { var PalomaConsent: PalomaConsentGlobal }`.
 */
export type PalomaConsentGlobal = Consent & {
  /** Create and start the controller; a second call warns and changes nothing. */
  init: {
    <C>(config: unknown extends C ? C : never): void;
    <Id extends string = never>(config: ConsentConfig<Id>): void;
  };
};
