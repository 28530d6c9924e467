import { type Consent, type CookieJar, createConsent, type Env } from '@paloma365/consent-core';
import { within } from '@testing-library/preact';
import { mountUI } from './mount.js';

/** A cookie jar in a Map, shared by the controllers of one "visitor". */
export function fakeJar(): CookieJar {
  const jar = new Map<string, string>();
  return {
    get: ((name?: string) => (name === undefined ? Object.fromEntries(jar) : jar.get(name))) as CookieJar['get'],
    set: (name, value) => jar.set(name, value),
    remove: (name) => void jar.delete(name),
  };
}

export const NOW = Date.UTC(2026, 10, 24, 19, 0, 0);
export const SUBJECT = '0b7e2a4c-1d2f-4a6b-8c9d-0e1f2a3b4c5d';

/** The browser as the core sees it, minus the document: the UI is what is under test, not the gate. */
export const fakeEnv = (cookies = fakeJar()): Env => ({
  cookies,
  storage: null,
  now: () => NOW,
  randomUUID: () => SUBJECT,
  setTimeout: () => 0,
  clearTimeout: () => {},
  console: { warn: () => {}, error: () => {} },
});

export interface Mounted {
  consent: Consent;
  host: HTMLElement;
  root: ShadowRoot;
  unmount(): void;
}

/** A real controller with the UI mounted in the test's document. */
export function mount(config: Record<string, unknown> = {}, env = fakeEnv()): Mounted {
  const consent = createConsent({ policyVersion: '2024-01-01', language: 'en', ...config }, env);
  const unmount = mountUI(consent, { document });
  const host = document.getElementById('paloma-consent')!;
  const mounted = { consent, host, root: host?.shadowRoot as ShadowRoot, unmount };
  all.push(mounted);
  return mounted;
}

const all: Mounted[] = [];

/** For `afterEach`: removes every UI `mount` made. */
export function unmountAll(): void {
  for (const m of all.splice(0)) m.unmount();
  document.body.replaceChildren();
}

/** Testing Library's queries, inside the shadow root. */
export const inside = (root: ShadowRoot | HTMLElement) => within(root as unknown as HTMLElement);
