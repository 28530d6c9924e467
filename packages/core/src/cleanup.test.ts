import { describe, expect, it } from 'vitest';
import { cookieDomains, deleteCookies } from './cleanup.js';
import { fakeJar, throwingJar } from './test-env.js';

describe('cookieDomains', () => {
  it('lists the host and every parent domain', () => {
    expect(cookieDomains('a.b.paloma365.com')).toEqual(['a.b.paloma365.com', 'b.paloma365.com', 'paloma365.com']);
    expect(cookieDomains('paloma365.com')).toEqual(['paloma365.com']);
  });

  it.each(['localhost', '127.0.0.1', '[::1]', '192.168.0.10'])('has no domain variants for %s', (host) => {
    expect(cookieDomains(host)).toEqual([]);
  });
});

describe('deleteCookies', () => {
  const jar = () =>
    fakeJar({ _ga: '1', _ga_ABC123: '2', _gid: '3', _ym_uid: '4', _ym_d: '5', session: '6', x_ga: '7', _gax: '8' });

  it('deletes cookies matching exact names and * wildcards, and leaves the others', () => {
    const cookies = jar();
    expect(deleteCookies(cookies, ['_ga', '_ga_*', '_ym_*'], 'localhost')).toEqual([
      '_ga',
      '_ga_ABC123',
      '_ym_uid',
      '_ym_d',
    ]);
    expect([...cookies.cookies.keys()]).toEqual(['_gid', 'session', 'x_ga', '_gax']);
    expect(new Set(cookies.removed.map((r) => r.name))).toEqual(new Set(['_ga', '_ga_ABC123', '_ym_uid', '_ym_d']));
  });

  it('never deletes the cookie it is told to keep (the consent cookie), whatever the pattern', () => {
    const cookies = fakeJar({ paloma_consent: '1', _ga: '2' });
    expect(deleteCookies(cookies, ['*'], 'localhost', 'paloma_consent')).toEqual(['_ga']);
    expect([...cookies.cookies.keys()]).toEqual(['paloma_consent']);
  });

  it('treats every character of a pattern but * literally', () => {
    const cookies = fakeJar({ a_b: '1', 'a.b': '2', aab: '3' });
    expect(deleteCookies(cookies, ['a.b'], 'localhost')).toEqual(['a.b']);
  });

  it('tries host-only and every parent domain, since a cookie is only deleted with the domain it was set with', () => {
    const cookies = fakeJar({ _ga: '1' });
    deleteCookies(cookies, ['_ga'], 'a.b.paloma365.com');
    expect(cookies.removed).toEqual([
      { name: '_ga', attributes: { path: '/' } },
      { name: '_ga', attributes: { path: '/', domain: 'a.b.paloma365.com' } },
      { name: '_ga', attributes: { path: '/', domain: 'b.paloma365.com' } },
      { name: '_ga', attributes: { path: '/', domain: 'paloma365.com' } },
    ]);
  });

  it('removes host-only on localhost and IP addresses', () => {
    for (const host of ['localhost', '10.0.0.1']) {
      const cookies = fakeJar({ _ga: '1' });
      deleteCookies(cookies, ['_ga'], host);
      expect(cookies.removed).toEqual([{ name: '_ga', attributes: { path: '/' } }]);
    }
  });

  it('deletes nothing without patterns', () => {
    const cookies = jar();
    expect(deleteCookies(cookies, [], 'paloma365.com')).toEqual([]);
    expect(cookies.removed).toEqual([]);
  });

  it('does not throw when the cookie jar does', () => {
    expect(deleteCookies(throwingJar(), ['_ga'], 'paloma365.com')).toEqual([]);
  });
});
