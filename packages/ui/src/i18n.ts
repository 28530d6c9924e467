import {
  type Category,
  type TextKey as ConfigTextKey,
  LANGUAGES,
  type Language,
  type ResolvedConfig,
  type Text,
} from '@paloma365/consent-core';

/** One text in every language, in the order of `LANGUAGES`: English, Russian, Kazakh. */
type Translations = readonly [en: string, ru: string, kk: string];

/**
 * The built-in texts, by the key `config.texts[language]` overrides them with. Each key is in the bundle
 * once, with its translations side by side. The keys are the core's `TextKey`, the ones a typed `texts` may
 * name: a text added here and not there, or the reverse, fails to compile.
 */
export const TEXTS = {
  bannerTitle: ['We use cookies', 'Мы используем cookie', 'Біз cookie қолданамыз'],
  bannerText: [
    'Necessary cookies make this site work. With your consent, we also use analytics and functional cookies. You can change your choice at any time.',
    'Необходимые cookie обеспечивают работу сайта. С вашего согласия мы также используем аналитические и функциональные cookie. Выбор можно изменить в любое время.',
    'Қажетті cookie сайттың жұмысын қамтамасыз етеді. Келісіміңізбен аналитикалық және функционалдық cookie де қолданамыз. Таңдауыңызды кез келген уақытта өзгерте аласыз.',
  ],
  acceptAll: ['Accept all', 'Принять все', 'Барлығын қабылдау'],
  // Kazakh: not "Барлығын қабылдамау", one suffix away from "accept all" and too easy to misread.
  rejectAll: ['Reject all', 'Отклонить все', 'Барлығынан бас тарту'],
  customize: ['Customize', 'Настроить', 'Баптау'],
  privacyPolicy: ['Privacy policy', 'Политика конфиденциальности', 'Құпиялылық саясаты'],
  /** The dialog's title and the floating button's label. */
  settings: ['Cookie settings', 'Настройки cookie', 'Cookie баптаулары'],
  dialogIntro: [
    'Choose which cookies we may use.',
    'Выберите, какие cookie мы можем использовать.',
    'Қандай cookie қолдана алатынымызды таңдаңыз.',
  ],
  necessaryTitle: ['Strictly necessary', 'Строго необходимые', 'Қатаң қажетті'],
  necessaryDescription: [
    'Make the site work and remember your choice.',
    'Обеспечивают работу сайта и хранят ваш выбор.',
    'Сайттың жұмысын қамтамасыз етеді және таңдауыңызды сақтайды.',
  ],
  analyticsTitle: ['Analytics', 'Аналитические', 'Аналитикалық'],
  analyticsDescription: [
    'Show us how the site is used, so we can improve it.',
    'Показывают, как используется сайт, чтобы мы могли его улучшить.',
    'Сайтты жақсарту үшін оның қалай пайдаланылатынын көрсетеді.',
  ],
  functionalTitle: ['Functional', 'Функциональные', 'Функционалдық'],
  functionalDescription: [
    'Enable extras such as embedded videos and maps.',
    'Включают дополнительные функции, например встроенные видео и карты.',
    'Кірістірілген бейнелер мен карталар сияқты қосымша мүмкіндіктерді қосады.',
  ],
  alwaysOn: ['Always on', 'Всегда включены', 'Әрқашан қосулы'],
  save: ['Save preferences', 'Сохранить настройки', 'Баптауларды сақтау'],
  consentId: ['Consent ID', 'ID согласия', 'Келісім идентификаторы'],
  consentDate: ['Consent date', 'Дата согласия', 'Келісім күні'],
  operator: ['Data controller', 'Оператор персональных данных', 'Дербес деректер операторы'],
  /** Printed before `operator.id`; Kazakhstan's business identification number. */
  operatorId: ['BIN', 'БИН', 'БСН'],
  close: ['Close', 'Закрыть', 'Жабу'],
} satisfies Record<ConfigTextKey, Translations>;

export type TextKey = keyof typeof TEXTS;

export interface Translator {
  lang: Language;
  t(key: TextKey): string;
  /** A category's title and description: its config, then `texts`, then the built-in ones. */
  category(category: Category): [title: string, description: string];
}

export function createTranslator(config: ResolvedConfig, lang: Language): Translator {
  const own: Record<string, string | undefined> = config.texts[lang] ?? {};
  const text = (key: string) => own[key] ?? TEXTS[key as TextKey]?.[LANGUAGES.indexOf(lang)] ?? '';
  // A language missing from a `{ ru, kk }` object falls back to the built-in text, then to the English one.
  const pick = (value: Text | undefined, key: string) =>
    (typeof value === 'string' ? value : value?.[lang]) || text(key) || (typeof value === 'object' ? value.en : '');
  return {
    lang,
    t: text,
    category: (c) => [pick(c.title, `${c.id}Title`) || c.id, pick(c.description, `${c.id}Description`) ?? ''],
  };
}
