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

/** Levenshtein distance, for the nearest known key to a misspelt one. */
const distance = (a: string, b: string) => {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        (row[j] as number) + 1,
        (next[j - 1] as number) + 1,
        (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length] as number;
};
const closest = (key: string, keys: string[]) =>
  keys.reduce((best, k) => (distance(key, k) < distance(key, best) ? k : best));

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
  // A misspelt key would silently change nothing: name it, and the key it most likely meant.
  const keys = [...Object.keys(builtin), ...config.categories.flatMap((c) => [`${c.id}Title`, `${c.id}Description`])];
  for (const key of Object.keys(own)) {
    if (!keys.includes(key))
      warn(`texts.${lang}.${key} is not a text key, ignored (did you mean ${closest(key, keys)}?)`);
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
