import type { Category, ResolvedConfig, Text } from '@paloma365/consent-core';
import type { TextKey } from './texts/en.js';
import { builtinTexts } from './texts/index.js';

export type { TextKey, Texts } from './texts/en.js';

export interface Translator {
  lang: string;
  t(key: TextKey): string;
  /** A category's title and description: its config, then `texts`, then the built-in ones. */
  category(category: Category): [title: string, description: string];
  /** A configured text in the visitor's language (English when it lacks that one). */
  local(value: Text | undefined): string;
}

/**
 * The core's `LANGUAGES` (a test keeps them equal): importing the core's value would bring the engine's
 * modules, js-cookie among them, into the UI file.
 */
export const BUILT_IN: readonly string[] = ['en', 'ru', 'kk'];

/**
 * The texts of `lang`: the configuration's, then the built-in ones. A language the site adds through
 * `texts` falls back to English for each text it leaves out, and `warn` names each such text once.
 */
export function createTranslator(
  config: ResolvedConfig,
  lang: string,
  warn: (message: string) => void = () => {},
): Translator {
  const own: Record<string, string | undefined> = config.texts[lang] ?? {};
  const builtin: Record<string, string | undefined> = builtinTexts(lang);
  if (!BUILT_IN.includes(lang)) {
    for (const key in builtin) if (!own[key]) warn(`texts.${lang}.${key} is missing: the English text is shown`);
  }
  const text = (key: string) => own[key] ?? builtin[key] ?? '';
  // A language missing from a `{ ru, kk }` object falls back to the built-in text, then to the English one.
  const pick = (value: Text | undefined, key: string) =>
    (typeof value === 'string' ? value : value?.[lang]) || text(key) || (typeof value === 'object' ? value.en : '');
  return {
    lang,
    t: text,
    category: (c) => [pick(c.title, `${c.id}Title`) || c.id, pick(c.description, `${c.id}Description`) ?? ''],
    local: (value) => pick(value, '') ?? '',
  };
}
