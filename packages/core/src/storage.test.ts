import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { type Decision, METHODS } from './decision.js';
import { cookieValue, createConsentStore, decodeConsent, encodeConsent } from './storage.js';
import { type FakeJar, fakeEnv, fakeJar, NOW, resolvedConfig, throwingJar } from './test-env.js';

const SUBJECT = '0b7e3a52-6f1c-4d2e-9a8b-1c2d3e4f5a6b';
const RECEIPT = '6f1c0b7e-3a52-4d2e-8a8b-1c2d3e4f5a6b';
const config = resolvedConfig();

const decision: Decision = {
  subjectId: SUBJECT,
  policyVersion: '2024-01-01',
  timestamp: '2026-01-15T11:59:00.000Z',
  method: 'custom',
  categories: { necessary: true, analytics: true, functional: false },
};

/** What an undecided cookie with a well-formed subject id keeps: the link between receipts. */
const linked = { subjectId: SUBJECT, lastReceiptId: RECEIPT };
const time = Date.parse(decision.timestamp).toString(36);
/** A cookie value with the given fields replaced; every other field is valid. */
const cookie = (
  fields: Partial<Record<'format' | 'subject' | 'time' | 'method' | 'choices' | 'policy', string>> = {},
) =>
  [
    fields.format ?? '1',
    fields.subject ?? SUBJECT,
    fields.time ?? time,
    fields.method ?? 'custom',
    fields.choices ?? 'necessary:1+analytics:1+functional:0',
    RECEIPT,
    fields.policy ?? '2024-01-01',
  ].join('.');

