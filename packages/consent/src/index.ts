export type {
  Choices,
  Consent,
  ConsentConfig,
  ConsentError,
  ConsentEvents,
  ConsentState,
  Decision,
  Env,
  Language,
  Method,
  View,
} from '@paloma365/consent-core';
export { createConsent } from './create.js';
