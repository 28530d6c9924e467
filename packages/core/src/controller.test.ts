import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Consent, type ConsentError, createConsent } from './controller.js';
import type { Decision } from './decision.js';
import { type FakeEnv, type FakeJar, fakeEnv, fakeJar, NOW, settle, throwingJar } from './test-env.js';

const POLICY = '2024-01-01';
const SUBJECT = expect.stringMatching(/^00000000-0000-4000-8000-\d{12}$/);
const controllers: Consent[] = [];

/** A page on happy-dom's document; pass the same `cookies` to load the "next page" of the same visitor. */
const pageEnv = (overrides: Partial<FakeEnv> = {}) => fakeEnv({ document, window, ...overrides });

const create = (config: Record<string, unknown> = {}, env: FakeEnv = pageEnv()) => {
  const consent = createConsent({ policyVersion: POLICY, ...config }, env);
  controllers.push(consent);
  return consent;
};

const gated = (category: string, name: string) =>
  `<script type="text/plain" data-category="${category}">window.ran.push('${name}')</script>`;

beforeEach(() => {
  window.ran = [];
});

afterEach(() => {
  for (const consent of controllers.splice(0)) consent.destroy();
  document.body.innerHTML = '';
});

describe('createConsent', () => {
  it('shows the banner and allows only strictly necessary while undecided', () => {
    const consent = create();
    expect(consent.state()).toEqual({ decision: null, view: 'banner' });
    expect(consent.get()).toBeNull();
    expect(consent.has('necessary')).toBe(true);
    expect(consent.has('analytics')).toBe(false);
    expect(consent.has('functional')).toBe(false);
  });

  it('records acceptAll as accept_all with every category allowed, and hides the banner', () => {
    const consent = create();
    consent.acceptAll();
    expect(consent.get()).toEqual({
      subjectId: SUBJECT,
      policyVersion: POLICY,
      timestamp: new Date(NOW).toISOString(),
      method: 'accept_all',
      categories: { necessary: true, analytics: true, functional: true },
    });
    expect(consent.state().view).toBe('none');
    expect(consent.has('analytics') && consent.has('functional')).toBe(true);
  });

  it('records rejectAll as reject_all with only strictly necessary allowed, whatever came before', () => {
    const consent = create();
    consent.acceptAll();
    consent.rejectAll();
    expect(consent.get()).toMatchObject({
      method: 'reject_all',
      categories: { necessary: true, analytics: false, functional: false },
    });
    expect(consent.has('analytics')).toBe(false);
  });

  it('records set({ analytics: true }) as custom, leaving functional refused', () => {
    const consent = create();
    consent.set({ analytics: true });
    expect(consent.get()).toMatchObject({
      method: 'custom',
      categories: { necessary: true, analytics: true, functional: false },
    });
  });

  it('keeps strictly necessary allowed whatever set() is given', () => {
    const consent = create();
    consent.set({ necessary: false });
    expect(consent.get()?.categories.necessary).toBe(true);
    expect(consent.has('necessary')).toBe(true);
  });

  it('records withdraw when an allowed category is turned off', () => {
    const consent = create();
    consent.set({ analytics: true });
    consent.set({ analytics: true, functional: true });
    expect(consent.get()?.method).toBe('custom');
    consent.set({ functional: true });
    expect(consent.get()).toMatchObject({
      method: 'withdraw',
      categories: { necessary: true, analytics: false, functional: true },
    });
  });

  it('keeps one subject id across decisions', () => {
    const consent = create();
    consent.acceptAll();
    const { subjectId } = consent.get() as Decision;
    consent.rejectAll();
    expect(consent.get()?.subjectId).toBe(subjectId);
  });

  it('tells subscribers every change of state, and nothing when nothing changed', () => {
    const consent = create();
    const views: string[] = [];
    const unsubscribe = consent.subscribe((state) => views.push(state.view));
    consent.showPreferences();
    consent.showPreferences();
    consent.acceptAll();
    consent.showBanner();
    unsubscribe();
    consent.hide();
    expect(views).toEqual(['preferences', 'none', 'banner']);
  });

  it('tells subscribers nothing once destroyed', () => {
    const consent = create();
    const views: string[] = [];
    consent.subscribe((state) => views.push(state.view));
    consent.destroy();
    consent.showPreferences();
    expect(views).toEqual([]);
  });

  describe('events', () => {
    it('tells consent on the first decision only, and change on every decision', () => {
      const consent = create();
      const told: string[] = [];
      consent.on('consent', (d) => told.push(`consent ${d.method}`));
      consent.on('change', (d) => told.push(`change ${d.method}`));
      consent.acceptAll();
      consent.set({ analytics: true });
      expect(told).toEqual(['consent accept_all', 'change accept_all', 'change withdraw']);
    });

    it('passes the decision to listeners', () => {
      const consent = create();
      const change = vi.fn();
      consent.on('change', change);
      consent.rejectAll();
      expect(change).toHaveBeenCalledWith(consent.get());
    });

    it('stops telling a listener once it unsubscribes', () => {
      const consent = create();
      const change = vi.fn();
      const off = consent.on('change', change);
      consent.acceptAll();
      off();
      consent.rejectAll();
      expect(change).toHaveBeenCalledTimes(1);
    });

    it('keeps the decision when a state subscriber (a custom UI) throws', () => {
      const env = pageEnv();
      const consent = create({}, env);
      const failure = new Error('UI bug');
      consent.subscribe(() => {
        throw failure;
      });
      expect(() => consent.acceptAll()).not.toThrow();
      expect(env.console.error).toHaveBeenCalledWith('[paloma-consent]', 'a listener threw:', failure);
      expect(consent.get()?.method).toBe('accept_all');
    });

    it('reports a listener that throws through console.error and carries on', () => {
      const env = pageEnv();
      const consent = create({}, env);
      const failure = new Error('host page bug');
      const after = vi.fn();
      consent.on('change', () => {
        throw failure;
      });
      consent.on('change', after);
      expect(() => consent.acceptAll()).not.toThrow();
      expect(env.console.error).toHaveBeenCalledWith('[paloma-consent]', 'a listener threw:', failure);
      expect(after).toHaveBeenCalledOnce();
      expect(consent.has('analytics')).toBe(true);
      consent.rejectAll();
      expect(after).toHaveBeenCalledTimes(2);
    });

    it('dispatches paloma-consent:change on document with the decision as detail', () => {
      const consent = create();
      const details: unknown[] = [];
      const listener = (event: Event) => details.push((event as CustomEvent<Decision>).detail);
      document.addEventListener('paloma-consent:change', listener);
      consent.acceptAll();
      consent.rejectAll();
      document.removeEventListener('paloma-consent:change', listener);
      expect(details).toHaveLength(2);
      expect(details[1]).toEqual(consent.get());
    });
  });

  describe('stored decision', () => {
    it('is restored by the next page on the same cookie jar', async () => {
      const env = pageEnv();
      const first = create({}, env);
      first.set({ analytics: true });
      const consent = vi.fn();
      const next = create({}, pageEnv({ cookies: env.cookies }));
      next.on('consent', consent);
      await settle();
      expect(next.get()).toEqual(first.get());
      expect(next.state().view).toBe('none');
      expect(next.has('analytics')).toBe(true);
      expect(consent).not.toHaveBeenCalled();
    });

    it('is void under a new policy version: the banner shows again, for the same subject', () => {
      const env = pageEnv();
      const first = create({}, env);
      first.acceptAll();
      const next = create({ policyVersion: '2025-01-01' }, pageEnv({ cookies: env.cookies }));
      expect(next.state()).toEqual({ decision: null, view: 'banner' });
      expect(next.has('analytics')).toBe(false);
      next.rejectAll();
      expect(next.get()).toMatchObject({ policyVersion: '2025-01-01', subjectId: first.get()?.subjectId });
    });

    it('is forgotten on reset, which shows the banner again', () => {
      const env = pageEnv();
      const consent = create({}, env);
      const first = vi.fn();
      consent.on('consent', first);
      consent.acceptAll();
      consent.reset();
      expect(consent.state()).toEqual({ decision: null, view: 'banner' });
      expect(consent.has('analytics')).toBe(false);
      expect(env.cookies.cookies.has('__Host-paloma_consent')).toBe(false);
      expect(create({}, pageEnv({ cookies: env.cookies })).get()).toBeNull();
      consent.rejectAll();
      expect(first).toHaveBeenCalledTimes(2);
    });
  });

  it('never throws when cookies are blocked: the decision holds for the page', () => {
    const consent = create({}, pageEnv({ cookies: throwingJar() as FakeJar }));
    expect(() => consent.acceptAll()).not.toThrow();
    expect(() => consent.rejectAll()).not.toThrow();
    expect(consent.get()?.method).toBe('reject_all');
  });

  describe('Global Privacy Control', () => {
    const gpc = (overrides: Partial<FakeEnv> = {}) =>
      pageEnv({ navigator: { globalPrivacyControl: true }, ...overrides });

    it('refuses optional categories automatically, without the banner, and tells listeners attached right after', async () => {
      const consent = create({}, gpc());
      const told: string[] = [];
      consent.on('consent', (d) => told.push(`consent ${d.method}`));
      consent.on('change', (d) => told.push(`change ${d.method}`));
      expect(consent.state().view).toBe('none');
      expect(consent.get()).toMatchObject({
        method: 'gpc',
        categories: { necessary: true, analytics: false, functional: false },
      });
      await settle();
      expect(told).toEqual(['consent gpc', 'change gpc']);
    });

    it('lets an explicit later choice stand', () => {
      const env = gpc();
      create({}, env).acceptAll();
      const next = create({}, gpc({ cookies: env.cookies }));
      expect(next.get()?.method).toBe('accept_all');
      expect(next.has('analytics')).toBe(true);
    });

    it('is ignored with respectGpc: false', () => {
      const consent = create({ respectGpc: false }, gpc());
      expect(consent.state()).toEqual({ decision: null, view: 'banner' });
    });
  });

  describe('invalid configuration', () => {
    it('reports the field, tells error listeners attached right after, and stays in the safe state', async () => {
      document.body.innerHTML = gated('analytics', 'a');
      const env = pageEnv();
      // @ts-expect-error: the mistakes a JavaScript page or a JSON block can make, which only the run time catches
      const consent = createConsent({ policyVersion: 20240101, respectGpc: 'no' }, env);
      controllers.push(consent);
      const errors: ConsentError[] = [];
      consent.on('error', (e) => errors.push(e));
      await settle();

      expect(env.console.error).toHaveBeenCalledWith('[paloma-consent]', expect.stringContaining('policyVersion:'));
      expect(errors).toEqual([
        {
          code: 'config',
          message: expect.stringContaining('respectGpc: expected true or false'),
          problems: [
            { path: 'policyVersion', message: expect.any(String) },
            { path: 'respectGpc', message: expect.any(String) },
          ],
        },
      ]);
      expect(consent.config).toBeNull();
      expect(consent.state()).toEqual({ decision: null, view: 'none' });
      expect(consent.has('necessary')).toBe(true);
      expect(consent.has('analytics')).toBe(false);

      consent.acceptAll();
      consent.showBanner();
      await settle();
      expect(consent.get()).toBeNull();
      expect(consent.state().view).toBe('none');
      expect(env.cookies.sets).toEqual([]);
      expect(window.ran).toEqual([]);
    });

    it('warns about unknown options and works', () => {
      const env = pageEnv();
      create({ colour: 'red' }, env);
      expect(env.console.warn).toHaveBeenCalledWith('[paloma-consent]', 'colour: unknown option, ignored');
      expect(env.console.error).not.toHaveBeenCalled();
    });
  });

  describe('cookie clean-up', () => {
    const jar = () => fakeJar({ _ga: '1', _ga_XYZ: '2', _ym_uid: '3', yt_pref: '4', theme: 'dark' });
    const config = { categories: { functional: { cookies: ['yt_*'] } } };

    it("deletes a refused category's cookies", () => {
      const env = pageEnv({ cookies: jar() });
      create(config, env).rejectAll();
      expect([...env.cookies.cookies.keys()].sort()).toEqual(['__Host-paloma_consent', 'theme']);
    });

    it("keeps an allowed category's cookies and deletes them when it is withdrawn", () => {
      const env = pageEnv({ cookies: jar() });
      const consent = create(config, env);
      consent.acceptAll();
      expect(env.cookies.removed).toEqual([]);
      consent.set({ functional: true });
      expect([...env.cookies.cookies.keys()].sort()).toEqual(['__Host-paloma_consent', 'theme', 'yt_pref']);
      expect(env.cookies.removed).toContainEqual({ name: '_ga', attributes: { path: '/', domain: 'paloma365.com' } });
    });

    it('never deletes the consent cookie under its __Host- name, even for a pattern as wide as *', () => {
      const env = pageEnv({ cookies: jar() });
      create({ categories: { analytics: { cookies: ['*'] } } }, env).rejectAll();
      expect([...env.cookies.cookies.keys()]).toEqual(['__Host-paloma_consent']);
    });
  });

  describe('gated content', () => {
    it('runs gated scripts only once their category is allowed, and at load when consent is stored', async () => {
      document.body.innerHTML = gated('analytics', 'a') + gated('functional', 'f');
      const env = pageEnv();
      const consent = create({}, env);
      await settle();
      expect(window.ran).toEqual([]);
      consent.set({ analytics: true });
      await settle();
      expect(window.ran).toEqual(['a']);

      consent.destroy();
      window.ran = [];
      document.body.innerHTML = gated('analytics', 'a') + gated('functional', 'f');
      create({}, pageEnv({ cookies: env.cookies }));
      await settle();
      expect(window.ran).toEqual(['a']);
    });

    it('opens the preferences when an element with data-consent-open, or a child of it, is clicked', () => {
      document.body.innerHTML =
        '<button id="other">Other</button><a href="#" data-consent-open><span>Cookie settings</span></a>';
      const consent = create();
      consent.acceptAll();
      const click = (selector: string) =>
        document.querySelector(selector)?.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));

      expect(click('#other')).toBe(true);
      expect(consent.state().view).toBe('none');
      expect(click('[data-consent-open] span')).toBe(false);
      expect(consent.state().view).toBe('preferences');
    });

    it('stops listening for clicks once destroyed', () => {
      document.body.innerHTML = '<button data-consent-open>Cookie settings</button>';
      const consent = create();
      consent.hide();
      consent.destroy();
      document.querySelector('button')?.click();
      expect(consent.state().view).toBe('none');
    });
  });

  it('sends Consent Mode default before any decision, then an update for each decision', () => {
    const gtag = vi.fn();
    const consent = create(
      { googleConsentMode: true },
      pageEnv({ window: Object.assign(new EventTarget(), { gtag }) as unknown as Window }),
    );
    consent.set({ analytics: true });
    consent.reset();
    expect(gtag.mock.calls.map(([, command, state]) => [command, state.analytics_storage])).toEqual([
      ['default', 'denied'],
      ['update', 'granted'],
      ['update', 'denied'], // reset: nothing is allowed until the visitor decides again
    ]);
  });
});