describe('consent cookie', () => {
  it('decodes what it encodes', () => {
    expect(decodeConsent(encodeConsent(decision, RECEIPT), config, NOW)).toEqual({
      decision,
      subjectId: SUBJECT,
      lastReceiptId: RECEIPT,
    });
    expect(decodeConsent(cookie(), config, NOW).decision).toEqual(decision);
  });

  it('decodes any valid decision it encodes to the same decision', () => {
    const decisions = fc.record({
      subjectId: fc.uuid(),
      policyVersion: fc.string({ minLength: 1 }),
      timestamp: fc.date({ min: new Date(0), max: new Date(NOW), noInvalidDate: true }).map((d) => d.toISOString()),
      method: fc.constantFrom(...METHODS),
      categories: fc.record({ necessary: fc.constant(true), analytics: fc.boolean(), functional: fc.boolean() }),
    });
    // What the controller records: Accept all allows every category, Reject all and GPC refuse every optional one.
    const consistent = decisions.map((d) => {
      const all = d.method === 'accept_all' ? true : d.method === 'reject_all' || d.method === 'gpc' ? false : null;
      if (all === null) return d;
      return { ...d, categories: { necessary: true, analytics: all, functional: all } };
    });
    fc.assert(
      fc.property(consistent, fc.option(fc.uuid(), { nil: undefined }), (d, receipt) => {
        const stored = decodeConsent(encodeConsent(d, receipt), { ...config, policyVersion: d.policyVersion }, NOW);
        expect(stored).toEqual({ decision: d, subjectId: d.subjectId, lastReceiptId: receipt });
      }),
    );
  });

  it('never throws on an arbitrary cookie and leaves it undecided', () => {
    const values = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.array(fc.string(), { maxLength: 9 }).map((parts) => ['1', ...parts].join('.')),
    );
    fc.assert(fc.property(values, (value) => decodeConsent(value, config, NOW).decision === null));
  }, 20_000); // fast-check's binary strings take 3–9 s on a loaded 2-core machine, past the 5 s default

  it('never throws on a valid cookie with a field replaced, and only decodes well-formed decisions', () => {
    const fields = ['format', 'subject', 'time', 'method', 'choices', 'policy'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.string(), (field, value) => {
        const restored = decodeConsent(cookie({ [field]: value }), config, NOW).decision;
        if (restored === null) return;
        expect(restored.policyVersion).toBe('2024-01-01');
        expect(restored.categories).toEqual({
          necessary: true,
          analytics: expect.any(Boolean),
          functional: expect.any(Boolean),
        });
      }),
    );
  });

  it.each([
    ['no cookie', undefined, {}],
    ['an empty cookie', '', {}],
    ['another format version', cookie({ format: '2' }), {}],
    ['a malformed subject id', cookie({ subject: 'not-a-uuid' }), {}],
    ['too few fields', cookie().split('.').slice(0, 6).join('.'), {}],
    ['an unknown method', cookie({ method: 'accept' }), linked],
    ['a malformed timestamp', cookie({ time: 'x!' }), linked],
    ['a timestamp in the future', cookie({ time: (NOW + 2 * 86_400_000).toString(36) }), linked],
    ['strictly necessary refused', cookie({ choices: 'necessary:0+analytics:1+functional:0' }), linked],
    ['a category missing', cookie({ choices: 'necessary:1+analytics:1' }), linked],
    ['a malformed choice', cookie({ choices: 'necessary:1+analytics:yes+functional:0' }), linked],
    ['no choices', cookie({ choices: '' }), linked],
    ['another policy version', cookie({ policy: '2023-06-01' }), linked],
    ['a category listed twice', cookie({ choices: 'necessary:1+analytics:0+functional:0+analytics:1' }), linked],
    ['a category listed twice alike', cookie({ choices: 'necessary:1+analytics:1+functional:0+analytics:1' }), linked],
    ['Accept all with a category off', cookie({ method: 'accept_all' }), linked],
    ['Reject all with an optional category on', cookie({ method: 'reject_all' }), linked],
    ['GPC with an optional category on', cookie({ method: 'gpc' }), linked],
  ])('treats %s as undecided, keeping a well-formed subject id and receipt link', (_, value, kept) => {
    expect(decodeConsent(value, config, NOW)).toEqual({ decision: null, ...kept });
  });

  it('tolerates a little clock skew', () => {
    expect(decodeConsent(cookie({ time: (NOW + 3_600_000).toString(36) }), config, NOW).decision).not.toBeNull();
  });

  it('asks again about a category added since the decision, whatever its name', () => {
    const added = resolvedConfig({ categories: { constructor: {} } });
    expect(decodeConsent(cookie(), added, NOW)).toEqual({ decision: null, subjectId: SUBJECT, lastReceiptId: RECEIPT });
  });

  it('ignores choices for categories the configuration no longer has', () => {
    const value = cookie({ choices: 'necessary:1+analytics:1+functional:0+marketing:1' });
    expect(decodeConsent(value, config, NOW).decision).toEqual(decision);
  });

  it('keeps a policy version containing dots', () => {
    const dotted = resolvedConfig({ policyVersion: '2024.01.01' });
    const d = { ...decision, policyVersion: '2024.01.01' };
    expect(decodeConsent(encodeConsent(d), dotted, NOW).decision).toEqual(d);
    expect(decodeConsent(encodeConsent({ ...d, policyVersion: '2024.01' }), dotted, NOW).decision).toBeNull();
    expect(decodeConsent(encodeConsent({ ...d, policyVersion: '2024.01.01.1' }), dotted, NOW).decision).toBeNull();
  });
});

