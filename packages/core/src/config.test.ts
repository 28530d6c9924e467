import { describe, expect, it } from 'vitest';
import { DEFAULT_CONSENT_MODE, formatProblem, validateConfig } from './config.js';

const base = { policyVersion: '2024-01-01' };

/** Every problem of a configuration, formatted as the console shows it. */
/** The fields only the UI shows: a mistake there is a warning, never the safe state (README "Configuration"). */
const UI_ONLY = /^(texts|categories\.\w+\.(title|description)|privacyPolicyUrl|operator|layout|settingsButton|theme)\b/;

const problemsOf = (input: unknown): string[] => {
  const validation = validateConfig(input);
  return validation.ok ? [] : validation.problems.map(formatProblem);
};

const startingWith = (prefix: string) =>
  expect.stringMatching(new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

describe('validateConfig', () => {
  it('accepts a config with only policyVersion and fills in every default', () => {
    expect(validateConfig(base)).toEqual({
      ok: true,
      warnings: [],
      config: {
        policyVersion: '2024-01-01',
        endpoint: undefined,
        language: 'auto',
        categories: [
          { id: 'necessary', required: true, cookies: [] },
          { id: 'analytics', required: false, cookies: ['_ga', '_ga_*', '_gid', '_gat*', '_ym_*', '_ym_uid'] },
          { id: 'functional', required: false, cookies: [] },
        ],
        cookie: { name: 'paloma_consent', domain: undefined, path: '/', maxAgeDays: 182, sameSite: 'Lax' },
        respectGpc: true,
        googleConsentMode: false,
        texts: {},
        privacyPolicyUrl: undefined,
        operator: undefined,
        layout: 'bar',
        settingsButton: false,
        theme: 'auto',
      },
    });
  });

  it('takes declared cookies: their names are still the deletion patterns, the objects are listed', () => {
    const ym = { name: '_ym_uid', purpose: { en: 'Visitor id', ru: 'Идентификатор' }, lifetime: '1 year' };
    const validation = validateConfig({ policyVersion: '1', categories: { analytics: { cookies: ['_ga_*', ym] } } });
    expect(validation.ok && validation.warnings).toEqual([]);
    const analytics = validation.ok ? validation.config.categories.find((c) => c.id === 'analytics') : undefined;
    expect(analytics?.cookies).toEqual(['_ga_*', '_ym_uid']);
    expect(analytics?.declared).toEqual([ym]);
    // Strings only: nothing to list.
    const plain = validateConfig({ policyVersion: '1', categories: { analytics: { cookies: ['_ga'] } } });
    expect(plain.ok && plain.config.categories.find((c) => c.id === 'analytics')?.declared).toBeUndefined();
  });

  it('keeps every valid option it is given', () => {
    const validation = validateConfig({
      policyVersion: '2025-03-01',
      endpoint: '/api/consent-receipts',
      language: 'kk',
      cookie: { name: 'consent', domain: 'paloma365.com', path: '/app', maxAgeDays: 30, sameSite: 'Strict' },
      respectGpc: false,
      texts: { ru: { acceptAll: 'Принять все' } },
      privacyPolicyUrl: 'https://paloma365.com/privacy',
      operator: { name: 'LLP "Paloma365"', id: '160940016674', url: 'https://paloma365.com' },
      layout: 'box',
      settingsButton: true,
      theme: 'dark',
    });
    expect(validation).toMatchObject({
      ok: true,
      warnings: [],
      config: {
        policyVersion: '2025-03-01',
        endpoint: '/api/consent-receipts',
        language: 'kk',
        cookie: { name: 'consent', domain: 'paloma365.com', path: '/app', maxAgeDays: 30, sameSite: 'Strict' },
        respectGpc: false,
        texts: { ru: { acceptAll: 'Принять все' } },
        privacyPolicyUrl: 'https://paloma365.com/privacy',
        operator: { name: 'LLP "Paloma365"', id: '160940016674', url: 'https://paloma365.com' },
        layout: 'box',
        settingsButton: true,
        theme: 'dark',
      },
    });
  });

  it('requires policyVersion', () => {
    expect(problemsOf({})).toEqual(['policyVersion: is required']);
    expect(problemsOf({ policyVersion: '  ' })).toEqual([startingWith('policyVersion: expected a non-empty string')]);
  });

  it.each([null, [], 'policyVersion', 42])('refuses a config that is not an object (%j)', (input) => {
    expect(problemsOf(input)).toEqual([startingWith('(config): expected an object')]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['policyVersion', { policyVersion: 20240101 }, 'policyVersion: expected a non-empty string, got 20240101'],
    ['endpoint', { endpoint: 42 }, 'endpoint: expected an http(s) or relative URL, got 42'],
    ['an empty endpoint', { endpoint: '' }, 'endpoint: expected an http(s) or relative URL, got ""'],
    ['a blank endpoint', { endpoint: '  ' }, 'endpoint: expected an http(s) or relative URL, got "  "'],
    [
      'a NaN cookie.maxAgeDays',
      { cookie: { maxAgeDays: Number.NaN } },
      'cookie.maxAgeDays: expected a number of days from 1 to 400, got NaN',
    ],
    [
      'a BigInt cookie.maxAgeDays',
      { cookie: { maxAgeDays: 30n } },
      'cookie.maxAgeDays: expected a number of days from 1 to 400, got 30',
    ],
    ['a function as respectGpc', { respectGpc: () => true }, 'respectGpc: expected true or false, got a function'],
    ['an empty text', { texts: { en: { acceptAll: '' } } }, 'texts.en.acceptAll: expected a non-empty string, got ""'],
    [
      'language',
      { language: 'English' },
      'language: expected "auto" or a language tag ("kk", "ru", "en", "de"), got "English"',
    ],
    ['language tag in texts', { texts: { German: {} } }, 'texts.German: expected a language tag ("de", "uz-Latn")'],
    ['categories', { categories: [] }, 'categories: expected an object, got an array'],
    ['a category', { categories: { analytics: true } }, 'categories.analytics: expected an object, got true'],
    [
      'a title',
      { categories: { analytics: { title: 1 } } },
      'categories.analytics.title: expected a string, or strings keyed by language, got 1',
    ],
    [
      'a description',
      { categories: { functional: { description: { ru: 1 } } } },
      'categories.functional.description.ru: expected a non-empty string, got 1',
    ],
    [
      'a cookie list',
      { categories: { analytics: { cookies: '_ga' } } },
      'categories.analytics.cookies: expected a list of cookie names, got "_ga"',
    ],
    [
      'a cookie name',
      { categories: { analytics: { cookies: ['_ga', '_gid', 3] } } },
      'categories.analytics.cookies[2]: expected a cookie name, got 3',
    ],
    [
      'a declared cookie without a name',
      { categories: { analytics: { cookies: ['_ga', { purpose: 'Visits' }] } } },
      'categories.analytics.cookies[1].name: expected a cookie name, got undefined',
    ],
    [
      "a declared cookie's purpose",
      { categories: { analytics: { cookies: [{ name: '_ga', purpose: { ru: 2 } }] } } },
      'categories.analytics.cookies[0].purpose.ru: expected a non-empty string, got 2',
    ],
    [
      'a malformed cookie name',
      { categories: { analytics: { cookies: ['_ga;x'] } } },
      'categories.analytics.cookies[0]: expected a cookie name, got "_ga;x"',
    ],
    ['cookie', { cookie: 'paloma' }, 'cookie: expected an object, got "paloma"'],
    ['cookie.name', { cookie: { name: 1 } }, 'cookie.name: expected a cookie name, got 1'],
    ['a malformed cookie.name', { cookie: { name: 'a b' } }, 'cookie.name: expected a cookie name, got "a b"'],
    ['cookie.domain', { cookie: { domain: false } }, 'cookie.domain: expected a non-empty string, got false'],
    ['cookie.path', { cookie: { path: [] } }, 'cookie.path: expected a non-empty string, got an array'],
    ['cookie.maxAgeDays', { cookie: { maxAgeDays: '30' } }, 'cookie.maxAgeDays: expected a number of days'],
    ['a zero cookie.maxAgeDays', { cookie: { maxAgeDays: 0 } }, 'cookie.maxAgeDays: expected a number of days'],
    ['a cookie.maxAgeDays over 400', { cookie: { maxAgeDays: 401 } }, 'cookie.maxAgeDays: expected a number of days'],
    ['cookie.sameSite', { cookie: { sameSite: 'lax' } }, 'cookie.sameSite: expected one of "Lax", "Strict", "None"'],
    ['respectGpc', { respectGpc: 'yes' }, 'respectGpc: expected true or false, got "yes"'],
    ['googleConsentMode', { googleConsentMode: 'yes' }, 'googleConsentMode: expected an object, got "yes"'],
    ['texts', { texts: [] }, 'texts: expected an object, got an array'],
    ['a texts table', { texts: { ru: 'Принять' } }, 'texts.ru: expected an object of texts, got "Принять"'],
    ['a text', { texts: { kk: { acceptAll: 1 } } }, 'texts.kk.acceptAll: expected a non-empty string, got 1'],
    ['privacyPolicyUrl', { privacyPolicyUrl: 1 }, 'privacyPolicyUrl: expected an http(s) or relative URL, got 1'],
    ['operator', { operator: 'Paloma365' }, 'operator: expected an object, got "Paloma365"'],
    ['operator.name', { operator: { name: 1 } }, 'operator.name: expected a non-empty string, got 1'],
    ['operator.id', { operator: { id: 160940016674 } }, 'operator.id: expected a non-empty string, got 160940016674'],
    ['operator.url', { operator: { url: null } }, 'operator.url: expected an http(s) or relative URL, got null'],
    ['layout', { layout: 'popup' }, 'layout: expected one of "bar", "box", got "popup"'],
    ['settingsButton', { settingsButton: 1 }, 'settingsButton: expected true or false, got 1'],
    ['theme', { theme: 'night' }, 'theme: expected one of "auto", "light", "dark", got "night"'],
  ])('names the field of an invalid %s', (_, input, problem) => {
    const validation = validateConfig({ ...base, ...input });
    if (UI_ONLY.test(problem)) {
      // What only the UI shows: a warning naming the field, and the SDK works on with that field's default.
      expect(validation.ok).toBe(true);
      expect(validation.warnings.map(formatProblem)).toEqual([startingWith(problem)]);
      expect(validation.warnings[0]?.message).toMatch(/; the default is used$/);
    } else expect(problemsOf({ ...base, ...input })).toEqual([startingWith(problem)]);
  });

  it('keeps every other text, and the defaults of the UI-only fields, when some are wrong', () => {
    const validation = validateConfig({
      ...base,
      texts: { ru: { acceptAll: 'Принять', rejectAll: 5 }, German: { acceptAll: 'x' }, kk: 'Баптау' },
      layout: 'sidebar',
      theme: 'sepia',
      privacyPolicyUrl: 'javascript:alert(1)',
      categories: { analytics: { title: 1, cookies: ['_ga'] } },
    });
    expect(validation.ok).toBe(true);
    if (!validation.ok) return;
    expect(validation.config.texts).toEqual({ ru: { acceptAll: 'Принять' } });
    expect(validation.config).toMatchObject({ layout: 'bar', theme: 'auto' });
    expect(validation.config.privacyPolicyUrl).toBeUndefined();
    expect(validation.config.categories.find((c) => c.id === 'analytics')).toMatchObject({ cookies: ['_ga'] });
    expect(validation.config.categories.find((c) => c.id === 'analytics')?.title).toBeUndefined();
    expect(validation.warnings.map((w) => w.path)).toEqual([
      'categories.analytics.title',
      'texts.ru.rejectAll',
      'texts.German',
      'texts.kk',
      'privacyPolicyUrl',
      'layout',
      'theme',
    ]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({ endpoint: 1, cookie: { sameSite: 'none' } });
    expect(problems).toHaveLength(3);
    expect(problems).toEqual(
      expect.arrayContaining([
        'policyVersion: is required',
        startingWith('cookie.sameSite:'),
        startingWith('endpoint:'),
      ]),
    );
  });

  it('warns about unknown keys, with their path, and still accepts the config', () => {
    const validation = validateConfig({
      ...base,
      colour: 'red',
      cookie: { nmae: 'consent' },
      categories: { analytics: { titel: 'Analytics' } },
      googleConsentMode: { mapping: {}, wait: 500 },
    });
    expect(validation.ok).toBe(true);
    expect(validation.warnings).toEqual([
      { path: 'colour', message: 'unknown option, ignored' },
      { path: 'categories.analytics.titel', message: 'unknown option, ignored' },
      { path: 'cookie.nmae', message: 'unknown option, ignored' },
      { path: 'googleConsentMode.wait', message: 'unknown option, ignored' },
    ]);
  });

  it.each([
    ['endpoint', { endpoint: 'javascript:alert(1)' }],
    ['endpoint', { endpoint: ' JavaScript:alert(1)' }],
    ['privacyPolicyUrl', { privacyPolicyUrl: 'data:text/html,<script>alert(1)</script>' }],
    ['operator.url', { operator: { url: 'vbscript:msgbox(1)' } }],
    // What the URL parser still reads as javascript: (tab, newline, leading control character).
    ['privacyPolicyUrl', { privacyPolicyUrl: 'java\tscript:alert(1)' }],
    ['privacyPolicyUrl', { privacyPolicyUrl: 'javascript\n:alert(1)' }],
    ['operator.url', { operator: { url: '\u0001javascript:alert(1)' } }],
  ])('refuses a script URL in %s', (path, input) => {
    const validation = validateConfig({ ...base, ...input });
    const expected = [startingWith(`${path}: expected an http(s) or relative URL, got "`)];
    // A bad endpoint is fatal (receipts would go elsewhere); a bad link is left out, with a warning.
    if (path === 'endpoint') expect(problemsOf({ ...base, ...input })).toEqual(expected);
    else {
      expect(validation.warnings.map(formatProblem)).toEqual(expected);
      if (validation.ok) expect(JSON.stringify(validation.config)).not.toMatch(/script/i);
    }
  });

  it('accepts http(s) and relative URLs', () => {
    expect(
      problemsOf({ ...base, endpoint: '/api/consent-receipts', privacyPolicyUrl: 'https://paloma365.com/privacy' }),
    ).toEqual([]);
  });

  it('keeps within the receipt schema: policyVersion up to 200 characters, 32 categories in all', () => {
    expect(problemsOf({ policyVersion: 'v'.repeat(200) })).toEqual([]);
    expect(problemsOf({ policyVersion: 'v'.repeat(201) })).toEqual(['policyVersion: expected at most 200 characters']);
    const categories = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`c${i}`, {}]));
    expect(problemsOf({ ...base, categories: categories(29) })).toEqual([]);
    expect(problemsOf({ ...base, categories: categories(30) })).toEqual([
      'categories.c29: at most 32 categories in all',
    ]);
  });

  it('adds custom categories and overrides the defaults', () => {
    const validation = validateConfig({
      ...base,
      categories: {
        analytics: { cookies: ['_ym_*'], title: { ru: 'Аналитика', kk: 'Аналитика' } },
        marketing: { title: 'Marketing', description: 'Ads', cookies: ['_fbp'] },
      },
    });
    expect(validation.ok && validation.config.categories).toEqual([
      { id: 'necessary', required: true, cookies: [] },
      { id: 'analytics', required: false, cookies: ['_ym_*'], title: { ru: 'Аналитика', kk: 'Аналитика' } },
      { id: 'functional', required: false, cookies: [] },
      { id: 'marketing', required: false, title: 'Marketing', description: 'Ads', cookies: ['_fbp'] },
    ]);
  });

  it('keeps strictly necessary required when it is overridden', () => {
    const validation = validateConfig({ ...base, categories: { necessary: { title: 'Essential' } } });
    expect(validation.ok && validation.config.categories[0]).toEqual({
      id: 'necessary',
      required: true,
      title: 'Essential',
      cookies: [],
    });
  });

  it.each(['Analytics', '1st_party', 'third-party', '_private', 'a'.repeat(33)])(
    'refuses the category id "%s"',
    (id) => {
      expect(problemsOf({ ...base, categories: { [id]: {} } })).toEqual([
        `categories.${id}: a category id is lower-case letters, digits and "_", starting with a letter`,
      ]);
    },
  );

  describe('googleConsentMode', () => {
    const mode = (googleConsentMode: unknown) => {
      const validation = validateConfig({ ...base, googleConsentMode });
      return validation.ok ? validation.config.googleConsentMode : validation.problems.map(formatProblem);
    };

    it('is off by default and when false', () => {
      expect(mode(undefined)).toBe(false);
      expect(mode(false)).toBe(false);
    });

    it('maps analytics and functional by default when true', () => {
      expect(mode(true)).toEqual({
        analytics: ['analytics_storage'],
        functional: ['functionality_storage', 'personalization_storage'],
      });
      expect(mode(true)).toEqual(DEFAULT_CONSENT_MODE);
    });

    it('takes a custom mapping', () => {
      const mapping = { analytics: ['analytics_storage', 'ad_user_data'], functional: [] };
      expect(mode({ mapping })).toEqual(mapping);
    });

    it.each([
      [{}, 'googleConsentMode.mapping: expected an object, got undefined'],
      [{ mapping: [] }, 'googleConsentMode.mapping: expected an object, got an array'],
      [{ mapping: { analytics: 'analytics_storage' } }, 'googleConsentMode.mapping.analytics: expected a list'],
      [
        { mapping: { analytics: ['analytics'] } },
        'googleConsentMode.mapping.analytics[0]: expected a Consent Mode type',
      ],
      [{ mapping: { functional: [1] } }, 'googleConsentMode.mapping.functional[0]: expected a Consent Mode type'],
    ])('names the field of an invalid mapping %j', (input, problem) => {
      expect(mode(input)).toEqual([startingWith(problem)]);
    });
  });
});
