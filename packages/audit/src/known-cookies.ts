/**
 * Well-known cookies (and storage keys) of common tags, so a report can say where a name the configuration
 * does not list probably belongs. Small on purpose: a guess to check, not a database.
 */
export interface KnownCookie {
  /** `*` is a wildcard, as in a category's `cookies`. */
  pattern: string;
  /** The consent category it needs; `marketing` has no built-in category, so the site adds one. */
  category: 'analytics' | 'functional' | 'marketing';
  vendor: string;
}

export const KNOWN_COOKIES: readonly KnownCookie[] = [
  { pattern: '_ga', category: 'analytics', vendor: 'Google Analytics' },
  { pattern: '_ga_*', category: 'analytics', vendor: 'Google Analytics' },
  { pattern: '_gid', category: 'analytics', vendor: 'Google Analytics' },
  { pattern: '_gat*', category: 'analytics', vendor: 'Google Analytics' },
  { pattern: '__utm*', category: 'analytics', vendor: 'Google Analytics (Universal)' },
  { pattern: '_gcl_*', category: 'marketing', vendor: 'Google Ads' },
  { pattern: '_gac_*', category: 'marketing', vendor: 'Google Ads' },
  { pattern: '_ym*', category: 'analytics', vendor: 'Yandex Metrica' },
  { pattern: 'yandexuid', category: 'analytics', vendor: 'Yandex Metrica' },
  { pattern: 'ymex', category: 'analytics', vendor: 'Yandex Metrica' },
  { pattern: 'yuidss', category: 'analytics', vendor: 'Yandex Metrica' },
  { pattern: 'tmr_*', category: 'analytics', vendor: 'VK / Top@Mail.ru' },
  { pattern: '_hj*', category: 'analytics', vendor: 'Hotjar' },
  { pattern: '_clck', category: 'analytics', vendor: 'Microsoft Clarity' },
  { pattern: '_clsk', category: 'analytics', vendor: 'Microsoft Clarity' },
  { pattern: 'MUID', category: 'marketing', vendor: 'Microsoft' },
  { pattern: '_uet*', category: 'marketing', vendor: 'Microsoft Advertising' },
  { pattern: '_fbp', category: 'marketing', vendor: 'Meta Pixel' },
  { pattern: '_fbc', category: 'marketing', vendor: 'Meta Pixel' },
  { pattern: 'fr', category: 'marketing', vendor: 'Meta' },
  { pattern: '_ttp', category: 'marketing', vendor: 'TikTok Pixel' },
  { pattern: '_tt_*', category: 'marketing', vendor: 'TikTok Pixel' },
  { pattern: 'YSC', category: 'functional', vendor: 'YouTube' },
  { pattern: 'VISITOR_INFO1_LIVE', category: 'functional', vendor: 'YouTube' },
  { pattern: 'VISITOR_PRIVACY_METADATA', category: 'functional', vendor: 'YouTube' },
  { pattern: '__Secure-YEC', category: 'functional', vendor: 'YouTube' },
  { pattern: '__Secure-ROLLOUT_TOKEN', category: 'functional', vendor: 'YouTube' },
  { pattern: 'PREF', category: 'functional', vendor: 'YouTube' },
  { pattern: 'jv_*', category: 'functional', vendor: 'JivoChat' },
  { pattern: 'intercom-*', category: 'functional', vendor: 'Intercom' },
  { pattern: 'crisp-client*', category: 'functional', vendor: 'Crisp' },
];

/** `*` matches any run of characters; everything else literally, as the SDK's cookie clean-up reads a pattern. */
export const matches = (pattern: string, name: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(name);

export const knownCookie = (name: string): KnownCookie | undefined =>
  KNOWN_COOKIES.find((known) => matches(known.pattern, name));
