import { LANGUAGES, type Language } from './config.js';
import type { NavigatorLike } from './env.js';

/** "kz" is a common mistake for Kazakh's code "kk". */
const ALIASES: Record<string, Language> = { kz: 'kk' };

/** The supported language a tag such as `ru-KZ`, `kk_KZ` or `kz` names, if any. */
function supported(tag: string | undefined): Language | undefined {
  const base = tag?.toLowerCase().split(/[-_]/)[0] ?? '';
  const language = ALIASES[base] ?? base;
  return (LANGUAGES as readonly string[]).includes(language) ? (language as Language) : undefined;
}

/** `"auto"`: the page's `<html lang>`, then the browser's languages, then English. */
export function resolveLanguage(setting: 'auto' | Language, document?: Document, navigator?: NavigatorLike): Language {
  if (setting !== 'auto') return setting;
  // Some browsers report an empty `languages` list; `language` still holds the UI language.
  // Read only when <html lang> does not settle it: `navigator.languages` is not free on the page's first task.
  const browser = () => (navigator?.languages?.length ? navigator.languages : [navigator?.language]);
  return supported(document?.documentElement?.lang) ?? browser().map(supported).find(Boolean) ?? 'en';
}
