import {
  browserEnv,
  type Consent,
  type ConsentConfig,
  createConsent as createCore,
  type DefaultCategoryId,
  type Env,
} from '@paloma365/consent-core';
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

/** A configuration read at run time (a JSON block, a fetch) is typed `unknown`: accepted, and checked when it runs. */
export function createConsent<C>(config: unknown extends C ? C : never, env?: Env, options?: UIOptions): Consent;
/**
 * The consent controller with its banner and preferences dialog, fetched only when shown. The
 * category ids of a literal configuration are inferred, so a mistake in it, or `has()` of an id it
 * does not have, fails to compile.
 *
 * @example
 * import { createConsent } from '@paloma365/consent';
 * const consent = createConsent({ policyVersion: '2024-01-01', endpoint: '/api/consent-receipts' });
 * if (consent.has('analytics')) loadAnalytics();
 */
export function createConsent<Id extends string = never>(
  config: ConsentConfig<Id>,
  env?: Env,
  options?: UIOptions,
): Consent<Id | DefaultCategoryId>;
export function createConsent(config: unknown, env: Env = browserEnv(), options: UIOptions = {}): Consent {
  const { document } = env;
  return createCore(config as ConsentConfig, env, document && attachUI(document, options.loadUI ?? importUI));
}
