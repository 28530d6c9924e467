/**
 * `config.schema.json` is for editors; `validateConfig` is what runs. They must agree: on every field, a
 * value the schema accepts is one the validator accepts without a warning, and the reverse. (A warning is an
 * unknown key, which the validator ignores and the schema refuses: in an editor that is the typo to show.)
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import schema from '../config.schema.json' with { type: 'json' };
import { validateConfig } from './config.js';

const check = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

const schemaAccepts = (config: unknown) => check(config);
const validatorAccepts = (config: unknown) => {
  const validation = validateConfig(config);
  return validation.ok && validation.warnings.length === 0;
};

/** The smallest valid configuration with `value` at `path` (`cookie.name`, `categories.shop.title`). */
function withField(path: string, value: unknown): Record<string, unknown> {
  const config: Record<string, unknown> = { policyVersion: '2024-01-01' };
  const keys = path.split('.');
  let at = config;
  for (const key of keys.slice(0, -1)) {
    at[key] ??= {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys.at(-1) as string] = value;
  return config;
}

const long = 'x'.repeat(201);

/** Per field: values both must accept, values both must refuse. */
const SAMPLES: Record<string, [valid: unknown[], invalid: unknown[]]> = {
  policyVersion: [
    ['2024-01-01', 'v2', 'x'.repeat(200)],
    [undefined, '', '  ', 20240101, null, long],
  ],
  endpoint: [
    ['/api/consent-receipts', 'https://collector.example/receipts', 'HTTP://a.example/x', 'receipts', './a:b'],
    ['', ' ', 'javascript:alert(1)', 'data:text/plain,x', 'mailto:a@b.example', 42, {}],
  ],
  language: [
    ['auto', 'en', 'ru', 'kk', 'de', 'uz-Latn'],
    ['EN', 'english', '', 1, null],
  ],
  categories: [
    [{}, { shop: {} }],
    [[], 'analytics', null],
  ],
  'categories.analytics': [
    [{}, { cookies: [] }],
    ['on', true, [], { enabled: true }],
  ],
  'categories.necessary': [[{ title: 'Required' }], [1]],
  'categories.functional': [[{ cookies: ['yt_*'] }], ['off']],
  'categories.shop_2': [[{ title: 'Shop' }], [null]],
  'categories.Shop': [[], [{}]],
  'categories.2shop': [[], [{}]],
  'categories.shop.title': [
    ['Shop', { ru: 'Магазин', kk: 'Дүкен' }, {}],
    ['', 1, { ru: '' }, { ru: 1 }, ['Shop']],
  ],
  'categories.shop.description': [
    ['Cart', { en: 'Cart' }],
    [' ', false, null],
  ],
  'categories.shop.cookies': [
    [
      [],
      ['cart', 'cart_*', 'a.b-c'],
      ['cart', { name: 'cart_*' }, { name: 'sid', purpose: 'Cart', lifetime: { en: '1 day', ru: '1 день' } }],
    ],
    [
      'cart',
      [''],
      ['a b'],
      ['a;b'],
      [1],
      {},
      [{}],
      [{ name: 'a b' }],
      [{ name: 'sid', purpose: '' }],
      [{ name: 'sid', lifetime: 30 }],
      [{ name: 'sid', ttl: '1 day' }],
      [null],
    ],
  ],
  cookie: [[{}], [[], 'paloma', null]],
  'cookie.name': [
    ['paloma_consent', 'c-1'],
    ['', 'a b', 'a=b', 1],
  ],
  'cookie.domain': [['paloma365.com'], ['', 1]],
  'cookie.path': [
    ['/', '/shop'],
    ['', 0],
  ],
  'cookie.maxAgeDays': [
    [1, 182, 400, 0.5],
    [0, -1, 401, '182', null],
  ],
  'cookie.sameSite': [
    ['Lax', 'Strict', 'None'],
    ['lax', 'none', '', 1],
  ],
  'cookie.secure': [[], [true]],
  respectGpc: [
    [true, false],
    ['no', 0, null],
  ],
  googleConsentMode: [
    [
      true,
      false,
      { mapping: {} },
      { mapping: { analytics: ['analytics_storage'], ads: ['ad_storage', 'ad_user_data'] } },
    ],
    ['yes', {}, { mapping: [] }, { mapping: { analytics: 'analytics_storage' } }, { mapping: { analytics: ['ads'] } }],
  ],
  texts: [
    [{}, { en: {}, ru: {}, kk: {} }, { de: {}, 'uz-Latn': {} }],
    [[], 'hello', null, { German: {} }, { de: 'x' }],
  ],
  'texts.ru': [
    [{ acceptAll: 'Принять' }, { shopTitle: 'Магазин' }],
    [{ acceptAll: '' }, { acceptAll: 1 }, 'x', []],
  ],
  'texts.de': [[{ acceptAll: 'Alle akzeptieren' }], [{ acceptAll: '' }, { acceptAll: 1 }, 'x']],
  privacyPolicyUrl: [
    ['/privacy', 'https://paloma365.com/privacy'],
    ['javascript:void 0', '', 1],
  ],
  operator: [
    [{}, { name: 'LLP "Paloma365"', id: '160940016674', url: 'https://paloma365.com' }],
    ['Paloma', [], null],
  ],
  'operator.name': [['Paloma365'], ['', 1]],
  'operator.id': [['160940016674'], [' ', 160940016674]],
  'operator.url': [['https://paloma365.com'], ['ftp://paloma365.com', '']],
  'operator.address': [[], ['Astana']],
  layout: [
    ['bar', 'box'],
    ['sidebar', '', 1],
  ],
  settingsButton: [
    [true, false],
    ['true', 1],
  ],
  theme: [
    ['auto', 'light', 'dark'],
    ['night', 'Dark', '', true],
  ],
  uiUrl: [
    ['/assets/consent/', 'https://cdn.paloma365.com/consent/2.0.0/'],
    ['javascript:void 0', '', 1],
  ],
  nonce: [['R4nd0m'], ['', ' ', 1]],
  policyVerison: [[], ['2024-01-01']],
};

describe('config.schema.json', () => {
  it.each(Object.entries(SAMPLES))('agrees with the validator on %s', (path, [valid, invalid]) => {
    for (const value of valid) {
      const config = withField(path, value);
      expect({ value, schema: schemaAccepts(config), validator: validatorAccepts(config) }).toEqual({
        value,
        schema: true,
        validator: true,
      });
    }
    for (const value of invalid) {
      const config = withField(path, value);
      expect({ value, schema: schemaAccepts(config), validator: validatorAccepts(config) }).toEqual({
        value,
        schema: false,
        validator: false,
      });
    }
  });

  it("has a sample for every field of the schema, and the validator's fields are the schema's", () => {
    type Node = { properties?: Record<string, Node>; $ref?: string };
    const defs = (schema as { $defs: Record<string, Node> }).$defs;
    const resolve = (node: Node) => (node.$ref ? (defs[node.$ref.replace('#/$defs/', '')] as Node) : node);
    const fields = (node: Node, prefix = ''): string[] =>
      Object.entries(resolve(node).properties ?? {}).flatMap(([key, child]) => [
        `${prefix}${key}`,
        ...fields(child, `${prefix}${key}.`),
      ]);
    const inSchema = fields(schema as Node).filter((path) => path !== '$schema');
    // Each language's texts, and each category's fields, are samples of one shape (texts.ru, categories.shop).
    const sampled = (path: string) =>
      path in SAMPLES ||
      /^texts\.\w+(\.\w+)?$/.test(path) ||
      path.replace(/^categories\.(necessary|analytics|functional)\b/, 'categories.shop') in SAMPLES;
    expect(inSchema.filter((path) => !sampled(path))).toEqual([]);

    // The validator fills in every field it knows: its resolved objects name them.
    const resolved = validateConfig({ policyVersion: '1', operator: {} });
    if (!resolved.ok) throw new Error('invalid');
    const topLevel = Object.keys(schema.properties).filter((key) => key !== '$schema');
    expect(Object.keys(resolved.config).sort()).toEqual(topLevel.sort());
    // `texts` is keyed by language, open to any: only its built-in languages are named properties.
    for (const key of ['cookie', 'operator'] as const) {
      expect(Object.keys(resolved.config[key] ?? {}).sort()).toEqual(
        Object.keys(schema.properties[key].properties).sort(),
      );
    }
  });

  it('lets a configuration name the schema; the validator warns that it ignores the key', () => {
    const config = { $schema: './node_modules/@paloma365/consent-core/config.schema.json', policyVersion: '1' };
    expect(schemaAccepts(config)).toBe(true);
    const validation = validateConfig(config);
    expect(validation.ok).toBe(true);
    expect(validation.warnings).toEqual([{ path: '$schema', message: 'unknown option, ignored' }]);
  });
});
