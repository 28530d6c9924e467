import { CONSENT_MODE_TYPES, type ConsentModeType } from './config.js';
import { ownTrue } from './decision.js';
import type { NavigatorLike } from './env.js';

/** Global Privacy Control: the visitor's browser asks every site not to sell or share their data. */
export const gpcRefuses = (navigator: NavigatorLike | undefined): boolean => navigator?.globalPrivacyControl === true;

type Granted = 'granted' | 'denied';
export type ConsentModeState = Record<ConsentModeType, Granted>;

export interface ConsentMode {
  /** Before any decision: everything denied but security storage. */
  setDefault(): void;
  update(categories: Record<string, boolean>): void;
}

interface GtagWindow {
  dataLayer?: unknown[];
  gtag?: (...args: unknown[]) => void;
}

/**
 * Google Consent Mode v2 states for the allowed categories. `ad_*` stay denied:
 * the Paloma365 policy has no advertising category to grant them.
 */
export function consentModeState(
  mapping: Record<string, ConsentModeType[]>,
  categories: Record<string, boolean>,
): ConsentModeState {
  const state = Object.fromEntries(
    CONSENT_MODE_TYPES.map((type) => [type, type === 'security_storage' ? 'granted' : 'denied']),
  ) as ConsentModeState;
  for (const [category, types] of Object.entries(mapping)) {
    if (ownTrue(categories, category)) for (const type of types) state[type] = 'granted';
  }
  return state;
}

/**
 * Sends Consent Mode commands through the page's `gtag`, or queues them on
 * `dataLayer` the way gtag's snippet does (gtag.js reads `arguments` objects,
 * not arrays, from the queue).
 */
export function createConsentMode(
  window: Window,
  mapping: Record<string, ConsentModeType[]>,
  report: (error: unknown) => void,
): ConsentMode {
  const w = window as Window & GtagWindow;
  function queue(..._: unknown[]) {
    w.dataLayer = w.dataLayer ?? [];
    // biome-ignore lint/complexity/noArguments: gtag.js only reads Arguments objects from dataLayer
    w.dataLayer.push(arguments);
  }
  // The page's gtag or dataLayer may be anything; a broken one must not stop a decision half-way.
  const gtag = (...args: unknown[]) => {
    try {
      typeof w.gtag === 'function' ? w.gtag(...args) : queue(...args);
    } catch (error) {
      report(error);
    }
  };
  return {
    setDefault: () => gtag('consent', 'default', consentModeState(mapping, {})),
    update: (categories) => gtag('consent', 'update', consentModeState(mapping, categories)),
  };
}
