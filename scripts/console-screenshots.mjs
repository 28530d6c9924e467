// The operator console's pages for `npm run screenshots`: a collector on 127.0.0.1 with a throwaway SQLite
// file, seeded with a fortnight of receipts, each page at 1280 px in English, Russian and Kazakh.
// Needs `npm run build` first (the collector's dist and its console).
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, listen } from '../packages/collector/dist/index.js';

const TOKEN = 'screenshots-admin-token';
const DAY_MS = 86_400_000;
const SIGN_IN = { en: 'Sign in', ru: 'Войти', kk: 'Кіру' };

const TEXTS = {
  en: [
    'We use cookies',
    'Strictly necessary',
    'Analytics',
    'Functional',
    'Sign-in, security and your cookie choice.',
    'Anonymous visit statistics (Yandex Metrica, Google Analytics).',
    'Chat, embedded videos and maps.',
  ],
  ru: [
    'Мы используем файлы cookie',
    'Строго необходимые',
    'Аналитика',
    'Функциональные',
    'Вход, безопасность и ваш выбор cookie.',
    'Анонимная статистика посещений (Яндекс Метрика, Google Analytics).',
    'Чат, встроенные видео и карты.',
  ],
  kk: [
    'Біз cookie файлдарын пайдаланамыз',
    'Қатаң қажетті',
    'Аналитика',
    'Функционалдық',
    'Кіру, қауіпсіздік және cookie таңдауыңыз.',
    'Келулердің жасырын статистикасы (Яндекс Метрика, Google Analytics).',
    'Чат, кірістірілген бейнелер мен карталар.',
  ],
};

function notice(language, policyVersion) {
  const [title, necessary, analytics, functional, necessaryText, analyticsText, functionalText] = TEXTS[language];
  const body = {
    language,
    policyVersion,
    privacyPolicyUrl: 'https://paloma365.com/privacy',
    operator: { name: 'LLP "Paloma365"', id: '160940016674', url: 'https://paloma365.com' },
    texts: {
      bannerTitle: title,
      bannerBody: `${necessaryText} ${analyticsText}`,
    },
    categories: [
      {
        id: 'necessary',
        title: necessary,
        description: necessaryText,
        required: true,
        cookies: ['paloma_consent', 'session'],
      },
      {
        id: 'analytics',
        title: analytics,
        description: analyticsText,
        required: false,
        cookies: ['_ga', '_ga_*', '_ym_*'],
      },
      { id: 'functional', title: functional, description: functionalText, required: false, cookies: ['jivo_*'] },
    ],
  };
  const id = createHash('sha256').update(canonicalJson(body)).digest('hex');
  return { ...body, id };
}

/** A small deterministic generator: the same screenshots every run. */
function random(seed) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

async function seed(collector, clock) {
  const next = random(7);
  const notices = { en: notice('en', '2024-01-01'), ru: notice('ru', '2024-01-01'), kk: notice('kk', '2024-01-01') };
  const start = Date.now() - 14 * DAY_MS;
  let shown;
  for (let i = 0; i < 260; i++) {
    const at = new Date(start + (i / 260) * 14 * DAY_MS + next() * 3_600_000);
    const language = next() < 0.45 ? 'ru' : next() < 0.6 ? 'kk' : 'en';
    const roll = next();
    const method =
      roll < 0.5
        ? 'accept_all'
        : roll < 0.78
          ? 'reject_all'
          : roll < 0.92
            ? 'custom'
            : roll < 0.96
              ? 'withdraw'
              : 'gpc';
    const allowed = method === 'accept_all';
    const categories = {
      necessary: true,
      analytics: allowed || (method === 'custom' && next() < 0.7),
      functional: allowed || (method === 'custom' && next() < 0.4),
    };
    const subjectId = i === 120 || i === 200 ? shown.subjectId : randomUUID();
    const receipt = {
      version: 2,
      receiptId: randomUUID(),
      subjectId,
      timestamp: at.toISOString(),
      expiresAt: new Date(at.getTime() + 182 * DAY_MS).toISOString(),
      policyVersion: '2024-01-01',
      method,
      categories,
      language,
      page: `https://paloma365.com/${['', 'pricing', 'features', 'blog/restaurants', 'ru/tseny', 'kk', 'contacts'][i % 7]}`,
      sdkVersion: '1.0.0',
      previousReceiptId: i === 120 || i === 200 ? shown.receiptId : null,
      notice: method === 'gpc' ? null : notices[language],
    };
    if (i === 40 || i === 120) shown = receipt;
    clock.now = at;
    const response = await fetch(`${collector.url}/receipts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(receipt),
    });
    if (!response.ok) throw new Error(`seeding the console's collector: ${response.status} ${await response.text()}`);
  }
  clock.now = new Date();
  return { subjectId: shown.subjectId, noticeId: notices.ru.id };
}

/** Writes console-<page>-<lang>-1280.png through `shot(page, name)`. */
export async function consoleScreenshots(browser, shot) {
  const dir = mkdtempSync(join(tmpdir(), 'paloma-console-shots-'));
  const clock = { now: new Date() };
  const collector = await listen({
    port: 0,
    db: join(dir, 'receipts.sqlite'),
    adminToken: TOKEN,
    rateLimit: false,
    now: () => clock.now,
  });
  try {
    const { subjectId, noticeId } = await seed(collector, clock);
    for (const lang of ['en', 'ru', 'kk']) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: lang });
      const page = await context.newPage();
      page.on('pageerror', (error) => {
        throw new Error(`console ${lang}: ${error.message}`);
      });
      const base = `${collector.url}/admin/`;
      await page.goto(base);
      await page.locator('#token').waitFor();
      await shot(page, `console-sign-in-${lang}-1280`);
      await page.locator('#token').fill(TOKEN);
      await page.getByRole('button', { name: SIGN_IN[lang], exact: true }).click();
      await page.locator('nav').waitFor();
      const visit = async (hash, ready, name) => {
        await page.goto(`${base}${hash}`);
        await page.locator(ready).first().waitFor();
        await shot(page, `console-${name}-${lang}-1280`);
      };
      await visit('#/notices', 'table.notices tbody tr', 'notices');
      await visit(`#/notices/${noticeId}`, 'dl.facts', 'notice');
      await visit(`#/subjects/${subjectId}`, '.status', 'subject');
      await page.goto(`${base}#/retention`);
      await page.locator('#days').fill('7');
      await page.locator('form button[type="submit"]').click();
      await page.locator('.confirm').waitFor();
      await shot(page, `console-retention-${lang}-1280`);
      await visit('#/stats', 'svg[data-chart="days"]', 'statistics');
      await context.close();
    }
  } finally {
    await collector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
