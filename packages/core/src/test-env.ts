/**
 * Small literal fakes for the core's tests. Not part of the package: excluded from
 * the build (tsconfig) and never exported from `index.ts`.
 */
import { type Mock, vi } from 'vitest';
import { type ResolvedConfig, validateConfig } from './config.js';
import type { CookieAttributes, CookieJar, Env, KeyValueStore } from './env.js';

declare global {
  interface Window {
    /** What gated test scripts record when they run: `<script type="text/plain">window.ran.push('a')</script>`. */
    ran: string[];
  }
}

export interface FakeJar extends CookieJar {
  /** The cookies, by name. */
  readonly cookies: Map<string, string>;
  readonly sets: { name: string; value: string; attributes?: CookieAttributes }[];
  readonly removed: { name: string; attributes?: CookieAttributes }[];
  /**
   * Cookies another host planted (a parent domain's, a longer path's): `header()` lists them first, as a
   * browser lists longer paths first, `get(name)` finds them first, and `remove` cannot reach them.
   */
  readonly planted: [name: string, value: string][];
}

/** A cookie jar over a Map that records every `set` and `remove` with its attributes. */
export function fakeJar(initial: Record<string, string> = {}, planted: FakeJar['planted'] = []): FakeJar {
  const cookies = new Map(Object.entries(initial));
  const sets: FakeJar['sets'] = [];
  const removed: FakeJar['removed'] = [];
  return {
    cookies,
    sets,
    removed,
    planted,
    get: ((name?: string) =>
      name === undefined
        ? Object.fromEntries([...cookies, ...planted])
        : (planted.find(([n]) => n === name)?.[1] ?? cookies.get(name))) as CookieJar['get'],
    header: () => [...planted, ...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    set(name, value, attributes) {
      sets.push({ name, value, attributes });
      cookies.set(name, value);
    },
    remove(name, attributes) {
      removed.push({ name, attributes });
      cookies.delete(name);
    },
  };
}

/** A jar that throws on every call, as `document.cookie` does in a sandboxed iframe. */
export const throwingJar = (): CookieJar => {
  const fail = (): never => {
    throw new DOMException('The document is sandboxed', 'SecurityError');
  };
  return { get: fail, set: fail, remove: fail, header: fail };
};

export function fakeStorage(): KeyValueStore & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
    get length() {
      return items.size;
    },
    key: (index) => [...items.keys()][index] ?? null,
  };
}

/** Fixed "now" of every fake env: 2026-01-15T12:00:00.000Z. */
export const NOW = Date.parse('2026-01-15T12:00:00.000Z');

export interface FakeEnv extends Env {
  cookies: FakeJar;
  console: { warn: Mock<Console['warn']>; error: Mock<Console['error']> };
}

/**
 * An https page on `a.b.paloma365.com`, no document unless given, a fixed clock,
 * UUIDs from a counter (`00000000-0000-4000-8000-000000000001`, …) and timers that never fire.
 */
export function fakeEnv(overrides: Partial<FakeEnv> = {}): FakeEnv {
  let uuids = 0;
  return {
    navigator: {},
    location: {
      protocol: 'https:',
      hostname: 'a.b.paloma365.com',
      origin: 'https://a.b.paloma365.com',
      pathname: '/pricing',
    },
    cookies: fakeJar(),
    storage: fakeStorage(),
    now: () => NOW,
    randomUUID: () => `00000000-0000-4000-8000-${String(++uuids).padStart(12, '0')}`,
    setTimeout: () => 0,
    clearTimeout: () => {},
    console: { warn: vi.fn<Console['warn']>(), error: vi.fn<Console['error']>() },
    ...overrides,
  };
}

/** A valid configuration with its defaults filled in; throws when the input is invalid. */
export function resolvedConfig(input: Record<string, unknown> = {}): ResolvedConfig {
  const validation = validateConfig({ policyVersion: '2024-01-01', ...input });
  if (!validation.ok) throw new Error(JSON.stringify(validation.problems));
  return validation.config;
}

/** Lets microtasks, MutationObserver callbacks and zero-delay timers run. */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
