import { browserEnv, type Consent, createConsent as createCore, type Env } from '@paloma365/consent-core';
import { attachUI, type LoadUI } from './attach-ui.js';

export interface UIOptions {
  /**
   * How the UI is fetched when something must be shown. By default a dynamic `import()` of
   * `@paloma365/consent-ui`, which bundlers put in a chunk of its own. For one chunk, load it eagerly:
   * `{ loadUI: async () => mountUI }` with `import { mountUI } from '@paloma365/consent-ui'`.
   */
  loadUI?: LoadUI;
}

const importUI: LoadUI = () => import('@paloma365/consent-ui').then((ui) => ui.mountUI);

/**
 * The consent controller with its banner and preferences dialog, fetched only when shown.
 *
 * @example
 * import { createConsent } from '@paloma365/consent';
 * const consent = createConsent({ policyVersion: '2024-01-01', endpoint: '/api/consent-receipts' });
 * if (consent.has('analytics')) loadAnalytics();
 */
export function createConsent(config: unknown, env: Env = browserEnv(), options: UIOptions = {}): Consent {
  const { document } = env;
  return createCore(config, env, document && attachUI(document, options.loadUI ?? importUI));
}
