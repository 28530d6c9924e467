import { LANGUAGES, type Language } from './config.js';
import type { NavigatorLike } from './env.js';

/** "kz" is a common mistake for Kazakh's code "kk". */
const ALIASES: Record<string, Language> = { kz: 'kk' };

/**
 * `"auto"`: the page's `<html lang>`, then the browser's languages, then English. A tag names a language
 * when it is one (`uz-Latn`) or its first part is (`ru-KZ`, `kk_KZ`, `kz`): a built-in one or one of `added`
 * (the languages the configuration gives texts for).
 */
export function resolveLanguage(
  setting: string,
  document?: Document,
  navigator?: NavigatorLike,
  added: readonly string[] = [],
): string {
  if (setting !== 'auto') return setting;
  const known = [...LANGUAGES, ...added];
  const supported = (tag: string | undefined) => {
    const base = tag?.split(/[-_]/)[0]?.toLowerCase() ?? '';
    return (
      known.find((language) => language.toLowerCase() === tag?.replace('_', '-').toLowerCase()) ??
      known.find((language) => language === (ALIASES[base] ?? base))
    );
  };
  // Some browsers report an empty `languages` list; `language` still holds the UI language.
  // Read only when <html lang> does not settle it: `navigator.languages` is not free on the page's first task.
  const browser = () => (navigator?.languages?.length ? navigator.languages : [navigator?.language]);
  return supported(document?.documentElement?.lang) ?? browser().map(supported).find(Boolean) ?? 'en';
}