describe('createConsentStore', () => {
  it('writes the cookie with SameSite, expiry, domain, path and Secure on https', () => {
    const env = fakeEnv();
    const custom = resolvedConfig({
      cookie: { name: 'consent', domain: 'paloma365.com', path: '/app', maxAgeDays: 30, sameSite: 'Strict' },
    });
    createConsentStore(custom, env).write(decision, RECEIPT);
    expect(env.cookies.sets).toEqual([
      {
        name: 'consent',
        value: encodeConsent(decision, RECEIPT),
        attributes: { domain: 'paloma365.com', path: '/app', expires: 30, sameSite: 'Strict', secure: true },
      },
    ]);
  });

  it('writes a host-only Lax cookie for 182 days by default, not Secure on http', () => {
    const env = fakeEnv({ location: { protocol: 'http:', hostname: 'localhost', origin: '', pathname: '/' } });
    createConsentStore(config, env).write(decision);
    expect(env.cookies.sets[0]).toEqual({
      name: 'paloma_consent',
      value: encodeConsent(decision),
      attributes: { domain: undefined, path: '/', expires: 182, sameSite: 'Lax', secure: false },
    });
  });

  it('makes a SameSite=None cookie Secure, as browsers require', () => {
    const env = fakeEnv({ location: { protocol: 'http:', hostname: 'localhost', origin: '', pathname: '/' } });
    createConsentStore(resolvedConfig({ cookie: { sameSite: 'None' } }), env).write(decision);
    expect(env.cookies.sets[0]?.attributes).toMatchObject({ sameSite: 'None', secure: true });
  });

  it('reads back what another store wrote to the same jar', () => {
    const jar = fakeJar();
    createConsentStore(config, fakeEnv({ cookies: jar })).write(decision, RECEIPT);
    expect(createConsentStore(config, fakeEnv({ cookies: jar })).read()).toEqual({
      decision,
      subjectId: SUBJECT,
      lastReceiptId: RECEIPT,
    });
  });

  it('removes the cookie with its domain and path, and forgets the decision', () => {
    const env = fakeEnv();
    const store = createConsentStore(resolvedConfig({ cookie: { domain: 'paloma365.com', path: '/app' } }), env);
    store.write(decision);
    store.clear();
    expect(env.cookies.removed).toEqual([
      {
        name: 'paloma_consent',
        attributes: { domain: 'paloma365.com', path: '/app', expires: 182, sameSite: 'Lax', secure: true },
      },
    ]);
    expect(store.read().decision).toBeNull();
  });

  it('never throws when the jar does, and reads undecided', () => {
    const store = createConsentStore(config, fakeEnv({ cookies: throwingJar() as FakeJar }));
    expect(store.read()).toEqual({ decision: null });
    expect(() => store.write(decision)).not.toThrow();
    expect(() => store.clear()).not.toThrow();
  });
});

