/** A UI text: one string for every language, or one per language. */
export type Text = string | { readonly [language: string]: string };

export const LANGUAGES = ['en', 'ru', 'kk'] as const;
export type Language = (typeof LANGUAGES)[number];

export interface CategoryConfig {
  /** Shown as the switch label. */
  title?: Text;
  description?: Text;
  /**
   * Cookies to delete when the category is refused or withdrawn; `*` is a wildcard. An entry may
   * also declare the cookie to the visitor: `{ name, purpose, lifetime }`, listed in the dialog under
   * the category; its `name` is still the deletion pattern.
   * @example ["_ga_*", { "name": "_ym_uid", "purpose": { "en": "Visitor id", "ru": "…" }, "lifetime": "1 year" }]
   */
  cookies?: readonly (string | CookieDeclaration)[];
}

/** A cookie as the dialog lists it under its category. */
export interface CookieDeclaration {
  /** The cookie's name (`*` is a wildcard), also deleted when the category is refused. */
  name: string;
  /** What it is for. */
  purpose?: Text;
  /** How long it lasts ("2 years", "session"). */
  lifetime?: Text;
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

/** The categories every configuration has; `categories` may override them or add others. */
export type DefaultCategoryId = 'necessary' | 'analytics' | 'functional';

/**
 * The UI strings that `texts` may override (the UI's built-in texts, `packages/ui/src/texts/`, are checked against this list), and a
 * category's title and description by `<id>Title` and `<id>Description`.
 */
export type TextKey =
  | 'bannerTitle'
  | 'bannerText'
  | 'acceptAll'
  | 'rejectAll'
  | 'customize'
  | 'privacyPolicy'
  | 'settings'
  | 'dialogIntro'
  | 'necessaryTitle'
  | 'necessaryDescription'
  | 'analyticsTitle'
  | 'analyticsDescription'
  | 'functionalTitle'
  | 'functionalDescription'
  | 'alwaysOn'
  | 'save'
  | 'consentId'
  | 'consentDate'
  | 'operator'
  | 'operatorId'
  | 'close'
  | 'placeholderText'
  | 'placeholderAllow'
  | 'cookieList';

/** One language's overrides of UI strings, for the categories `Id`. */
export type Texts<Id extends string = string> = {
  [Key in TextKey | `${Id}Title` | `${Id}Description`]?: string;
};

/**
 * A configuration. `Id` is the ids of the categories it adds: `createConsent` infers them from a literal
 * `categories`, so `has()` and `set()` of an id the configuration does not have fail to compile.
 */
export interface ConsentConfig<Id extends string = string> {
  /** Version of the privacy policy; a new version voids stored consent and asks again. */
  policyVersion: string;
  /** URL that receives a receipt (POST, JSON) for every decision. @default none */
  endpoint?: string;
  /**
   * `en`, `ru`, `kk`, or a language the site adds by giving its `texts` (`"de"` with `texts.de`; a text it
   * leaves out is shown in English, with a console warning naming it).
   * @default "auto": `<html lang>`, then `navigator.languages`, then "en"
   */
  language?: 'auto' | Language | (string & {});
  /** Override a default category (`necessary`, `analytics`, `functional`) or add one. */
  categories?: { [K in Id]?: CategoryConfig };
  cookie?: CookieOptions;
  /** Refuse optional categories automatically under Global Privacy Control. @default true */
  respectGpc?: boolean;
  /**
   * Send Google Consent Mode v2 `default`/`update` commands; an object overrides
   * which Consent Mode types each category grants. @default false
   */
  googleConsentMode?: boolean | { mapping: { [K in NoInfer<Id> | DefaultCategoryId]?: readonly ConsentModeType[] } };
  /**
   * Per-language overrides of UI strings; texts for another language (a BCP 47 tag: `de`, `uz-Latn`) add
   * it, and a text it leaves out is shown in English.
   * @example { ru: { bannerTitle: 'Мы используем cookie', shopTitle: 'Магазин' } }
   */
  texts?: { [language: string]: Texts<NoInfer<Id> | DefaultCategoryId> | undefined };
  privacyPolicyUrl?: string;
  /** The data controller, named in the preferences dialog. */
  operator?: OperatorConfig;
  /** Banner layout. @default "bar" */
  layout?: 'bar' | 'box';
  /** Show a small floating button that reopens the preferences. @default false */
  settingsButton?: boolean;
  /**
   * The UI's colours: `"auto"` follows the visitor's `prefers-color-scheme`; `"light"` or `"dark"` pins
   * one, e.g. to match a site that has no dark mode. @default "auto"
   */
  theme?: 'auto' | 'light' | 'dark';
  /**
   * Where the UI file(s) are fetched from (a folder URL). @default the folder of the engine's own `src`
   */
  uiUrl?: string;
  /**
   * The page's CSP nonce: gated scripts run only when they carry it, and the UI's script gets it.
   * @default the `nonce` of the engine's own `<script>` tag
   */
  nonce?: string;
}

export interface Category {
  id: string;
  /** Strictly necessary: always allowed, cannot be switched off. */
  required: boolean;
  title?: Text;
  description?: Text;
  /** Deletion patterns: every entry's name. */
  cookies: string[];
  /** The entries given as objects, listed in the dialog; absent when there are none. */
  declared?: CookieDeclaration[];
}

/** A configuration with every default filled in. */
export interface ResolvedConfig {
  policyVersion: string;
  endpoint?: string;
  language: string;
  categories: Category[];
  cookie: Required<Omit<CookieOptions, 'domain'>> & { domain?: string };
  respectGpc: boolean;
  googleConsentMode: false | Record<string, ConsentModeType[]>;
  texts: Record<string, Record<string, string>>;
  privacyPolicyUrl?: string;
  operator?: OperatorConfig;
  layout: 'bar' | 'box';
  settingsButton: boolean;
  theme: 'auto' | 'light' | 'dark';
  uiUrl?: string;
  nonce?: string;
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

/** Every Consent Mode type (signals.ts denies all but `security_storage` by default). */
export const CONSENT_MODE_TYPES: readonly ConsentModeType[] = [
  'ad_storage',
  'ad_user_data',
  'ad_personalization',
  'analytics_storage',
  'functionality_storage',
  'personalization_storage',
  'security_storage',
];

const CATEGORY_ID = /^[a-z][a-z0-9_]{0,31}$/;
/** A BCP 47 language tag, as far as it matters here: a language, then optional subtags; 35 characters at most, as the receipt's. */
const LANGUAGE_TAG = /^(?=.{2,35}$)[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
/** A cookie name (RFC 6265 token); 100 characters at most, as the receipt's notice lists it. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,100}$/;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** Enough of a wrong value to recognise it: `"de"`, `401`, `null`, `an array`. Never throws (a BigInt would in JSON). */
const show = (value: unknown): string =>
  Array.isArray(value)
    ? 'an array'
    : isObject(value)
      ? 'an object'
      : typeof value === 'string'
        ? JSON.stringify(value)
        : typeof value === 'function'
          ? 'a function'
          : String(value);

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
  const expected = (path: string, what: string, value: unknown) => fail(path, `expected ${what}, got ${show(value)}`);

  /** Passes what `test` accepts; otherwise the problem says what was expected and what came. */
  const rule =
    (test: (value: unknown) => unknown, what: string): Check =>
    (value, path) =>
      test(value) ? value : expected(path, what, value);
  /** An absent field takes its default: each rule below carries the default of its field. */
  const optional =
    (check: Check, fallback?: unknown): Check =>
    (value, path) =>
      value === undefined ? fallback : check(value, path);
  /** A list (or with `keyed`, an object) whose entries all pass `check`; each bad entry is reported with its path. */
  const each =
    (check: Check, what: string, keyed?: boolean): Check =>
    (value, path) => {
      if (keyed ? !isObject(value) : !Array.isArray(value)) return expected(path, what, value);
      const checked = Object.entries(value as Json).map(([key, entry]) =>
        check(entry, keyed ? join(path, key) : `${path}[${key}]`),
      );
      return checked.includes(undefined) ? undefined : value;
    };
  const text = rule(isText, 'a non-empty string');
  const string = optional(text);
  const boolean = (fallback: boolean) =>
    optional(
      rule((value) => typeof value === 'boolean', 'true or false'),
      fallback,
    );
  /** The first allowed value is the default. */
  const oneOf = (...allowed: string[]) =>
    optional(
      rule((value) => allowed.includes(value as string), `one of ${allowed.map((a) => `"${a}"`).join(', ')}`),
      allowed[0],
    );
  // Parsed as the browser would: a regex misses `java\tscript:` and control characters.
  const url = optional(
    rule((value) => {
      try {
        return isText(value) && /^https?:$/.test(new URL(value, 'https://base.invalid/').protocol);
      } catch {}
    }, 'an http(s) or relative URL'),
  );
  const cookieName = rule((value) => typeof value === 'string' && COOKIE_NAME.test(value), 'a cookie name');
  /**
   * For what only the UI shows (texts, layout, theme, the operator, the policy link): a mistake there must not
   * switch the SDK off, so what `check` reports becomes a warning and the default stays.
   */
  const soft =
    (check: Check, fallback?: unknown): Check =>
    (value, path) => {
      const before = problems.length;
      const checked = check(value, path);
      if (problems.length === before) return checked;
      for (const p of problems.splice(before)) warnings.push({ ...p, message: `${p.message}; the default is used` });
      return fallback;
    };
  const localized = optional((value, path) =>
    typeof value === 'string'
      ? text(value, path)
      : each(text, 'a string, or strings keyed by language', true)(value, path),
  );
  /** Reports unknown keys as warnings; `always`: an absent object is checked as `{}`, so its fields take their defaults. */
  const object =
    (fields: Record<string, Check>, always?: boolean): Check =>
    (value = always ? {} : undefined, path) => {
      if (value === undefined) return;
      if (!isObject(value)) return expected(path, 'an object', value);
      for (const key in value) {
        if (!(key in fields)) warnings.push({ path: join(path, key), message: 'unknown option, ignored' });
      }
      return Object.fromEntries(
        Object.entries(fields).map(([key, check]) => [key, check(value[key], join(path, key))]),
      );
    };
  const category = object({
    title: soft(localized),
    description: soft(localized),
    // At most 50: the receipt's notice lists them all, and a longer list would make it refused.
    cookies: optional((value, path) =>
      Array.isArray(value) && value.length > 50
        ? expected(path, 'at most 50 cookies', value.length)
        : each(
            (value, path) =>
              isObject(value)
                ? object({ name: cookieName, purpose: localized, lifetime: localized })(value, path)
                : cookieName(value, path),
            'a list of cookie names',
          )(value, path),
    ),
  });
  const consentModeTypes = each(
    rule(
      (type) => CONSENT_MODE_TYPES.includes(type as ConsentModeType),
      `a Consent Mode type (${CONSENT_MODE_TYPES.join(', ')})`,
    ),
    'a list of Consent Mode types',
  );

  /** The default categories, overridden or extended by the configured ones. */
  const categories = (value: unknown, path: string) => {
    const all = DEFAULT_CATEGORIES.map((c) => ({ ...c }));
    if (value !== undefined && !isObject(value)) return expected(path, 'an object', value);
    for (const [id, raw] of Object.entries(value ?? {})) {
      const at = join(path, id);
      const valid = CATEGORY_ID.test(id)
        ? (category(raw, at) as Partial<Category> | undefined)
        : fail(at, 'a category id is lower-case letters, digits and "_", starting with a letter');
      if (!valid) continue;
      let known = all.find((c) => c.id === id);
      if (!known) {
        known = { id, required: false, cookies: [] };
        // The receipt schema's limit, which also keeps the consent cookie small.
        if (all.push(known) > 32) fail(at, 'at most 32 categories in all');
      }
      if (valid.title) known.title = valid.title;
      if (valid.description) known.description = valid.description;
      if (valid.cookies) {
        const entries = valid.cookies as (string | CookieDeclaration)[];
        known.cookies = entries.map((c) => (typeof c === 'string' ? c : c.name));
        const declared = entries.filter((c): c is CookieDeclaration => typeof c !== 'string');
        if (declared.length) known.declared = declared;
      }
    }
    return all;
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
          text(value, path) && ((value as string).length > 200 ? fail(path, 'expected at most 200 characters') : value),
    endpoint: url,
    language: optional(
      rule(
        (value) => value === 'auto' || LANGUAGE_TAG.test(value as string),
        '"auto" or a language tag ("kk", "ru", "en", "de")',
      ),
      'auto',
    ),
    categories,
    cookie: object(
      {
        name: optional(cookieName, 'paloma_consent'),
        domain: string,
        path: optional(text, '/'),
        // Chromium caps cookie lifetime at 400 days; a longer promise would be a lie.
        maxAgeDays: optional(
          rule((value) => typeof value === 'number' && value > 0 && value <= 400, 'a number of days from 1 to 400'),
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
        : (value &&
            (object({ mapping: each(consentModeTypes, 'an object', true) })(value, path) as Json | undefined)
              ?.mapping) ||
          false,
    // Texts for a language the SDK does not ship add that language.
    // Each text on its own: a bad one is a warning and keeps its default, the others stand. Own keys only: a
    // polluted Object.prototype must not add languages or texts.
    texts: soft(
      (value = {}, path) =>
        isObject(value)
          ? Object.fromEntries(
              Object.keys(value).flatMap((tag) => {
                const at = join(path, tag);
                const texts =
                  soft(rule(() => LANGUAGE_TAG.test(tag), 'a language tag ("de", "uz-Latn")'))(tag, at) &&
                  (soft(rule(isObject, 'an object of texts'))(value[tag], at) as Json | undefined);
                const kept = Object.entries(texts || {}).filter(([key, t]) => soft(text)(t, join(at, key)));
                return texts ? [[tag, Object.fromEntries(kept)]] : [];
              }),
            )
          : expected(path, 'an object', value),
      {},
    ),
    privacyPolicyUrl: soft(url),
    operator: soft(object({ name: soft(string), id: soft(string), url: soft(url) })),
    layout: soft(oneOf('bar', 'box'), 'bar'),
    settingsButton: soft(boolean(false), false),
    theme: soft(oneOf('auto', 'light', 'dark'), 'auto'),
    uiUrl: url,
    nonce: string,
  })(input, '') as ResolvedConfig;

  return problems.length ? { ok: false, problems, warnings } : { ok: true, config, warnings };
}

/** `categories.analytics.cookies[2]: expected a cookie name, got 3` */
export const formatProblem = (p: Problem): string => `${p.path}: ${p.message}`;
