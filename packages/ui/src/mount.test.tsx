import { createConsent } from '@paloma365/consent-core';
import { afterEach, describe, expect, it } from 'vitest';
import { mountUI } from './mount.js';
import { css } from './styles.js';
import { fakeEnv, inside, mount, unmountAll } from './test-helpers.js';

afterEach(unmountAll);

describe('mountUI', () => {
  it('renders into an open shadow root on <div id="paloma-consent"> at the end of <body>', () => {
    document.body.append(document.createElement('main'));
    const { host, root } = mount();
    expect(document.body.lastElementChild).toBe(host);
    expect(host.shadowRoot).toBe(root);
    expect(inside(root).getByRole('region', { name: 'We use cookies' })).toBeTruthy();
    // Nothing of the UI is in the light DOM, where the page's CSS would reach it.
    expect(host.children).toHaveLength(0);
  });

  it('styles the shadow root through one adopted stylesheet, with no style attributes', () => {
    const { root } = mount();
    consentUiShowsEverything(root);
    expect(root.adoptedStyleSheets).toHaveLength(1);
    expect(root.querySelector('style')).toBeNull();
    expect(root.querySelector('[style]')).toBeNull();
  });

  it('falls back to a <style> in the shadow root where constructable stylesheets are unsupported', () => {
    const view = document.defaultView as unknown as Record<string, unknown>;
    const CSSStyleSheet = view.CSSStyleSheet;
    view.CSSStyleSheet = undefined;
    try {
      const { root } = mount();
      expect(root.querySelector('style')?.textContent).toBe(css);
    } finally {
      view.CSSStyleSheet = CSSStyleSheet;
    }
  });

  it('sets the language on the host, so screen readers pronounce it', () => {
    expect(mount({ language: 'kk' }).host.getAttribute('lang')).toBe('kk');
  });

  it('renders nothing for an invalid configuration', () => {
    // @ts-expect-error: an invalid configuration, as a JavaScript page can pass one
    const consent = createConsent({ layout: 'sideways' }, fakeEnv());
    expect(consent.config).toBeNull();
    mountUI(consent, { document })();
    mountUI(consent, { document });
    expect(document.getElementById('paloma-consent')).toBeNull();
  });

  it('follows the controller: banner, dialog, nothing', () => {
    const { consent, root } = mount();
    const ui = inside(root);
    expect(ui.queryByRole('dialog')).toBeNull();
    consent.showPreferences();
    expect(ui.getByRole('dialog', { name: 'Cookie settings' })).toBeTruthy();
    consent.acceptAll();
    expect(root.children).toHaveLength(0);
    consent.showBanner();
    expect(ui.getByRole('region')).toBeTruthy();
  });

  it('unmounts: the host goes and the controller is no longer followed', () => {
    const { consent, unmount } = mount();
    unmount();
    expect(document.getElementById('paloma-consent')).toBeNull();
    expect(() => consent.showPreferences()).not.toThrow();
    expect(document.getElementById('paloma-consent')).toBeNull();
  });

  it('shows the settings button after a decision when configured, and it opens the preferences', () => {
    const { consent, root } = mount({ settingsButton: true });
    const ui = inside(root);
    expect(ui.queryByRole('button', { name: 'Cookie settings' })).toBeNull();
    consent.rejectAll();
    ui.getByRole('button', { name: 'Cookie settings' }).click();
    expect(consent.state().view).toBe('preferences');
  });

  it('keeps the settings button under the dialog it opened, to take focus back on close', () => {
    const { consent, root } = mount({ settingsButton: true });
    consent.acceptAll();
    const button = inside(root).getByRole('button', { name: 'Cookie settings' });
    button.focus();
    button.click();
    expect(root.activeElement).not.toBe(button);
    consent.hide();
    expect(root.activeElement).toBe(button);
  });

  it('shows no settings button unless configured', () => {
    const { consent, root } = mount();
    consent.rejectAll();
    expect(root.children).toHaveLength(0);
  });
});

/** Opens the dialog over the banner, so every element of the UI is in the tree. */
function consentUiShowsEverything(root: ShadowRoot) {
  (inside(root).getByRole('button', { name: 'Customize' }) as HTMLButtonElement).click();
  expect(inside(root).getByRole('dialog')).toBeTruthy();
}
