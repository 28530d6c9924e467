/**
 * The script-tag entry (the engine), and the only module with side effects: reads the page's
 * configuration and assigns `window.PalomaConsent`. The UI is a file of its own beside this one,
 * fetched only when something must be shown.
 */

import UI_FILES from 'paloma:ui-files';
import { browserEnv, type Consent, type ConsentConfig, createConsent, safeConsent } from '@paloma365/consent-core';
import { attachUI } from './attach-ui.js';
import { loadScript } from './load-script.js';

type Global = Consent & {
  /** Create and start the controller; a second call warns and changes nothing. */
  init(config: unknown): void;
};

const PREFIX = '[paloma-consent]';
/** Set on `window` by the first copy: a page element (`<div id="PalomaConsent">`) can clobber a name, not a symbol. */
const LOADED = Symbol.for('paloma-consent');
const script = document.currentScript as HTMLScriptElement | null;
let consent: Consent | undefined;

/** A listener a page attached before `init`, attached for real by it (a manual-init page may do that). */
type EarlyListener = { attach: (to: Consent) => () => void; off?: () => void };
const early = new Set<EarlyListener>();

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);

const init = (config: unknown) => {
  if (consent) return console.warn(PREFIX, 'PalomaConsent.init() was already called; this call is ignored');
  // The engine's own tag's nonce is the page's: gated scripts must carry it too (unless the config names one).
  const nonce = script?.nonce;
  const signed = nonce && isObject(config) && !('nonce' in config) ? { ...config, nonce } : config;
  consent = createConsent(
    signed as ConsentConfig,
    browserEnv(),
    attachUI(document, ({ language, config }) => {
      const [file, integrity] = UI_FILES[language] ?? UI_FILES.en;
      // A folder: `uiUrl` (with or without its trailing slash), or the engine's own.
      const folder = new URL(config?.uiUrl ? config.uiUrl.replace(/\/?$/, '/') : (script?.src ?? ''), document.baseURI);
      return loadScript(document, new URL(file, folder).href, { integrity, nonce: config?.nonce });
    }),
  );
  for (const listener of early) listener.off = listener.attach(consent);
  Object.assign(api, consent);
};

/**
 * `<script type="application/json" id="paloma-consent-config">`, completed by the tag's
 * `data-*` options; `undefined` when the page gives neither (it will call `init` itself). Only a
 * JSON script is a configuration: a `<div>` of that id placed first is someone else's markup.
 */
function pageConfig(): unknown {
  const block = document.querySelector('script[type="application/json"]#paloma-consent-config');
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
  return isObject(config) ? { ...defined, ...config } : config;
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

const w = window as unknown as { PalomaConsent?: Global; [LOADED]?: true };
if (w[LOADED]) console.warn(PREFIX, 'the SDK was loaded twice; the second copy does nothing');
else {
  w[LOADED] = true;
  w.PalomaConsent = api;
  const config = pageConfig();
  if (config !== undefined) init(config);
}
