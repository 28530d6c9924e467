import { createHash } from 'node:crypto';
import { formatProblem, type Notice, validateConfig } from '@paloma365/consent-core';
import { describe, expect, it } from 'vitest';
import { createReceiptValidator } from '../../collector/src/validate.js';
import { withinBounds } from './bounds.js';
import { createTranslator } from './i18n.js';
import { canonicalJson, type NoticeBody, noticeOf } from './notice.js';

/** The collector's own check: the schema, and that the notice's id is its hash. */
const collector = createReceiptValidator();

const receiptOn = (body: NoticeBody, policyVersion: string) => ({
  version: 2,
  receiptId: '6f1c2d3e-4f5a-4b6c-8d7e-8f9a0b1c2d3e',
  subjectId: '0b7e1c2d-3e4f-4a5b-9c6d-7e8f9a0b1c2d',
  timestamp: '2026-11-24T19:00:00.000Z',
  expiresAt: '2027-05-25T19:00:00.000Z',
  policyVersion,
  method: 'custom',
  categories: { necessary: true },
  language: body.language,
  page: 'https://paloma365.com/pricing',
  sdkVersion: '2.0.0',
  previousReceiptId: null,
  notice: { id: createHash('sha256').update(canonicalJson(body)).digest('hex'), ...body } as Notice,
});

/**
 * What a configuration comes to, as the SDK and its UI handle it: the core's fatal problems, or the
 * warnings (the core's and the UI's bounds) and the collector's problems with the receipts given on
 * its notices: the banner's and, for each category, a placeholder's with a 200-character name.
 */
function outcome(input: Record<string, unknown>) {
  const checked = validateConfig({ policyVersion: '2024-01-01', ...input });
  if (!checked.ok) return { fatal: checked.problems.map(formatProblem) };
  const warnings = checked.warnings.map(formatProblem);
  const config = withinBounds(checked.config, (message) => warnings.push(message));
  const ui = createTranslator(config, config.language === 'auto' ? 'en' : config.language);
  const label = 'Ж'.repeat(200);
  const bodies = [
    noticeOf(config, ui),
    ...config.categories.map((c) => noticeOf(config, ui, { categories: [c], label })),
  ];
  const refused = bodies.flatMap((body) => {
    const result = collector(JSON.parse(JSON.stringify(receiptOn(body, config.policyVersion))));
    return result.ok ? [] : result.problems;
  });
  return { warnings, refused, notice: bodies[0]! };
}

const text = (n: number) => 'ж'.repeat(n);
const url = (n: number) => `https://paloma365.com/${'p'.repeat(n - 22)}`;
const declared = (n: number, cookie: object = {}) =>
  Array.from({ length: n }, (_, i) => ({ name: `c${i}`, purpose: 'p', lifetime: 'l', ...cookie }));
const withCookies = (cookies: unknown[]) => ({ categories: { analytics: { cookies } } });
/** A language tag of `n` characters (31 to 38), added by its texts. */
const tag = (n: number) => `de${'-abcdefgh'.repeat(3)}-${'x'.repeat(n - 30)}`;
const language = (n: number) => ({ language: tag(n), texts: { [tag(n)]: { bannerTitle: 'Hallo' } } });

