import { createHash } from 'node:crypto';
import type { Receipt } from '@paloma365/consent-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createReceiptValidator } from '../../collector/src/validate.js';
import vectors from '../../core/test-vectors/notice.json' with { type: 'json' };
import { canonicalJson, prepareNotice, sha256 } from './notice.js';
import { fakeEnv, inside, mount, unmountAll } from './test-helpers.js';
import { builtinTexts } from './texts/index.js';

afterEach(unmountAll);

const nodeSha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('canonicalJson and sha256', () => {
  it.each(vectors.cases)('match the test vector: $name', ({ notice, canonical, sha256: hash }) => {
    expect(canonicalJson(notice)).toBe(canonical);
    expect(sha256(canonical)).toBe(hash);
  });

  it('leave absent fields out, and sort keys at every level', () => {
    expect(canonicalJson({ b: { d: 1, c: [{ f: 2, e: 'x' }] }, a: undefined })).toBe(
      '{"b":{"c":[{"e":"x","f":2}],"d":1}}',
    );
  });

  it('hash as node does across the block boundaries, and a long text', () => {
    for (let n = 0; n < 200; n++)
      expect(sha256('ж'.repeat(n >> 1) + 'a'.repeat(n & 1))).toBe(nodeSha256('ж'.repeat(n >> 1) + 'a'.repeat(n & 1)));
    const long = 'Қазақ 🍪 '.repeat(9000);
    expect(sha256(long)).toBe(nodeSha256(long));
  });
});

describe('prepareNotice', () => {
  const body = vectors.cases[1]!.notice as unknown as Parameters<typeof prepareNotice>[0];
  const id = vectors.cases[1]!.sha256;

  it('takes the id from crypto.subtle in a secure context', async () => {
    const digest = vi.fn(crypto.subtle.digest.bind(crypto.subtle));
    const notice = prepareNotice(body, { isSecureContext: true, crypto: { subtle: { digest } } } as never);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(digest).toHaveBeenCalledOnce();
    expect(notice()).toStrictEqual({ id, ...body });
  });

  it('hashes with the bundled SHA-256 in a task after the render where the page is not a secure context', () => {
    const tasks: (() => void)[] = [];
    const scope = { isSecureContext: false, setTimeout: (fn: () => void) => tasks.push(fn) };
    const notice = prepareNotice(body, scope as never);
    expect(tasks).toHaveLength(1);
    tasks[0]!();
    expect(notice().id).toBe(id);
  });

  it('hashes with the bundled SHA-256, synchronously, where crypto.subtle is missing or not done yet', () => {
    expect(prepareNotice(body, { isSecureContext: false } as never)().id).toBe(id);
    const never = { isSecureContext: true, crypto: { subtle: { digest: () => new Promise(() => {}) } } };
    expect(prepareNotice(body, never as never)().id).toBe(id);
  });
});

/** A controller with an endpoint whose fetch keeps every posted receipt. */
function mountPosting(config: Record<string, unknown>) {
  const posted: Receipt[] = [];
  const fetch = vi.fn(async (_url: unknown, init?: RequestInit) => {
    posted.push(JSON.parse(String(init?.body)));
    return new Response(null, { status: 201 });
  });
  const mounted = mount({ endpoint: 'https://collector.test/receipts', ...config }, { ...fakeEnv(), fetch });
  return { ...mounted, posted };
}

const click = (root: ShadowRoot, name: string | RegExp) =>
  (inside(root).getByRole('button', { name }) as HTMLElement).click();

