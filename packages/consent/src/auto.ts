/**
 * The script-tag entry, and the only module with side effects: reads the page's
 * configuration and assigns `window.PalomaConsent`.
 */
import { type Consent, safeConsent } from '@paloma365/consent-core';
import { createConsent } from './create.js';

type Global = Consent & {
  /** Create and start the controller; a second call warns and changes nothing. */
  init(config: unknown): void;
};

const PREFIX = '[paloma-consent]';
const script = document.currentScript as HTMLScriptElement | null;
let consent: Consent | undefined;

/** A listener a page attached before `init`, attached for real by it (a manual-init page may do that). */
type EarlyListener = { attach: (to: Consent) => () => void; off?: () => void };
const early = new Set<EarlyListener>();

const init = (config: unknown) => {
  if (consent) console.warn(PREFIX, 'PalomaConsent.init() was already called; this call is ignored');
  else {
    // The engine's own tag's nonce is the page's: gated scripts must carry it too (unless the config names one).
    const nonce = script?.nonce;
    const signed =
      nonce && config && typeof config === 'object' && !('nonce' in config) ? { ...config, nonce } : config;
    consent = createConsent(signed);
    for (const listener of early) listener.off = listener.attach(consent);
    Object.assign(api, consent);
  }
};

/**
 * `<script type="application/json" id="paloma-consent-config">`, completed by the tag's
 * `data-*` options; `undefined` when the page gives neither (it will call `init` itself).
 */
function pageConfig(): unknown {
  const block = document.getElementById('paloma-consent-config');
  const data = script?.dataset ?? {};
  const fromTag = { endpoint: data.endpoint, policyVersion: data.policyVersion, language: data.language };
  const defined = Object.fromEntries(Object.entries(fromTag).filter(([, v]) => v !== undefined));
  if (!block) return defined.policyVersion ? defined : undefined;
  let config: unknown;
  try {
    config = JSON.parse(block.textContent ?? '');
  } catch (error) {
    // Reported here, then validation of `null` puts the SDK in the safe state.
    console.error(PREFIX, `#paloma-consent-config is not valid JSON (${(error as Error).message})`);
    return null;
  }
  // Anything but an object (`null`, a list, a string) goes to validation as it is, which reports it.
  return config && typeof config === 'object' && !Array.isArray(config) ? { ...defined, ...config } : config;
}

/** Until `init`, a page that asks gets the safe answers: undecided, only strictly necessary. */
const api: Global = {
  ...safeConsent((event, fn) => {
    const listener: EarlyListener = { attach: (to) => to.on(event, fn) };
    early.add(listener);
    return () => {
      early.delete(listener);
      listener.off?.();
    };
  }, 'en'),
  init,
};

const w = window as unknown as { PalomaConsent?: Global };
if (w.PalomaConsent) console.warn(PREFIX, 'the SDK was loaded twice; the second copy does nothing');
else {
  w.PalomaConsent = api;
  const config = pageConfig();
  if (config !== undefined) init(config);
}
