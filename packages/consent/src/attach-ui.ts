import type { AttachUI, Consent, ConsentState } from '@paloma365/consent-core';
import type { MountOptions } from '@paloma365/consent-ui';

/** What a UI file (or the UI chunk) provides: `mountUI` of `@paloma365/consent-ui`. */
export type MountUI = (consent: Consent, options?: MountOptions) => () => void;

/** Fetches the UI for `consent` (its language): a `<script>` for the script tag, a dynamic `import()` for bundlers. */
export type LoadUI = (consent: Consent) => Promise<MountUI>;

/**
 * Brings the UI to the page only when something must be shown: the banner of an undecided
 * visitor (fetched at once, not after the page loads), the dialog, or the settings button (once
 * the browser is idle). Until then the page holds nothing of the SDK's: no host element, no
 * styles. A failed fetch is reported and forgotten, so the next request to show tries again.
 */
export const attachUI =
  (document: Document, load: LoadUI): AttachUI =>
  (consent, report) => {
    let fetching: Promise<MountUI | undefined> | undefined;
    let unmount: (() => void) | undefined;
    let destroyed = false;

    const fetchUI = () =>
      (fetching ??= load(consent).catch((error: unknown) => {
        fetching = undefined;
        report({ code: 'ui', message: `the consent UI could not be loaded: ${(error as Error)?.message ?? error}` });
        return undefined;
      }));

    const mount = (mountUI: MountUI | undefined) => {
      if (!mountUI || unmount || destroyed) return;
      // The UI goes at the end of <body>; an engine in <head> runs before there is one.
      if (!document.body) document.addEventListener('DOMContentLoaded', () => mount(mountUI), { once: true });
      else unmount = mountUI(consent, { document });
    };

    const show = () => {
      if (!unmount) fetchUI().then(mount);
    };

    const needs = ({ view, decision }: ConsentState) => view !== 'none' || (consent.config?.settingsButton && decision);
    const follow = (state: ConsentState) => {
      if (state.view !== 'none') show();
      // The settings button alone must not cost a decided visitor's page load: it waits for idleness.
      else if (needs(state)) idle(document, show);
    };
    const unsubscribe = consent.subscribe(follow);
    follow(consent.state());

    // A visitor reaching for "Cookie settings" will likely click it: the fetch starts on the hint. A click
    // shows even when the dialog was asked for already (its state unchanged) and the fetch had failed.
    const hint = (event: Event) => {
      if ((event.target as Element | null)?.closest?.('[data-consent-open]')) {
        if (event.type === 'click') show();
        else fetchUI();
      }
    };
    const HINTS = ['pointerover', 'focusin', 'click'];
    for (const type of HINTS) document.addEventListener(type, hint);

    return {
      show,
      destroy() {
        destroyed = true;
        unsubscribe();
        for (const type of HINTS) document.removeEventListener(type, hint);
        unmount?.();
      },
    };
  };

const idle = (document: Document, fn: () => void) => {
  const w = document.defaultView as (Window & typeof globalThis) | null;
  if (w?.requestIdleCallback) w.requestIdleCallback(fn, { timeout: 5000 });
  else w?.setTimeout(fn, 2000);
};
