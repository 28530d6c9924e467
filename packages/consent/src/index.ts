import type { Consent, ConsentConfig } from '@paloma365/consent-core';

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

export { createConsent, type UIOptions } from './create.js';

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
