import type { ConsentError, CookieJar, Env } from '@paloma365/consent-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MountUI } from './attach-ui.js';
import { createConsent } from './create.js';

/** A page's browser with a cookie jar of its own and the console recorded. */
function pageEnv(cookies: Record<string, string> = {}) {
  const jar = new Map(Object.entries(cookies));
  const errors: unknown[][] = [];
  const env: Env = {
    document,
    cookies: {
      get: ((name?: string) => (name === undefined ? Object.fromEntries(jar) : jar.get(name))) as CookieJar['get'],
      set: (name, value) => jar.set(name, value),
      remove: (name) => void jar.delete(name),
    },
    storage: null,
    now: () => Date.UTC(2026, 10, 24),
    randomUUID: () => '0b7e2a4c-1d2f-4a6b-8c9d-0e1f2a3b4c5d',
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    console: { warn: () => {}, error: (...args: unknown[]) => void errors.push(args) },
  };
  return { env, jar, errors };
}

/** A decided visitor's cookie, written by a first page. */
function decidedCookie(): Record<string, string> {
  const { env, jar } = pageEnv();
  createConsent({ policyVersion: '1' }, env, { loadUI: () => new Promise(() => {}) }).rejectAll();
  return Object.fromEntries(jar);
}

/** A UI loader the test settles by hand, recording each call; the fake UI marks the page when mounted. */
function fakeUI() {
  const calls: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  const mounted: string[] = [];
  const mountUI: MountUI = (consent) => {
    const host = document.createElement('div');
    host.id = 'paloma-consent';
    document.body.append(host);
    mounted.push(consent.state().view);
    return () => host.remove();
  };
  const loadUI = vi.fn(
    () => new Promise<MountUI>((resolve, reject) => calls.push({ resolve: () => resolve(mountUI), reject })),
  );
  return { loadUI, calls, mounted };
}

const host = () => document.getElementById('paloma-consent');
const tick = () => new Promise((done) => setTimeout(done, 0));

afterEach(() => {
  host()?.remove();
  document.body.innerHTML = '';
});

describe('the UI, fetched only when something must be shown', () => {
  it('starts fetching at once for an undecided visitor and mounts the banner when it arrives', async () => {
    const { env } = pageEnv();
    const ui = fakeUI();
    const consent = createConsent({ policyVersion: '1' }, env, { loadUI: ui.loadUI });
    expect(ui.loadUI).toHaveBeenCalledTimes(1);
    expect(host()).toBeNull();
    ui.calls[0]?.resolve();
    await tick();
    expect(ui.mounted).toEqual(['banner']);
    consent.destroy();
    expect(host()).toBeNull();
  });

  it('fetches nothing and adds nothing to the page for a decided visitor, until the dialog is asked for', async () => {
    const { env } = pageEnv(decidedCookie());
    const ui = fakeUI();
    const consent = createConsent({ policyVersion: '1' }, env, { loadUI: ui.loadUI });
    await tick();
    expect(consent.get()?.method).toBe('reject_all');
    expect(ui.loadUI).not.toHaveBeenCalled();
    expect(document.body.children).toHaveLength(0);

    consent.showPreferences();
    expect(ui.loadUI).toHaveBeenCalledTimes(1);
    ui.calls[0]?.resolve();
    await tick();
    expect(ui.mounted).toEqual(['preferences']);
    consent.destroy();
  });

  it('answers the API before the UI arrives and shows what was asked for once it does', async () => {
    const { env } = pageEnv(decidedCookie());
    const ui = fakeUI();
    const consent = createConsent({ policyVersion: '1' }, env, { loadUI: ui.loadUI });
    consent.showPreferences();
    consent.acceptAll();
    expect(consent.has('analytics')).toBe(true);
    consent.showBanner();
    ui.calls[0]?.resolve();
    await tick();
    expect(ui.mounted).toEqual(['banner']);
    consent.destroy();
  });

  it('reports a failed fetch as an error with code "ui", throws nothing, and tries again when asked to show', async () => {
    const { env, errors } = pageEnv();
    const ui = fakeUI();
    const consent = createConsent({ policyVersion: '1' }, env, { loadUI: ui.loadUI });
    const reported: ConsentError[] = [];
    consent.on('error', (error) => reported.push(error));
    ui.calls[0]?.reject(new Error('consent-ui.en.x.min.js did not load'));
    await tick();
    expect(reported).toEqual([{ code: 'ui', message: expect.stringContaining('did not load') }]);
    expect(errors).toHaveLength(1);
    expect(consent.get()).toBeNull();

    consent.showBanner(); // the view was "banner" all along: no state change, still a new attempt
    expect(ui.loadUI).toHaveBeenCalledTimes(2);
    ui.calls[1]?.resolve();
    await tick();
    expect(ui.mounted).toEqual(['banner']);
    consent.destroy();
  });

  it('warms the fetch when a visitor hovers or focuses a data-consent-open element, mounting nothing', async () => {
    const { env } = pageEnv(decidedCookie());
    const ui = fakeUI();
    document.body.innerHTML = '<footer><a href="#" data-consent-open>Cookie settings</a></footer>';
    const consent = createConsent({ policyVersion: '1' }, env, { loadUI: ui.loadUI });
    const link = document.querySelector('a') as HTMLAnchorElement;
    link.dispatchEvent(new Event('pointerover', { bubbles: true }));
    link.dispatchEvent(new Event('focusin', { bubbles: true }));
    expect(ui.loadUI).toHaveBeenCalledTimes(1);
    ui.calls[0]?.resolve();
    await tick();
    expect(host()).toBeNull();
    link.click();
    await tick();
    expect(ui.mounted).toEqual(['preferences']);
    consent.destroy();
  });

  it('leaves the settings button of a decided visitor to an idle moment', async () => {
    const idle: Array<() => void> = [];
    const w = window as unknown as { requestIdleCallback?: (fn: () => void) => number };
    const saved = w.requestIdleCallback;
    w.requestIdleCallback = (fn) => idle.push(fn);
    try {
      const { env } = pageEnv(decidedCookie());
      const ui = fakeUI();
      const consent = createConsent({ policyVersion: '1', settingsButton: true }, env, { loadUI: ui.loadUI });
      expect(ui.loadUI).not.toHaveBeenCalled();
      idle.shift()?.();
      expect(ui.loadUI).toHaveBeenCalledTimes(1);
      ui.calls[0]?.resolve();
      await tick();
      expect(ui.mounted).toEqual(['none']);
      consent.destroy();
    } finally {
      w.requestIdleCallback = saved;
    }
  });

  it('mounts nothing when destroyed before the UI arrives', async () => {
    const { env } = pageEnv();
    const ui = fakeUI();
    createConsent({ policyVersion: '1' }, env, { loadUI: ui.loadUI }).destroy();
    ui.calls[0]?.resolve();
    await tick();
    expect(ui.mounted).toEqual([]);
  });

  it('renders the real UI from the default dynamic import', async () => {
    const { env } = pageEnv();
    const consent = createConsent({ policyVersion: '1' }, env);
    await vi.waitFor(() => expect(host()?.shadowRoot?.querySelector('section')).toBeTruthy());
    consent.destroy();
  });
});