describe('the notice of a decision made through the UI', () => {
  const operator = { name: 'ТОО «Paloma365»', id: '160940016674', url: 'https://paloma365.com' };

  it.each([
    ['en', 'Accept all'],
    ['ru', 'Принять все'],
    ['kk', 'Барлығын қабылдау'],
  ])('holds every text shown in %s, the categories, policy, privacy policy and operator', (language, accept) => {
    const { root, posted } = mountPosting({ language, operator, privacyPolicyUrl: 'https://paloma365.com/privacy' });
    // What the banner shows comes from the same texts the notice lists.
    const texts = builtinTexts(language);
    expect(root.textContent).toContain(texts.bannerText);
    click(root, accept);
    const { notice } = posted[0]!;
    expect(notice).toMatchObject({
      language,
      policyVersion: '2024-01-01',
      privacyPolicyUrl: 'https://paloma365.com/privacy',
      operator,
    });
    expect(notice!.texts).toStrictEqual(texts);
    expect(notice!.categories).toStrictEqual([
      {
        id: 'necessary',
        title: texts.necessaryTitle,
        description: texts.necessaryDescription,
        required: true,
        cookies: [],
      },
      {
        id: 'analytics',
        title: texts.analyticsTitle,
        description: texts.analyticsDescription,
        required: false,
        cookies: ['_ga', '_ga_*', '_gid', '_gat*', '_ym_*', '_ym_uid'],
      },
      {
        id: 'functional',
        title: texts.functionalTitle,
        description: texts.functionalDescription,
        required: false,
        cookies: [],
      },
    ]);
    const { id, ...body } = notice!;
    expect(id).toBe(nodeSha256(canonicalJson(body)));
  });

  it('follows the configuration: overridden texts and titles, no privacy policy or operator when none is set', () => {
    const { root, posted } = mountPosting({
      texts: { en: { bannerTitle: 'Cookies here' } },
      categories: { analytics: { title: { en: 'Statistics' }, cookies: ['_pk_*'] } },
    });
    click(root, 'Accept all');
    const notice = posted[0]!.notice!;
    expect(notice.texts.bannerTitle).toBe('Cookies here');
    expect(notice.categories[1]).toMatchObject({ title: 'Statistics', cookies: ['_pk_*'] });
    expect(Object.keys(notice).sort()).toEqual(['categories', 'id', 'language', 'policyVersion', 'texts']);
  });

  it('lists each declared cookie as the dialog shows it, in the shown language; plain names stay names', () => {
    // The test vector's declarations, configured with texts for two languages (and one left out).
    const declared = vectors.cases[2]!.notice.categories!;
    const { root, posted, consent } = mountPosting({
      language: 'ru',
      categories: {
        analytics: {
          cookies: [
            '_ga',
            {
              name: '_ga_*',
              purpose: { en: 'Keeps the session', ru: 'Хранит состояние сессии Google Analytics' },
              lifetime: { ru: '2 года', en: '2 years' },
            },
            { name: '_gid', purpose: { kk: 'Тек қазақша' } },
            '_gat*',
            '_ym_*',
            {
              name: '_ym_uid',
              purpose: 'Отличает одного посетителя от другого для Яндекс Метрики: «"уникальный" ID»',
              lifetime: '1 год',
            },
          ],
        },
        functional: { cookies: [{ name: 'yt-remote-*', lifetime: { ru: 'сессия' } }] },
      },
    });
    consent.showPreferences();
    // What the dialog lists, one line per declaration.
    const shown = Array.from(root.querySelectorAll('li'), (li) => li.textContent);
    click(root, 'Сохранить настройки');
    const notice = posted[0]!.notice!;
    expect(notice.categories.map((c) => c.cookies)).toStrictEqual(declared.map((c) => c.cookies));
    const lines = notice.categories.flatMap((c) =>
      c.cookies.flatMap((cookie) =>
        typeof cookie === 'string' ? [] : [[cookie.name, cookie.purpose, cookie.lifetime].filter(Boolean).join(' — ')],
      ),
    );
    expect(shown).toEqual(lines);
  });

  it('stays within the receipt’s bounds: a text past one is a warning, the built-in text shown and recorded', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { root, posted } = mountPosting({ texts: { en: { bannerTitle: 'x'.repeat(2001) } } });
    expect(root.querySelector('h2')?.textContent).toBe('We use cookies');
    click(root, 'Accept all');
    expect(posted[0]!.notice!.texts.bannerTitle).toBe('We use cookies');
    // The fake page has no http(s) address; everything else as posted.
    expect(createReceiptValidator()({ ...posted[0], page: 'https://paloma365.com/' }).ok).toBe(true);
    expect(warn).toHaveBeenCalledWith(
      '[paloma-consent]',
      expect.stringMatching(/^texts\.en\.bannerTitle: expected at most 2000/),
    );
    warn.mockRestore();
  });

  it('comes with Reject all and Save preferences too; one wording, one id', () => {
    const { root, posted, consent } = mountPosting({});
    click(root, 'Reject all');
    consent.showPreferences();
    click(root, 'Save preferences');
    expect(posted.map((r) => r.method)).toEqual(['reject_all', 'custom']);
    expect(posted[0]!.notice!.id).toMatch(/^[0-9a-f]{64}$/);
    expect(posted[1]!.notice).toStrictEqual(posted[0]!.notice);
  });

  it('is null for a decision made through the API, even one handed an event', () => {
    const { consent, posted } = mountPosting({});
    consent.acceptAll();
    (consent.rejectAll as (e: unknown) => void)(new MouseEvent('click'));
    expect(posted.map((r) => [r.method, r.notice])).toEqual([
      ['accept_all', null],
      ['reject_all', null],
    ]);
  });
});
