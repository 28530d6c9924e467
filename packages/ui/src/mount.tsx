import type { Consent, ConsentState, View } from '@paloma365/consent-core';
import { render } from 'preact';
import { App } from './App.js';
import { withinBounds } from './bounds.js';
import { deepActiveElement } from './focus.js';
import { createTranslator } from './i18n.js';
import { noticeOf, prepareNotice } from './notice.js';
import { mountPlaceholders } from './Placeholder.js';
import { applyStyles } from './styles.js';

export interface MountOptions {
  /** The document to render into. @default globalThis.document */
  document?: Document;
}

/**
 * Renders the banner and preferences dialog for `consent` in an open shadow root on
 * `<div id="paloma-consent">` at the end of `<body>`, and follows its state. The UI only calls
 * the controller; cookies, scripts and receipts stay the core's business. Each gated iframe that is not
 * allowed gets a placeholder of its own (`mountPlaceholders`). Renders nothing
 * when the configuration was invalid.
 *
 * @returns a function that removes the UI
 * @example
 * const unmount = mountUI(createConsent({ policyVersion: '2024-01-01' }));
 */
export function mountUI(consent: Consent, options: MountOptions = {}): () => void {
  const doc = options.document ?? globalThis.document;
  if (!consent.config || !doc?.body) return () => {};

  const warn = (message: string) => console.warn('[paloma-consent]', message);
  // What the UI shows, and so every notice, within the receipt's bounds.
  const config = withinBounds(consent.config, warn);
  const translator = createTranslator(config, consent.language, warn);
  // Hashed while the banner renders, so a click finds the notice's id ready.
  const ui = { ...translator, consent, config, notice: prepareNotice(noticeOf(config, translator)) };
  const host = doc.createElement('div');
  host.id = 'paloma-consent';
  // On the host, so screen readers pronounce the shadow content in its language.
  host.lang = consent.language;
  host.dataset.theme = config.theme;
  const root = host.attachShadow({ mode: 'open' });
  applyStyles(root);
  doc.body.append(host);

  // Where the visitor was before focus went into the UI (at mount, or from the page's last `focusin`
  // outside it): a decision removes the button that held focus, and focus must not fall to <body>.
  let before: HTMLElement | null = deepActiveElement(doc);
  const track = (event: FocusEvent) => {
    if (event.target !== host) before = event.composedPath()[0] as HTMLElement;
  };
  doc.addEventListener('focusin', track);

  let view: View = 'none';
  let back = false;
  let opener: HTMLElement | null = null;
  // Rendered from the subscription rather than a hook, so no click can land before it is followed.
  const draw = (state: ConsentState) => {
    const was = view;
    back = state.view === 'preferences' && (was === 'banner' || back || !state.decision);
    view = state.view;
    if (view === 'preferences' && was !== view) opener = deepActiveElement(doc);
    const inside = doc.activeElement === host;
    render(<App ui={ui} state={state} back={back} />, root);
    // After the render, not in the dialog's unmount: the banner that opened it is visible again only now.
    // The opener is gone when a decision removed the banner; then where the visitor was before the UI.
    // The visitor may have scrolled since: focus without scrolling.
    const to = was === 'preferences' && view !== was && opener?.isConnected ? opener : before;
    if (inside && !root.activeElement) to?.focus({ preventScroll: true });
  };
  const unsubscribe = consent.subscribe(draw);
  draw(consent.state());
  const unmountPlaceholders = mountPlaceholders(doc, ui);

  return () => {
    doc.removeEventListener('focusin', track);
    unsubscribe();
    unmountPlaceholders();
    render(null, root);
    host.remove();
  };
}
