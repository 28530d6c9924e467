import type { Category, Language, ResolvedConfig, Text } from '@paloma365/consent-core';

const en = {
  bannerTitle: 'We use cookies',
  bannerText:
    'Necessary cookies make this site work. With your consent, we also use analytics and functional cookies. You can change your choice at any time.',
  acceptAll: 'Accept all',
  rejectAll: 'Reject all',
  customize: 'Customize',
  privacyPolicy: 'Privacy policy',
  /** The dialog's title and the floating button's label. */
  settings: 'Cookie settings',
  dialogIntro: 'Choose which cookies we may use.',
  necessaryTitle: 'Strictly necessary',
  necessaryDescription: 'Make the site work and remember your choice.',
  analyticsTitle: 'Analytics',
  analyticsDescription: 'Show us how the site is used, so we can improve it.',
  functionalTitle: 'Functional',
  functionalDescription: 'Enable extras such as embedded videos and maps.',
  alwaysOn: 'Always on',
  save: 'Save preferences',
  consentId: 'Consent ID',
  consentDate: 'Consent date',
  operator: 'Data controller',
  /** Printed before `operator.id`; Kazakhstan's business identification number. */
  operatorId: 'BIN',
  close: 'Close',
};

/** The keys `config.texts[language]` may override. */
export type TextKey = keyof typeof en;

const ru: Record<TextKey, string> = {
  bannerTitle: 'Мы используем cookie',
  bannerText:
    'Необходимые cookie обеспечивают работу сайта. С вашего согласия мы также используем аналитические и функциональные cookie. Выбор можно изменить в любое время.',
  acceptAll: 'Принять все',
  rejectAll: 'Отклонить все',
  customize: 'Настроить',
  privacyPolicy: 'Политика конфиденциальности',
  settings: 'Настройки cookie',
  dialogIntro: 'Выберите, какие cookie мы можем использовать.',
  necessaryTitle: 'Строго необходимые',
  necessaryDescription: 'Обеспечивают работу сайта и хранят ваш выбор.',
  analyticsTitle: 'Аналитические',
  analyticsDescription: 'Показывают, как используется сайт, чтобы мы могли его улучшить.',
  functionalTitle: 'Функциональные',
  functionalDescription: 'Включают дополнительные функции, например встроенные видео и карты.',
  alwaysOn: 'Всегда включены',
  save: 'Сохранить настройки',
  consentId: 'ID согласия',
  consentDate: 'Дата согласия',
  operator: 'Оператор персональных данных',
  operatorId: 'БИН',
  close: 'Закрыть',
};

const kk: Record<TextKey, string> = {
  bannerTitle: 'Біз cookie қолданамыз',
  bannerText:
    'Қажетті cookie сайттың жұмысын қамтамасыз етеді. Келісіміңізбен аналитикалық және функционалдық cookie де қолданамыз. Таңдауыңызды кез келген уақытта өзгерте аласыз.',
  acceptAll: 'Барлығын қабылдау',
  // Not "Барлығын қабылдамау": one suffix away from "accept all" is too easy to misread.
  rejectAll: 'Барлығынан бас тарту',
  customize: 'Баптау',
  privacyPolicy: 'Құпиялылық саясаты',
  settings: 'Cookie баптаулары',
  dialogIntro: 'Қандай cookie қолдана алатынымызды таңдаңыз.',
  necessaryTitle: 'Қатаң қажетті',
  necessaryDescription: 'Сайттың жұмысын қамтамасыз етеді және таңдауыңызды сақтайды.',
  analyticsTitle: 'Аналитикалық',
  analyticsDescription: 'Сайтты жақсарту үшін оның қалай пайдаланылатынын көрсетеді.',
  functionalTitle: 'Функционалдық',
  functionalDescription: 'Кірістірілген бейнелер мен карталар сияқты қосымша мүмкіндіктерді қосады.',
  alwaysOn: 'Әрқашан қосулы',
  save: 'Баптауларды сақтау',
  consentId: 'Келісім идентификаторы',
  consentDate: 'Келісім күні',
  operator: 'Дербес деректер операторы',
  operatorId: 'БСН',
  close: 'Жабу',
};

/** The built-in texts; `config.texts` overrides them key by key. */
export const STRINGS: Record<Language, Record<TextKey, string>> = { en, ru, kk };

export interface Translator {
  lang: Language;
  t(key: TextKey): string;
  /** A category's title and description: its config, then `texts`, then the built-in ones. */
  category(category: Category): [title: string, description: string];
}

export function createTranslator(config: ResolvedConfig, lang: Language): Translator {
  const own: Record<string, string | undefined> = config.texts[lang] ?? {};
  const builtIn: Record<string, string | undefined> = STRINGS[lang];
  const text = (key: string) => own[key] ?? builtIn[key] ?? '';
  // A language missing from a `{ ru, kk }` object falls back to the built-in text, then to the English one.
  const pick = (value: Text | undefined, key: string) =>
    (typeof value === 'string' ? value : value?.[lang]) || text(key) || (typeof value === 'object' ? value.en : '');
  return {
    lang,
    t: text,
    category: (c) => [pick(c.title, `${c.id}Title`) || c.id, pick(c.description, `${c.id}Description`) ?? ''],
  };
}