/** [what, a configuration at the bound, the same one past it, the path the problem names]. */
const warned: [string, (past: number) => Record<string, unknown>, number, string][] = [
  ['a text over 2000 characters', (n) => ({ texts: { en: { bannerText: text(n) } } }), 2000, 'texts.en.bannerText'],
  [
    'a category title text over 200',
    (n) => ({ texts: { en: { analyticsTitle: text(n) } } }),
    200,
    'texts.en.analyticsTitle',
  ],
  [
    "a category's title over 200",
    (n) => ({ categories: { shop: { title: { en: text(n), ru: 'Магазин' } } } }),
    200,
    'categories.shop.title.en',
  ],
  [
    "a category's description over 2000",
    (n) => ({ categories: { analytics: { description: text(n) } } }),
    2000,
    'categories.analytics.description',
  ],
  ["an operator's name over 200", (n) => ({ operator: { name: text(n) } }), 200, 'operator.name'],
  ["an operator's id over 200", (n) => ({ operator: { name: 'ТОО', id: '1'.repeat(n) } }), 200, 'operator.id'],
  ["an operator's URL over 2048", (n) => ({ operator: { url: url(n) } }), 2048, 'operator.url'],
  ['a privacy policy URL over 2048', (n) => ({ privacyPolicyUrl: url(n) }), 2048, 'privacyPolicyUrl'],
  [
    "a declared cookie's purpose over 200",
    (n) => withCookies(['_ga', ...declared(1), { name: '_ym_uid', purpose: { en: text(n), ru: 'Кратко' } }]),
    200,
    'categories.analytics.cookies[2].purpose.en',
  ],
  [
    "a declared cookie's lifetime over 50",
    (n) => withCookies(declared(1, { lifetime: text(n) })),
    50,
    'categories.analytics.cookies[0].lifetime',
  ],
  ['more than 20 declared cookies in a category', (n) => withCookies(declared(n)), 20, 'categories.analytics.cookies'],
];

const fatal: [string, (past: number) => Record<string, unknown>, number, string][] = [
  [
    'more than 50 cookies in a category',
    (n) => withCookies(Array.from({ length: n }, (_, i) => `c${i}`)),
    50,
    'categories.analytics.cookies',
  ],
  [
    'a cookie name over 100 characters',
    (n) => withCookies(['_ga', 'c'.repeat(n)]),
    100,
    'categories.analytics.cookies[1]',
  ],
  [
    'a declared name over 100 characters',
    (n) => withCookies([{ name: 'c'.repeat(n), purpose: 'p' }]),
    100,
    'categories.analytics.cookies[0].name',
  ],
  ['a language tag over 35 characters', language, 35, 'language'],
  ['a policy version over 200 characters', (n) => ({ policyVersion: 'v'.repeat(n) }), 200, 'policyVersion'],
  [
    'more than 32 categories',
    (n) => ({ categories: Object.fromEntries(Array.from({ length: n - 3 }, (_, i) => [`c${i}`, {}])) }),
    32,
    'categories.c29',
  ],
];

describe('a configuration at the receipt schema’s bounds', () => {
  it.each([...warned, ...fatal])('is accepted, its receipts too: %s', (_, config, bound) => {
    expect(outcome(config(bound))).toMatchObject({ warnings: [], refused: [] });
  });
});

describe('past a bound', () => {
  it.each(warned)(
    'what only the UI shows is a warning, the default kept, the receipts accepted: %s',
    (_, config, bound, path) => {
      const { warnings, refused } = outcome(config(bound + 1));
      expect(warnings).toEqual([expect.stringMatching(new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}: `))]);
      expect(refused).toEqual([]);
    },
  );

  it.each(fatal)('what the SDK acts on is fatal: %s', (_, config, bound, path) => {
    expect(outcome(config(bound + 1)).fatal).toEqual([
      expect.stringMatching(new RegExp(`^${path.replace(/[.[\]]/g, '\\$&')}: `)),
    ]);
  });

  it('keeps the built-in text in place of one too long, and a declaration without its purpose on two lines', () => {
    const { notice } = outcome({
      texts: { en: { bannerTitle: text(2001), acceptAll: 'Fine' } },
      categories: { analytics: { cookies: [{ name: '_ga', purpose: 'one\ntwo', lifetime: '2 years' }] } },
    });
    expect(notice!.texts).toMatchObject({ bannerTitle: 'We use cookies', acceptAll: 'Fine' });
    expect(notice!.categories[1]!.cookies).toEqual([{ name: '_ga', lifetime: '2 years' }]);
  });

  it('still refuses a receipt whose notice is past a bound: the schema is what the SDK keeps to', () => {
    const checked = validateConfig({ policyVersion: '2024-01-01', texts: { en: { bannerText: text(2001) } } });
    if (!checked.ok) throw new Error('expected a valid configuration');
    const body = noticeOf(checked.config, createTranslator(checked.config, 'en'));
    const result = collector(JSON.parse(JSON.stringify(receiptOn(body, '2024-01-01'))));
    expect(result.ok).toBe(false);
  });
});
