/** A UI text: one string for every language, or one per language. */
export type Text = string | { readonly [language: string]: string };

export const LANGUAGES = ['en', 'ru', 'kk'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface CategoryConfig {
  /** Shown as the switch label. */
  title?: Text;
  description?: Text;
  /**
   * Cookies to delete when the category is refused or withdrawn; `*` is a wildcard.
   * @example ["_ga", "_ga_*", "_ym_*"]
   */
  cookies?: string[];
}

export interface CookieOptions {
  /** @default "paloma_consent" */
  name?: string;
  /** @default host-only */
  domain?: string;
  /** @default "/" */
  path?: string;
  /** @default 182 */
  maxAgeDays?: number;
  /** @default "Lax" */
  sameSite?: 'Lax' | 'Strict' | 'None';
}

export interface OperatorConfig {
  name?: string;
  id?: string;
  url?: string;
}

/** Google Consent Mode v2 storage types, as `gtag('consent', …)` names them. */
export type ConsentModeType =
  | 'ad_storage'
  | 'ad_user_data'
  | 'ad_personalization'
  | 'analytics_storage'
  | 'functionality_storage'
  | 'personalization_storage'
  | 'security_storage';

export interface ConsentConfig {
  /** Version of the privacy policy; a new version voids stored consent and asks again. */
  policyVersion: string;
  /** URL that receives a receipt (POST, JSON) for every decision. @default none */
  endpoint?: string;
  /** @default "auto": `<html lang>`, then `navigator.languages`, then "en" */
  language?: 'auto' | Language;
  /** Override a default category (`necessary`, `analytics`, `functional`) or add one. */
  categories?: Record<string, CategoryConfig>;
  cookie?: CookieOptions;
  /** Refuse optional categories automatically under Global Privacy Control. @default true */
  respectGpc?: boolean;
  /**
   * Send Google Consent Mode v2 `default`/`update` commands; an object overrides
   * which Consent Mode types each category grants. @default false
   */
  googleConsentMode?: boolean | { mapping: Record<string, ConsentModeType[]> };
  /** Per-language overrides of UI strings. */
  texts?: Partial<Record<Language, Record<string, string>>>;
  privacyPolicyUrl?: string;
  /** The data controller, named in the preferences dialog. */
  operator?: OperatorConfig;
  /** Banner layout. @default "bar" */
  layout?: 'bar' | 'box';
  /** Show a small floating button that reopens the preferences. @default false */
  settingsButton?: boolean;
}

export interface Category {
  id: string;
  /** Strictly necessary: always allowed, cannot be switched off. */
  required: boolean;
  title?: Text;
  description?: Text;
  cookies: string[];
}

/** A configuration with every default filled in. */
export interface ResolvedConfig {
  policyVersion: string;
  endpoint?: string;
  language: 'auto' | Language;
  categories: Category[];
  cookie: Required<Omit<CookieOptions, 'domain'>> & { domain?: string };
  respectGpc: boolean;
  googleConsentMode: false | Record<string, ConsentModeType[]>;
  texts: Partial<Record<Language, Record<string, string>>>;
  privacyPolicyUrl?: string;
  operator?: OperatorConfig;
  layout: 'bar' | 'box';
  settingsButton: boolean;
}

/** One thing wrong with a configuration, with the path of the field. */
export interface Problem {
  path: string;
  message: string;
}

export type Validation =
  | { ok: true; config: ResolvedConfig; warnings: Problem[] }
  | { ok: false; problems: Problem[]; warnings: Problem[] };

/** Analytics tools' cookies are the usual reason to refuse a category, so they are deleted by default. */
const DEFAULT_CATEGORIES: Category[] = [
  { id: 'necessary', required: true, cookies: [] },
  { id: 'analytics', required: false, cookies: ['_ga', '_ga_*', '_gid', '_gat*', '_ym_*', '_ym_uid'] },
  { id: 'functional', required: false, cookies: [] },
];

export const DEFAULT_CONSENT_MODE: Record<string, ConsentModeType[]> = {
  analytics: ['analytics_storage'],
  functional: ['functionality_storage', 'personalization_storage'],
};

const CONSENT_MODE_TYPES: readonly string[] = [
  'ad_storage',
  'ad_user_data',
  'ad_personalization',
  'analytics_storage',
  'functionality_storage',
  'personalization_storage',
  'security_storage',
];

const CATEGORY_ID = /^[a-z][a-z0-9_]{0,31}$/;
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const describe = (value: unknown): string =>
  value == null ? String(value) : Array.isArray(value) ? 'an array' : `a ${typeof value}`;

/**
 * Checks a configuration and fills in the defaults. Returns every problem, each
 * with the path of its field, instead of throwing: the caller decides what to do.
 */
export function validateConfig(input: unknown): Validation {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const fail = (path: string, message: string) => problems.push({ path, message });

  if (!isObject(input)) {
    fail('(config)', `expected an object, got ${describe(input)}`);
    return { ok: false, problems, warnings };
  }

  const string = (path: string, value: unknown, required = false): string | undefined => {
    if (value === undefined && !required) return undefined;
    if (typeof value === 'string' && value.trim() !== '') return value;
    fail(path, value === undefined ? 'is required' : `expected a non-empty string, got ${describe(value)}`);
    return undefined;
  };
  const boolean = (path: string, value: unknown, fallback: boolean): boolean => {
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    fail(path, `expected true or false, got ${describe(value)}`);
    return fallback;
  };
  const oneOf = <T extends string>(path: string, value: unknown, allowed: readonly T[], fallback: T): T => {
    if (value === undefined) return fallback;
    if (allowed.includes(value as T)) return value as T;
    fail(path, `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(value)}`);
    return fallback;
  };
  /** `known` lists the keys the object may hold; without it any key is fine. */
  const object = (path: string, value: unknown, known?: readonly string[]): Json | undefined => {
    if (value === undefined) return undefined;
    if (!isObject(value)) {
      fail(path, `expected an object, got ${describe(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (known && !known.includes(key)) {
        warnings.push({ path: path ? `${path}.${key}` : key, message: 'unknown option, ignored' });
      }
    }
    return value;
  };
  const text = (path: string, value: unknown): Text | undefined => {
    if (value === undefined || typeof value === 'string') return value;
    if (isObject(value) && Object.values(value).every((v) => typeof v === 'string')) return value as Text;
    fail(path, `expected a string or an object of strings keyed by language, got ${describe(value)}`);
    return undefined;
  };
  const url = (path: string, value: unknown): string | undefined => {
    const s = string(path, value);
    if (s !== undefined && /^\s*(javascript|data|vbscript):/i.test(s))
      fail(path, 'expected an http(s) or relative URL');
    return s;
  };

  const root = object('', input, [
    'policyVersion',
    'endpoint',
    'language',
    'categories',
    'cookie',
    'respectGpc',
    'googleConsentMode',
    'texts',
    'privacyPolicyUrl',
    'operator',
    'layout',
    'settingsButton',
  ]) as Json;

  const policyVersion = string('policyVersion', root.policyVersion, true) ?? '';

  const categories = DEFAULT_CATEGORIES.map((c) => ({ ...c }));
  const rawCategories = object('categories', root.categories);
  for (const [id, raw] of Object.entries(rawCategories ?? {})) {
    const path = `categories.${id}`;
    if (!CATEGORY_ID.test(id)) {
      fail(path, 'a category id is lower-case letters, digits and "_", starting with a letter');
      continue;
    }
    const entry = object(path, raw, ['title', 'description', 'cookies']);
    if (!entry) continue;
    let category = categories.find((c) => c.id === id);
    if (!category) {
      category = { id, required: false, cookies: [] };
      categories.push(category);
    }
    category.title = text(`${path}.title`, entry.title) ?? category.title;
    category.description = text(`${path}.description`, entry.description) ?? category.description;
    if (entry.cookies !== undefined) {
      if (!Array.isArray(entry.cookies))
        fail(`${path}.cookies`, `expected a list of cookie names, got ${describe(entry.cookies)}`);
      else {
        entry.cookies.forEach((name, i) => {
          if (typeof name !== 'string') fail(`${path}.cookies[${i}]`, `expected a string, got ${describe(name)}`);
          else if (!COOKIE_NAME.test(name)) fail(`${path}.cookies[${i}]`, `"${name}" is not a cookie name`);
        });
        category.cookies = entry.cookies as string[];
      }
    }
  }

  const rawCookie = object('cookie', root.cookie, ['name', 'domain', 'path', 'maxAgeDays', 'sameSite']) ?? {};
  const cookieName = string('cookie.name', rawCookie.name) ?? 'paloma_consent';
  if (!COOKIE_NAME.test(cookieName)) fail('cookie.name', `"${cookieName}" is not a cookie name`);
  const maxAgeDays = rawCookie.maxAgeDays ?? 182;
  if (typeof maxAgeDays !== 'number' || !(maxAgeDays > 0 && maxAgeDays <= 400)) {
    // Chromium caps cookie lifetime at 400 days; a longer promise would be a lie.
    fail('cookie.maxAgeDays', `expected a number of days from 1 to 400, got ${JSON.stringify(maxAgeDays)}`);
  }

  let googleConsentMode: ResolvedConfig['googleConsentMode'] = false;
  const gcm = root.googleConsentMode;
  if (gcm === true) googleConsentMode = DEFAULT_CONSENT_MODE;
  else if (gcm !== undefined && gcm !== false) {
    // object() reports a value that is not an object; only an object can lack its mapping.
    const mapping = object('googleConsentMode', gcm, ['mapping'])?.mapping;
    if (isObject(gcm) && !isObject(mapping))
      fail('googleConsentMode.mapping', `expected an object, got ${describe(mapping)}`);
    else if (isObject(mapping)) {
      for (const [id, types] of Object.entries(mapping)) {
        const path = `googleConsentMode.mapping.${id}`;
        if (!Array.isArray(types) || types.some((t) => !CONSENT_MODE_TYPES.includes(t))) {
          fail(path, `expected a list of Consent Mode types (${CONSENT_MODE_TYPES.join(', ')})`);
        }
      }
      googleConsentMode = mapping as Record<string, ConsentModeType[]>;
    }
  }

  const texts: ResolvedConfig['texts'] = {};
  const rawTexts = object('texts', root.texts, LANGUAGES) ?? {};
  for (const language of LANGUAGES) {
    const table = rawTexts[language];
    if (table === undefined) continue;
    if (!isObject(table) || Object.values(table).some((v) => typeof v !== 'string')) {
      fail(`texts.${language}`, 'expected an object of strings');
    } else texts[language] = table as Record<string, string>;
  }

  const rawOperator = object('operator', root.operator, ['name', 'id', 'url']);
  const operator = rawOperator && {
    name: string('operator.name', rawOperator.name),
    id: string('operator.id', rawOperator.id),
    url: url('operator.url', rawOperator.url),
  };

  const config: ResolvedConfig = {
    policyVersion,
    endpoint: url('endpoint', root.endpoint),
    language: oneOf('language', root.language, ['auto', ...LANGUAGES], 'auto'),
    categories,
    cookie: {
      name: cookieName,
      domain: string('cookie.domain', rawCookie.domain),
      path: string('cookie.path', rawCookie.path) ?? '/',
      maxAgeDays: maxAgeDays as number,
      sameSite: oneOf('cookie.sameSite', rawCookie.sameSite, ['Lax', 'Strict', 'None'], 'Lax'),
    },
    respectGpc: boolean('respectGpc', root.respectGpc, true),
    googleConsentMode,
    texts,
    privacyPolicyUrl: url('privacyPolicyUrl', root.privacyPolicyUrl),
    operator,
    layout: oneOf('layout', root.layout, ['bar', 'box'], 'bar'),
    settingsButton: boolean('settingsButton', root.settingsButton, false),
  };
  return problems.length ? { ok: false, problems, warnings } : { ok: true, config, warnings };
}

/** `categories.analytics.cookies[2]: expected a string` */
export const formatProblem = (p: Problem): string => `${p.path}: ${p.message}`;
