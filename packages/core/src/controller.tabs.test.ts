import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Consent, createConsent } from './controller.js';
import type { Receipt } from './receipt.js';
import { encodeConsent } from './storage.js';
import { type FakeEnv, fakeEnv, fakeJar, fakeStorage, NOW } from './test-env.js';

const TABS_KEY = 'paloma_consent_tabs';
const controllers: Consent[] = [];

/**
 * Tabs of one visitor: one cookie jar, one `localStorage`, one endpoint, a window each. Like the
 * browser, a tab's write to `localStorage` fires `storage` in every other tab, never in its own.
 */
function visitor() {
  const cookies = fakeJar({ _ga: 'GA1.1', _ym_uid: '1', session: 's' });
  const storage = fakeStorage();
  const receipts: Receipt[] = [];
  const fetch = vi.fn(async (_url: string | URL | Request, init: RequestInit = {}) => {
    receipts.push(JSON.parse(String(init.body)));
    return new Response(null, { status: 201 });
  }) as unknown as typeof globalThis.fetch;
  const windows: Window[] = [];
  let uuids = 0;
  /** `idle`: the window has `requestIdleCallback`, whose callbacks wait there until the test runs them. */
  const tab = (config: Record<string, unknown> = {}, jar = cookies, idle?: (() => void)[]) => {
    const window = new EventTarget() as Window;
    if (idle) window.requestIdleCallback = (fn) => idle.push(() => fn({} as IdleDeadline));
    windows.push(window);
    const env: FakeEnv = fakeEnv({
      window,
      cookies: jar,
      fetch,
      randomUUID: () => `00000000-0000-4000-8000-${String(++uuids).padStart(12, '0')}`,
      storage: {
        ...storage,
        length: 0,
        setItem(key, value) {
          storage.setItem(key, value);
          for (const other of windows) {
            if (other !== window) other.dispatchEvent(Object.assign(new Event('storage'), { key, newValue: value }));
          }
        },
      },
    });
    Object.defineProperty(env.storage, 'length', { get: () => storage.length });
    const consent = createConsent(
      {
        policyVersion: '2024-01-01',
        endpoint: '/api/consent-receipts',
        categories: {
          necessary: { cookies: ['session'] },
          analytics: { cookies: ['_ga', '_ym_*'] },
        },
        ...config,
      },
      env,
    );
    controllers.push(consent);
    return { consent, env, window };
  };
  return { cookies, storage, receipts, tab };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  for (const consent of controllers.splice(0)) consent.destroy();
  vi.useRealTimers();
});

describe('tabs in step', () => {
  it('applies a decision made in one tab to the other: state, events, cookies; one receipt', async () => {
    const v = visitor();
    const a = v.tab();
    const b = v.tab();
    const seen: string[] = [];
    b.consent.on('consent', () => seen.push('consent'));
    b.consent.on('change', (d) => seen.push(`change ${d.method}`));
    const states = vi.fn();
    b.consent.subscribe(states);
    b.consent.showPreferences();

    a.consent.set({ functional: true });
    expect(b.consent.get()).toEqual(a.consent.get());
    expect(b.consent.state().view).toBe('none');
    expect(states).toHaveBeenLastCalledWith({ decision: a.consent.get(), view: 'none' });
    expect(seen).toEqual(['consent', 'change custom']);
    expect(b.consent.has('analytics')).toBe(false);
    expect([...v.cookies.cookies.keys()]).toEqual(['session', '__Host-paloma_consent']);

    await vi.advanceTimersByTimeAsync(60_000);
    expect(v.receipts.map((r) => r.method)).toEqual(['custom']);
  });

  it('chains the next decision in the other tab to the receipt it learned about, for the same subject', async () => {
    const v = visitor();
    const a = v.tab();
    const b = v.tab();
    a.consent.acceptAll();
    b.consent.set({ analytics: true });
    await vi.advanceTimersByTimeAsync(0);
    const [first, second] = v.receipts;
    expect(second).toMatchObject({
      method: 'withdraw',
      subjectId: first?.subjectId,
      previousReceiptId: first?.receiptId,
    });
    expect(a.consent.get()).toEqual(b.consent.get());
  });

  it('follows a reset in another tab: undecided, the banner again, the optional cookies deleted', () => {
    const v = visitor();
    const a = v.tab();
    const b = v.tab();
    a.consent.acceptAll();
    v.cookies.set('_ga', 'GA1.2'); // set again by analytics meanwhile
    a.consent.reset();
    expect(b.consent.state()).toEqual({ decision: null, view: 'banner' });
    expect(b.consent.has('analytics')).toBe(false);
    expect([...v.cookies.cookies.keys()]).toEqual(['session']);
  });

  it('follows its own key only', () => {
    const v = visitor();
    const a = v.tab();
    const b = v.tab();
    a.consent.acceptAll();
    const storage = (key: string | null, newValue: string | null) =>
      b.window.dispatchEvent(Object.assign(new Event('storage'), { key, newValue }));
    storage('unrelated', '');
    storage(null, null); // another tab's localStorage.clear()
    expect(b.consent.get()).toMatchObject({ method: 'accept_all' });
    storage(TABS_KEY, '');
    expect(b.consent.get()).toBeNull();
  });

  it('takes the decision from the event, not waiting for the cookie to reach it', () => {
    const v = visitor();
    const a = v.tab();
    const b = v.tab({}, fakeJar()); // a jar the other tab's cookie has not reached yet
    a.consent.rejectAll();
    expect(b.consent.get()).toEqual(a.consent.get());
  });

  it('treats a value it cannot read (tampered, another policy version) as undecided', () => {
    const v = visitor();
    const a = v.tab();
    const b = v.tab({ policyVersion: '2025-01-01' });
    b.consent.acceptAll();
    a.consent.rejectAll(); // for the policy version tab b does not show
    expect(b.consent.state()).toEqual({ decision: null, view: 'banner' });
    b.consent.acceptAll();
    b.window.dispatchEvent(Object.assign(new Event('storage'), { key: TABS_KEY, newValue: '1.not-a-cookie' }));
    expect(b.consent.get()).toBeNull();
  });
});

