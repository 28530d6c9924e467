/**
 * First party or third party, without shipping the Public Suffix List: a host's "site" is its last two
 * labels, or three under a few well-known two-label suffixes (`com.kz`, `co.uk`, …). An IP address or a
 * single-label host is its own site. Good enough to tell a tracker's host from the site's own subdomains.
 */
const TWO_LABEL_SUFFIXES = new Set([
  'com.kz',
  'org.kz',
  'edu.kz',
  'gov.kz',
  'net.kz',
  'com.ru',
  'org.ru',
  'net.ru',
  'msk.ru',
  'spb.ru',
  'co.uk',
  'org.uk',
  'com.ua',
  'com.tr',
  'com.au',
  'co.jp',
  'com.br',
  'co.in',
]);

export function siteOf(host: string): string {
  const name = host.toLowerCase().replace(/^\.+|\.+$/g, '');
  if (/^[\d.]+$/.test(name) || name.includes(':')) return name;
  const labels = name.split('.');
  const last2 = labels.slice(-2).join('.');
  return TWO_LABEL_SUFFIXES.has(last2) && labels.length > 2 ? labels.slice(-3).join('.') : last2;
}

export const sameSite = (a: string, b: string): boolean => siteOf(a) === siteOf(b);
