import { describe, expect, it } from 'vitest';
import { resolveLanguage } from './language.js';

const page = (lang: string) => ({ documentElement: { lang } }) as unknown as Document;

describe('resolveLanguage', () => {
  it('uses an explicit language as is', () => {
    expect(resolveLanguage('kk', page('ru'), { languages: ['en'] })).toBe('kk');
  });

  it('picks <html lang> first', () => {
    expect(resolveLanguage('auto', page('ru'), { languages: ['kk', 'en'] })).toBe('ru');
  });

  it('then the first supported of navigator.languages', () => {
    expect(resolveLanguage('auto', page(''), { languages: ['de-DE', 'kk-KZ', 'ru'] })).toBe('kk');
  });

  it('then navigator.language', () => {
    expect(resolveLanguage('auto', page(''), { language: 'ru-KZ' })).toBe('ru');
    expect(resolveLanguage('auto', page(''), { languages: [], language: 'ru-KZ' })).toBe('ru');
  });

  it('then English', () => {
    expect(resolveLanguage('auto', page('de'), { languages: ['fr-FR', 'de'] })).toBe('en');
    expect(resolveLanguage('auto')).toBe('en');
  });

  it.each([
    ['ru-RU', 'ru'],
    ['RU', 'ru'],
    ['kk_KZ', 'kk'],
    ['en-GB', 'en'],
    ['kz', 'kk'],
    ['kz-KZ', 'kk'],
  ])('understands %s as %s', (lang, language) => {
    expect(resolveLanguage('auto', page(lang), {})).toBe(language);
  });

  it("does not read the browser's languages when <html lang> settles it", () => {
    const navigator = {
      get languages(): string[] {
        throw new Error('navigator.languages read');
      },
    };
    expect(resolveLanguage('auto', page('kk'), navigator)).toBe('kk');
  });

  it('skips an unsupported <html lang>', () => {
    expect(resolveLanguage('auto', page('de-AT'), { languages: ['ru-RU'] })).toBe('ru');
  });

  it("finds a language the configuration adds, by its tag or its first part, before the browser's", () => {
    expect(resolveLanguage('auto', page('de-AT'), { languages: ['ru-RU'] }, ['de'])).toBe('de');
    expect(resolveLanguage('auto', page('uz-Latn'), {}, ['uz-Latn', 'uz'])).toBe('uz-Latn');
    expect(resolveLanguage('auto', page(''), { languages: ['fr-CA', 'de'] }, ['de', 'fr'])).toBe('fr');
  });
});
