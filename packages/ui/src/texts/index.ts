import { en, type Texts } from './en.js';
import { kk } from './kk.js';
import { ru } from './ru.js';

/**
 * The built-in texts for a language; English for a language the SDK does not ship. The script-tag
 * build replaces this module with one that holds a single language (see rollup.config.mjs).
 */
export const builtinTexts = (language: string): Texts => ({ en, ru, kk })[language] ?? en;