describe('planted cookies', () => {
  const http = { protocol: 'http:', hostname: 'www.paloma.test', origin: 'http://www.paloma.test', pathname: '/' };
  const rejected = encodeConsent({
    ...decision,
    method: 'reject_all',
    categories: { ...decision.categories, analytics: false },
  });
  const accepted = encodeConsent({
    ...decision,
    method: 'accept_all',
    categories: { necessary: true, analytics: true, functional: true },
  });

  it('finds every cookie of a name in a cookie header, and only that name', () => {
    expect(cookieValue('a=1; paloma_consent=x; b=2', 'paloma_consent')).toBe('x');
    expect(cookieValue('xpaloma_consent=1; paloma_consentx=2; b=2', 'paloma_consent')).toBeUndefined();
    expect(cookieValue('paloma_consent=x;paloma_consent=x', 'paloma_consent')).toBe('x');
    expect(cookieValue('paloma_consent=x; paloma_consent=y', 'paloma_consent')).toBeNull();
    expect(cookieValue('paloma_consent=a%20b=c', 'paloma_consent')).toBe('a b=c');
    expect(cookieValue('paloma_consent=%E0%A4%A', 'paloma_consent')).toBe('%E0%A4%A');
    expect(cookieValue('', 'paloma_consent')).toBeUndefined();
  });

  it('counts the visitor as undecided when another host planted a differing cookie of the same name', () => {
    const jar = fakeJar({ paloma_consent: rejected }, [['paloma_consent', accepted]]);
    // What js-cookie's get(name) alone would have restored: the planted Accept all.
    expect(decodeConsent(jar.get('paloma_consent'), config, NOW).decision?.method).toBe('accept_all');
    expect(createConsentStore(config, fakeEnv({ location: http, cookies: jar })).read()).toEqual({ decision: null });
  });

  it('restores the decision when the two cookies of a name agree', () => {
    const jar = fakeJar({ paloma_consent: rejected }, [['paloma_consent', rejected]]);
    expect(createConsentStore(config, fakeEnv({ location: http, cookies: jar })).read().decision?.method).toBe(
      'reject_all',
    );
  });

  it('sees the planted cookie also on https when cookie.domain is set', () => {
    const shared = resolvedConfig({ cookie: { domain: 'paloma.test' } });
    const jar = fakeJar({ paloma_consent: rejected }, [['paloma_consent', accepted]]);
    const store = createConsentStore(shared, fakeEnv({ cookies: jar }));
    expect(store.name).toBe('paloma_consent');
    expect(store.read()).toEqual({ decision: null });
  });

  it('writes a __Host- cookie on https with the default domain and path: Secure, Path=/, no Domain', () => {
    const env = fakeEnv();
    const store = createConsentStore(config, env);
    store.write(decision);
    expect(store.name).toBe('__Host-paloma_consent');
    expect(env.cookies.sets).toEqual([
      {
        name: '__Host-paloma_consent',
        value: encodeConsent(decision),
        attributes: { domain: undefined, path: '/', expires: 182, sameSite: 'Lax', secure: true },
      },
    ]);
    store.clear();
    // A __Host- cookie is only deleted by a write that keeps the prefix's rules.
    expect(env.cookies.removed).toEqual([
      { name: '__Host-paloma_consent', attributes: env.cookies.sets[0]?.attributes },
    ]);
  });

  it.each([
    ['a path', { path: '/app' }],
    ['a domain', { domain: 'paloma365.com' }],
  ])('keeps the plain name on https with %s configured, and on http', (_, cookie) => {
    expect(createConsentStore(resolvedConfig({ cookie }), fakeEnv()).name).toBe('paloma_consent');
    expect(createConsentStore(config, fakeEnv({ location: http })).name).toBe('paloma_consent');
  });

  it('keeps the __Host- decision whatever a sibling plants under the plain name', () => {
    const jar = fakeJar({ '__Host-paloma_consent': rejected }, [['paloma_consent', accepted]]);
    expect(createConsentStore(config, fakeEnv({ cookies: jar })).read().decision?.method).toBe('reject_all');
    expect(jar.sets).toEqual([]);
  });

  it('moves the version-1 cookie of this host to the __Host- name, once, and deletes it', () => {
    const jar = fakeJar({ paloma_consent: rejected });
    expect(createConsentStore(config, fakeEnv({ cookies: jar })).read().decision?.method).toBe('reject_all');
    expect([...jar.cookies]).toEqual([['__Host-paloma_consent', rejected]]);
    expect(jar.removed).toEqual([
      {
        name: 'paloma_consent',
        attributes: { domain: undefined, path: '/', expires: 182, sameSite: 'Lax', secure: true },
      },
    ]);
    expect(createConsentStore(config, fakeEnv({ cookies: jar })).read().decision?.method).toBe('reject_all');
    expect(jar.sets).toHaveLength(1);
  });

  it('moves no version-1 cookie that the host could not delete (a sibling planted it), and stays undecided', () => {
    const jar = fakeJar({}, [['paloma_consent', accepted]]);
    expect(createConsentStore(config, fakeEnv({ cookies: jar })).read()).toEqual({ decision: null });
    expect(jar.sets).toEqual([]);
  });

  it('moves no version-1 cookie when two differing ones are seen', () => {
    const jar = fakeJar({ paloma_consent: rejected }, [['paloma_consent', accepted]]);
    expect(createConsentStore(config, fakeEnv({ cookies: jar })).read()).toEqual({ decision: null });
    expect(jar.sets).toEqual([]);
  });

  it('reads document.cookie once for both names on a first visit (each read is a round trip to the browser)', () => {
    const jar = fakeJar({ other: '1' });
    const header = vi.spyOn(jar, 'header');
    expect(createConsentStore(config, fakeEnv({ cookies: jar })).read()).toEqual({ decision: null });
    expect(header).toHaveBeenCalledOnce();
  });

  it('reads through get(name) when a custom jar has no header()', () => {
    const { header: _, ...jar } = fakeJar({ paloma_consent: rejected });
    const store = createConsentStore(config, fakeEnv({ location: http, cookies: jar as FakeJar }));
    expect(store.read().decision?.method).toBe('reject_all');
  });
});
