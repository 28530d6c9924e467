import { afterEach, expect, it, vi } from 'vitest';
import { browserEnv } from './env.js';

afterEach(() => vi.restoreAllMocks());

it('opens localStorage only when it is first asked for, not when the page starts', () => {
  const localStorage = vi.spyOn(window, 'localStorage', 'get');
  const env = browserEnv();
  expect(localStorage).not.toHaveBeenCalled();
  expect(env.storage).toBe(window.localStorage);
});

it('answers null for storage where touching localStorage throws (storage blocked by policy)', () => {
  vi.spyOn(window, 'localStorage', 'get').mockImplementation(() => {
    throw new DOMException('blocked', 'SecurityError');
  });
  expect(browserEnv().storage).toBeNull();
});

it("reads the page's cookie string through the jar, where a name can show twice", () => {
  const env = browserEnv();
  env.cookies.set('paloma_env_test', 'a b', { path: '/' });
  expect(env.cookies.header?.()).toBe(document.cookie);
  expect(env.cookies.header?.()).toContain('paloma_env_test=a%20b');
  expect(env.cookies.get('paloma_env_test')).toBe('a b');
  env.cookies.remove('paloma_env_test', { path: '/' });
  expect(env.cookies.header?.()).not.toContain('paloma_env_test');
});
