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
