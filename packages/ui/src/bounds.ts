import type { ResolvedConfig } from '@paloma365/consent-core';

type Fields = Record<string, unknown>;

/**
 * The configuration with every text the UI shows within the receipt schema's bounds: a text over its
 * bound (a `<category>Title` text or a category's title over 200 characters, any other text or
 * description over 2000, a declared cookie's purpose over 200 or lifetime over 50 or on more than one
 * line, more than 20 declared cookies in a category, an operator's name or id over 200, a URL over
 * 2048) would make the collector refuse every receipt given on it. Each is a warning naming its field,
 * and the default stays, as for any mistake in what only the UI shows; the core's check has the fatal
 * bounds (ids, cookie names and counts, the language). Here, not in the core: the engine, which shows
 * nothing, carries none of it. Lengths are UTF-16 units, never fewer than the schema's characters.
 */
export function withinBounds(config: ResolvedConfig, warn: (message: string) => void): ResolvedConfig {
  // A copy to trim: the configuration is plain data, and the controller's own stays as it was.
  const copy: ResolvedConfig = JSON.parse(JSON.stringify(config));
  /** Removes `fields[key]` past `max` (each language of a per-language text on its own), with a warning. */
  const fit = (fields: object | undefined, key: string, at: string, max: number, oneLine?: boolean) => {
    const value = (fields as Fields | undefined)?.[key];
    const path = at ? `${at}.${key}` : key;
    if (value && typeof value === 'object') for (const lang in value) fit(value, lang, path, max, oneLine);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: a one-line text holds none, as the schema's pattern says
    else if (typeof value === 'string' && (value.length > max || (oneLine && /[\0-\x1f\x7f]/.test(value)))) {
      warn(`${path}: expected at most ${max} characters${oneLine ? ' on one line' : ''}; the default is used`);
      delete (fields as Fields)[key];
    }
  };
  for (const lang in copy.texts) {
    for (const key in copy.texts[lang]) {
      const title = copy.categories.some((c) => `${c.id}Title` === key);
      fit(copy.texts[lang], key, `texts.${lang}`, title ? 200 : 2000);
    }
  }
  for (const c of copy.categories) {
    const at = `categories.${c.id}`;
    fit(c, 'title', at, 200);
    fit(c, 'description', at, 2000);
    if (c.declared && c.declared.length > 20) {
      warn(`${at}.cookies: at most 20 declared cookies; the others are deleted but not listed`);
      c.declared.length = 20;
    }
    for (const cookie of c.declared ?? []) {
      // Its place in the configured list, which holds every entry's name.
      const entry = `${at}.cookies[${c.cookies.indexOf(cookie.name)}]`;
      fit(cookie, 'purpose', entry, 200, true);
      fit(cookie, 'lifetime', entry, 50, true);
    }
  }
  fit(copy, 'privacyPolicyUrl', '', 2048);
  for (const key of ['name', 'id', 'url']) fit(copy.operator, key, 'operator', key === 'url' ? 2048 : 200);
  return copy;
}
