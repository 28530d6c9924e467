import type { CookieJar, Env } from '@paloma365/consent-core';
import { afterEach, expect, it } from 'vitest';
import { createConsent } from './create.js';

/** Timers the test runs by hand, so "a task of its own" can be observed. */
function pageEnv() {
  const tasks: Array<() => void> = [];
  const jar = new Map<string, string>();
  const cookies: CookieJar = {
    get: ((name?: string) => (name === undefined ? Object.fromEntries(jar) : jar.get(name))) as CookieJar['get'],
    set: (name, value) => jar.set(name, value),
    remove: (name) => void jar.delete(name),
  };
  const env: Env = {
    document,
    cookies,
    storage: null,
    now: () => Date.UTC(2026, 10, 24),
    randomUUID: () => '0b7e2a4c-1d2f-4a6b-8c9d-0e1f2a3b4c5d',
    setTimeout: (fn) => tasks.push(fn),
    clearTimeout: () => {},
    console: { warn: () => {}, error: () => {} },
  };
  const runTasks = () => {
    for (const task of tasks.splice(0)) task();
  };
  return { env, runTasks };
}

const host = () => document.getElementById('paloma-consent');

afterEach(() => host()?.remove());

it('settles the decision at once and renders the banner in a task of its own', () => {
  const { env, runTasks } = pageEnv();
  const consent = createConsent({ policyVersion: '1' }, env);
  expect(consent.state().view).toBe('banner');
  expect(host()).toBeNull();
  runTasks();
  expect(host()?.shadowRoot?.querySelector('section')).not.toBeNull();
  consent.destroy();
  expect(host()).toBeNull();
});

it('renders nothing when destroyed before its task runs', () => {
  const { env, runTasks } = pageEnv();
  createConsent({ policyVersion: '1' }, env).destroy();
  runTasks();
  expect(host()).toBeNull();
});
