import { browserEnv, type Consent, createConsent as createCore, type Env } from '@paloma365/consent-core';
import { mountUI } from '@paloma365/consent-ui';

/**
 * The consent controller with its banner and preferences dialog.
 *
 * @example
 * import { createConsent } from '@paloma365/consent';
 * const consent = createConsent({ policyVersion: '2024-01-01', endpoint: '/api/consent-receipts' });
 * if (consent.has('analytics')) loadAnalytics();
 */
export function createConsent(config: unknown, env: Env = browserEnv()): Consent {
  const consent = createCore(config, env);
  const { document } = env;
  if (!document) return consent;
  let unmount = () => {};
  const mount = () => {
    unmount = mountUI(consent, { document });
  };
  // The UI goes at the end of <body>; a script in <head> runs before there is one.
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
  return {
    ...consent,
    destroy() {
      document.removeEventListener('DOMContentLoaded', mount);
      unmount();
      consent.destroy();
    },
  };
}
