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

/** Checks one field: returns its value when valid, reports and returns `undefined` when not. */
type Check = (value: unknown, path: string) => unknown;

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * Checks a configuration and fills in the defaults. Returns every problem, each
 * with the path of its field, instead of throwing: the caller decides what to do.
 * The checks are a table per object, so each rule reads as one line.
 */
export function validateConfig(input: unknown): Validation {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  const fail = (path: string, message: string): undefined => {
    problems.push({ path, message });
  };
  const expected = (path: string, what: string, value: unknown) =>
    fail(path, `expected ${what}, got ${describe(value)}`);

  /** An absent field takes its default: each rule below carries the default of its field. */
  const optional =
    (check: Check, fallback?: unknown): Check =>
    (value, path) =>
      value === undefined ? fallback : check(value, path);
  const text: Check = (value, path) =>
    typeof value === 'string' && value.trim() ? value : expected(path, 'a non-empty string', value);
  const string = optional(text);
  const boolean = (fallback: boolean) =>
    optional((value, path) => (typeof value === 'boolean' ? value : expected(path, 'true or false', value)), fallback);
  /** The first allowed value is the default. */
  const oneOf = (...allowed: string[]) =>
    optional(
      (value, path) =>
        allowed.includes(value as string)
          ? value
          : fail(path, `expected one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(value)}`),
      allowed[0],
    );
  // Parsed as the browser would: a regex misses `java\tscript:` and control characters.
  const url = optional((value, path) => {
    const checked = text(value, path) as string | undefined;
    if (checked === undefined) return undefined;
    let protocol = '';
    try {
      protocol = new URL(checked, 'https://base.invalid/').protocol;
    } catch {}
    return /^https?:$/.test(protocol) ? checked : fail(path, 'expected an http(s) or relative URL');
  });
  const cookieName = (value: unknown, path: string) =>
    typeof value !== 'string'
      ? expected(path, 'a string', value)
      : COOKIE_NAME.test(value)
        ? value
        : fail(path, `"${value}" is not a cookie name`);
  /**
   * Reports unknown keys as warnings; without `fields`, any key is fine and values are kept as
   * they are. `always`: an absent object is checked as `{}`, so its fields take their defaults.
   */
  const object =
    (fields?: Record<string, Check>, always?: boolean): Check =>
    (value = always ? {} : undefined, path) => {
      if (value === undefined) return undefined;
      if (!isObject(value)) return expected(path, 'an object', value);
      if (!fields) return value;
      for (const key of Object.keys(value)) {
        if (!(key in fields)) warnings.push({ path: join(path, key), message: 'unknown option, ignored' });
      }
      return Object.fromEntries(
        Object.entries(fields).map(([key, check]) => [key, check(value[key], join(path, key))]),
      );
    };
  const localized = optional((value, path) =>
    typeof value === 'string' || (isObject(value) && Object.values(value).every((v) => typeof v === 'string'))
      ? value
      : expected(path, 'a string or an object of strings keyed by language', value),
  );
  const cookieList = optional((value, path) =>
    Array.isArray(value)
      ? value.every((name, i) => cookieName(name, `${path}[${i}]`) !== undefined) && value
      : expected(path, 'a list of cookie names', value),
  );
  const textTable = optional((value, path) =>
    isObject(value) && Object.values(value).every((v) => typeof v === 'string')
      ? value
      : fail(path, 'expected an object of strings'),
  );
  const consentModeTypes = (value: unknown, path: string) =>
    Array.isArray(value) && value.every((t) => CONSENT_MODE_TYPES.includes(t))
      ? value
      : fail(path, `expected a list of Consent Mode types (${CONSENT_MODE_TYPES.join(', ')})`);
  const mapping: Check = (value, path) => {
    if (!isObject(value)) return expected(path, 'an object', value);
    for (const [id, types] of Object.entries(value)) consentModeTypes(types, join(path, id));
    return value;
  };

  /** The default categories, overridden or extended by the configured ones. */
  const categories = (value: unknown, path: string) => {
    const list = DEFAULT_CATEGORIES.map((c) => ({ ...c }));
    for (const [id, raw] of Object.entries((object()(value, path) as Json | undefined) ?? {})) {
      const at = join(path, id);
      if (!CATEGORY_ID.test(id)) {
        fail(at, 'a category id is lower-case letters, digits and "_", starting with a letter');
        continue;
      }
      const entry = object({ title: localized, description: localized, cookies: cookieList })(raw, at) as Json;
      if (!entry) continue;
      const category = list.find((c) => c.id === id) ?? { id, required: false, cookies: [] };
      // The receipt schema's limit, which also keeps the consent cookie small.
      if (!list.includes(category) && list.push(category) > 32) fail(at, 'at most 32 categories in all');
      if (entry.title) category.title = entry.title as Text;
      if (entry.description) category.description = entry.description as Text;
      if (entry.cookies) category.cookies = entry.cookies as string[];
    }
    return list;
  };

  if (!isObject(input)) {
    expected('(config)', 'an object', input);
    return { ok: false, problems, warnings };
  }
  const config = object({
    policyVersion: (value, path) =>
      value === undefined
        ? fail(path, 'is required')
        : // The receipt schema's limit; the version also goes into the consent cookie.
          text(value, path) && (String(value).length <= 200 ? value : fail(path, 'expected at most 200 characters')),
    endpoint: url,
    language: oneOf('auto', ...LANGUAGES),
    categories,
    cookie: object(
      {
        name: optional((value, path) => string(value, path) && cookieName(value, path), 'paloma_consent'),
        domain: string,
        path: optional(text, '/'),
        maxAgeDays: optional(
          (value, path) =>
            // Chromium caps cookie lifetime at 400 days; a longer promise would be a lie.
            typeof value === 'number' && value > 0 && value <= 400
              ? value
              : fail(path, `expected a number of days from 1 to 400, got ${JSON.stringify(value)}`),
          182,
        ),
        sameSite: oneOf('Lax', 'Strict', 'None'),
      },
      true,
    ),
    respectGpc: boolean(true),
    googleConsentMode: (value, path) =>
      value === true
        ? DEFAULT_CONSENT_MODE
        : (value && (object({ mapping })(value, path) as Json | undefined)?.mapping) || false,
    texts: object(Object.fromEntries(LANGUAGES.map((language) => [language, textTable])), true),
    privacyPolicyUrl: url,
    operator: object({ name: string, id: string, url }),
    layout: oneOf('bar', 'box'),
    settingsButton: boolean(false),
  })(input, '') as ResolvedConfig;

  return problems.length ? { ok: false, problems, warnings } : { ok: true, config, warnings };
}

/** `categories.analytics.cookies[2]: expected a string` */
export const formatProblem = (p: Problem): string => `${p.path}: ${p.message}`;
