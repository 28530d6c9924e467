import { LANGUAGES, type Language } from './config.js';
import type { NavigatorLike } from './env.js';

/** "kz" is a common mistake for Kazakh's code "kk". */
const ALIASES: Record<string, Language> = { kz: 'kk' };

/** `"auto"`: the page's `<html lang>`, then the browser's languages, then English. */
export function resolveLanguage(setting: 'auto' | Language, document?: Document, navigator?: NavigatorLike): Language {
  if (setting !== 'auto') return setting;
  // Some browsers report an empty `languages` list; `language` still holds the UI language.
  const languages = navigator?.languages?.length ? navigator.languages : [navigator?.language];
  const candidates = [document?.documentElement?.lang, ...languages];
  for (const candidate of candidates) {
    const base = candidate?.toLowerCase().split(/[-_]/)[0] ?? '';
    const language = ALIASES[base] ?? base;
    if ((LANGUAGES as readonly string[]).includes(language)) return language as Language;
  }
  return 'en';
}