describe('tabs in step, from the first idle moment', () => {
  it('listens for other tabs only once the browser is idle (listening opens localStorage)', () => {
    const v = visitor();
    const idle: (() => void)[] = [];
    const b = v.tab({}, v.cookies, idle);
    const listens = vi.spyOn(b.window, 'addEventListener');
    expect(idle).toHaveLength(1);
    const a = v.tab();
    idle[0]!();
    expect(listens).toHaveBeenCalledWith('storage', expect.any(Function));
    a.consent.rejectAll();
    expect(b.consent.get()).toEqual(a.consent.get());
  });

  it('takes from the cookie a decision another tab made before then, with its subject and chain', async () => {
    const v = visitor();
    const idle: (() => void)[] = [];
    const b = v.tab({}, v.cookies, idle);
    const seen: string[] = [];
    b.consent.on('change', (d) => seen.push(d.method));
    const a = v.tab();
    a.consent.acceptAll();
    expect(b.consent.get()).toBeNull();
    idle[0]!();
    expect(b.consent.get()).toEqual(a.consent.get());
    expect(seen).toEqual(['accept_all']);
    b.consent.set({ analytics: true });
    await vi.advanceTimersByTimeAsync(0);
    const [first, second] = v.receipts;
    expect(second).toMatchObject({ subjectId: first?.subjectId, previousReceiptId: first?.receiptId });
  });

  it('never takes a decision the key kept from before the page read the cookie (cookies cleared since)', () => {
    const v = visitor();
    const decision = {
      subjectId: '00000000-0000-4000-8000-000000000099',
      policyVersion: '2024-01-01',
      timestamp: new Date(NOW - 86_400_000).toISOString(),
      method: 'accept_all' as const,
      categories: { necessary: true, analytics: true, functional: true },
    };
    v.storage.setItem(TABS_KEY, encodeConsent(decision));
    const idle: (() => void)[] = [];
    const b = v.tab({}, v.cookies, idle);
    idle[0]!();
    expect(b.consent.get()).toBeNull();
  });

  it("changes nothing at that moment when the cookie holds the tab's own decision, nor after destroy()", () => {
    const v = visitor();
    const idle: (() => void)[] = [];
    const b = v.tab({}, v.cookies, idle);
    const changes = vi.fn();
    b.consent.on('change', changes);
    b.consent.rejectAll();
    idle[0]!();
    expect(changes).toHaveBeenCalledOnce();
    const c = v.tab({}, v.cookies, idle);
    const listens = vi.spyOn(c.window, 'addEventListener');
    c.consent.destroy();
    idle[1]!();
    expect(listens).not.toHaveBeenCalled();
  });
});

describe('reset', () => {
  it("deletes the optional categories' cookies, never strictly necessary's", () => {
    const v = visitor();
    const { consent } = v.tab();
    consent.acceptAll();
    consent.reset();
    expect([...v.cookies.cookies.keys()]).toEqual(['session']);
  });
});

describe('set', () => {
  it('warns about a value that is not a boolean, naming the key, and counts it as refused', () => {
    const v = visitor();
    const { consent, env } = v.tab();
    consent.set({ analytics: 'yes', functional: true } as unknown as Record<string, boolean>);
    expect(env.console.warn).toHaveBeenCalledWith('[paloma-consent]', expect.stringMatching(/analytics.*"yes"/));
    expect(env.console.warn).toHaveBeenCalledTimes(1);
    expect(consent.get()?.categories).toMatchObject({ analytics: false, functional: true });
  });
});
