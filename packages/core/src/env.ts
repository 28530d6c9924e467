import Cookies from 'js-cookie';

/** The cookie calls the SDK makes; js-cookie's default API fits it, with `header` added. */
export interface CookieJar {
  get(): Record<string, string>;
  /** One cookie of the name, where the page may see several (a parent domain's, another path's). */
  get(name: string): string | undefined;
  /**
   * Every cookie as `document.cookie` lists it, a name perhaps twice: what lets the SDK see a cookie that
   * another subdomain planted beside its own. Without it, a planted cookie may hide the visitor's decision.
   */
  header?(): string;
  set(name: string, value: string, attributes?: CookieAttributes): unknown;
  remove(name: string, attributes?: CookieAttributes): void;
}

export interface CookieAttributes {
  expires?: number;
  path?: string;
  domain?: string;
  secure?: boolean;
  sameSite?: 'Lax' | 'Strict' | 'None' | 'lax' | 'strict' | 'none';
}

/** What the SDK reads of `navigator`. */
export interface NavigatorLike {
  language?: string;
  languages?: readonly string[];
  globalPrivacyControl?: boolean;
}

export interface LocationLike {
  protocol: string;
  hostname: string;
  origin: string;
  pathname: string;
}

/** A minimal `Storage`: `localStorage` fits it. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  /** With `key()`: the outbox lists its receipts' keys. */
  readonly length: number;
  key(index: number): string | null;
}

/**
 * Everything the core touches of the browser. Passed in, so the core keeps no
 * module-level state and tests use small literal fakes.
 */
export interface Env {
  /** `undefined` on the server: nothing is gated, rendered or observed. */
  document?: Document;
  /** Where `dataLayer`/`gtag` live and `paloma-consent:change` is dispatched. */
  window?: Window;
  navigator?: NavigatorLike;
  location?: LocationLike;
  cookies: CookieJar;
  /** `null` when storage is unavailable (private mode, blocked by policy). */
  storage: KeyValueStore | null;
  fetch?: typeof fetch;
  /** Milliseconds since the epoch. */
  now(): number;
  randomUUID(): string;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  console: Pick<Console, 'warn' | 'error'>;
}

/**
 * A random UUID v4. `crypto.randomUUID` exists only in secure contexts and newer
 * browsers; `getRandomValues` is everywhere the SDK runs.
 */
export function randomUUID(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const bytes = c.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Merely touching `localStorage` throws where storage is blocked. A store that fails later
 * (quota, Safari's old private mode) is handled where it is written: the outbox keeps memory.
 */
function safeLocalStorage(): KeyValueStore | null {
  try {
    return globalThis.localStorage;
  } catch {
    return null;
  }
}

/** The real browser, read when called (never at import, so server-side rendering can import the SDK). */
export function browserEnv(): Env {
  const w = typeof window === 'undefined' ? undefined : window;
  return {
    document: w?.document,
    window: w,
    navigator: w?.navigator,
    location: w?.location,
    // js-cookie's methods use no `this`; `get(name)` returns only the first of two cookies of a name.
    cookies: { get: Cookies.get, set: Cookies.set, remove: Cookies.remove, header: () => w?.document.cookie ?? '' },
    // Opening storage takes the browser a few milliseconds; read it when the outbox first needs it, not at start.
    // A getter: `{ ...browserEnv(), … }` would read it at once.
    get storage() {
      return w ? safeLocalStorage() : null;
    },
    fetch: typeof fetch === 'function' ? fetch.bind(globalThis) : undefined,
    now: Date.now,
    randomUUID,
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    console,
  };
}
