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
  let destroyed = false;
  const mount = () => {
    if (!destroyed) unmount = mountUI(consent, { document });
  };
  // The UI renders in a task of its own: gating and the stored decision are settled first, and
  // no single task runs long enough to hold up the page (measured by `npm run longtasks`).
  const later = () => env.setTimeout(mount, 0);
  // The UI goes at the end of <body>; a script in <head> runs before there is one.
  if (document.body) later();
  else document.addEventListener('DOMContentLoaded', later, { once: true });
  return {
    ...consent,
    destroy() {
      destroyed = true;
      document.removeEventListener('DOMContentLoaded', later);
      unmount();
      consent.destroy();
    },
  };
}
