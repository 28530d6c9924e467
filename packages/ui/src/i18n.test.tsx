import { LANGUAGES } from '@paloma365/consent-core';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILT_IN, type TextKey } from './i18n.js';
import { inside, mount, unmountAll } from './test-helpers.js';
import { en } from './texts/en.js';
import { builtinTexts } from './texts/index.js';

afterEach(unmountAll);

const builtIn = (language: string, key: TextKey) => builtinTexts(language)[key];

const everything = (config: Record<string, unknown>) => {
  const { consent, root } = mount({ operator: { name: 'Paloma365', id: '1' }, ...config });
  consent.showPreferences();
  return { text: root.textContent ?? '', ui: inside(root) };
};

describe('texts', () => {
  it.each([
    ['en', 'We use cookies', 'Accept all', 'Reject all', 'Customize', 'Strictly necessary', 'Always on'],
    [
      'ru',
      'Мы используем cookie',
      'Принять все',
      'Отклонить все',
      'Настроить',
      'Строго необходимые',
      'Всегда включены',
    ],
    [
      'kk',
      'Біз cookie қолданамыз',
      'Барлығын қабылдау',
      'Барлығынан бас тарту',
      'Баптау',
      'Қатаң қажетті',
      'Әрқашан қосулы',
    ],
  ])('speaks %s', (language, ...texts) => {
    const { text, ui } = everything({ language });
    for (const t of texts) expect(text).toContain(t);
    expect(ui.getByRole('button', { name: builtIn(language, 'save') })).toBeTruthy();
    expect(ui.getByRole('button', { name: builtIn(language, 'close') })).toBeTruthy();
  });

  it('has every text in every language, each its own', () => {
    const keys = Object.keys(en) as TextKey[];
    for (const language of ['en', 'ru', 'kk']) {
      expect(Object.keys(builtinTexts(language)).sort()).toEqual([...keys].sort());
      for (const key of keys) expect(builtIn(language, key).trim()).not.toBe('');
    }
    // A text left in English is a missed translation.
    const untranslated = keys.filter(
      (k) => builtIn('ru', k) === builtIn('en', k) || builtIn('kk', k) === builtIn('en', k),
    );
    expect(untranslated).toEqual([]);
  });

  it("takes a category's title and description from the config, as one string or per language", () => {
    const categories = {
      analytics: { title: { ru: 'Статистика', en: 'Statistics' }, description: 'Yandex Metrica' },
    };
    expect(everything({ language: 'ru', categories }).text).toContain('Статистика');
    unmountAll();
    const { text, ui } = everything({ language: 'en', categories });
    expect(ui.getByRole('switch', { name: 'Statistics', description: 'Yandex Metrica' })).toBeTruthy();
    expect(text).not.toContain('Analytics');
  });

  it('falls back to the built-in text for a language the config leaves out', () => {
    const categories = { analytics: { title: { ru: 'Статистика' } } };
    expect(everything({ language: 'kk', categories }).ui.getByRole('switch', { name: 'Аналитикалық' })).toBeTruthy();
  });

  it('lets config.texts override any string of its language only', () => {
    const texts = { ru: { acceptAll: 'Согласен', necessaryTitle: 'Обязательные' } };
    const { ui } = everything({ language: 'ru', texts });
    // The banner's (hidden under the dialog) and the dialog's.
    expect(ui.getAllByText('Согласен', { selector: 'button' })).toHaveLength(2);
    expect(ui.getByRole('switch', { name: 'Обязательные' })).toBeTruthy();
    unmountAll();
    expect(everything({ language: 'en', texts }).ui.getAllByText('Accept all', { selector: 'button' })).toHaveLength(2);
  });
});

describe('a language the site adds', () => {
  it('speaks it from texts.<language>, and English for each text it leaves out, naming each once', () => {
    const warned: unknown[][] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warned.push(args);
    try {
      const { text, ui } = everything({
        language: 'de',
        texts: {
          de: { bannerTitle: 'Wir verwenden Cookies', acceptAll: 'Alle akzeptieren', analyticsTitle: 'Statistik' },
        },
      });
      expect(ui.getByRole('switch', { name: 'Statistik' })).toBeTruthy();
      expect(ui.getAllByRole('button', { name: 'Alle akzeptieren' }).length).toBeGreaterThan(0);
      expect(ui.getByRole('button', { name: builtIn('en', 'save') })).toBeTruthy();
      expect(text).toContain(builtIn('en', 'alwaysOn'));
      const messages = warned.map((args) => args.join(' '));
      expect(messages).toContain('[paloma-consent] texts.de.save is missing: the English text is shown');
      expect(messages.some((m) => m.includes('texts.de.acceptAll'))).toBe(false);
      expect(new Set(messages).size).toBe(messages.length);
    } finally {
      console.warn = warn;
    }
  });
});

it("knows the core's built-in languages", () => {
  expect(BUILT_IN).toEqual(LANGUAGES);
});

it('warns about a misspelt text key, naming the key it most likely meant, and keeps the default', () => {
  const warned: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warned.push(args.join(' '));
  try {
    const { ui } = everything({ language: 'ru', texts: { ru: { acceptAl: 'Принять', analyticsTitel: 'Статистика' } } });
    expect(ui.getAllByRole('button', { name: builtIn('ru', 'acceptAll') }).length).toBeGreaterThan(0);
    expect(warned).toContain('[paloma-consent] texts.ru.acceptAl is not a text key, ignored (did you mean acceptAll?)');
    expect(warned).toContain(
      '[paloma-consent] texts.ru.analyticsTitel is not a text key, ignored (did you mean analyticsTitle?)',
    );
  } finally {
    console.warn = warn;
  }
});
