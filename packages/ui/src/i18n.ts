import type { Category, Language, ResolvedConfig, Text } from '@paloma365/consent-core';

/** The keys `config.texts[language]` may override, in the order of every language's list below. */
export const TEXT_KEYS = [
  'bannerTitle',
  'bannerText',
  'acceptAll',
  'rejectAll',
  'customize',
  'privacyPolicy',
  /** The dialog's title and the floating button's label. */
  'settings',
  'dialogIntro',
  'necessaryTitle',
  'necessaryDescription',
  'analyticsTitle',
  'analyticsDescription',
  'functionalTitle',
  'functionalDescription',
  'alwaysOn',
  'save',
  'consentId',
  'consentDate',
  'operator',
  /** Printed before `operator.id`; Kazakhstan's business identification number. */
  'operatorId',
  'close',
] as const;

export type TextKey = (typeof TEXT_KEYS)[number];

/** A language's texts, one per key of `TEXT_KEYS` and in its order: lists, since three copies of every key cost the bundle 90 B. */
type Texts = readonly string[];

const en: Texts = [
  'We use cookies', // bannerTitle
  'Necessary cookies make this site work. With your consent, we also use analytics and functional cookies. You can change your choice at any time.', // bannerText
  'Accept all', // acceptAll
  'Reject all', // rejectAll
  'Customize', // customize
  'Privacy policy', // privacyPolicy
  'Cookie settings', // settings
  'Choose which cookies we may use.', // dialogIntro
  'Strictly necessary', // necessaryTitle
  'Make the site work and remember your choice.', // necessaryDescription
  'Analytics', // analyticsTitle
  'Show us how the site is used, so we can improve it.', // analyticsDescription
  'Functional', // functionalTitle
  'Enable extras such as embedded videos and maps.', // functionalDescription
  'Always on', // alwaysOn
  'Save preferences', // save
  'Consent ID', // consentId
  'Consent date', // consentDate
  'Data controller', // operator
  'BIN', // operatorId
  'Close', // close
];

const ru: Texts = [
  'Мы используем cookie', // bannerTitle
  'Необходимые cookie обеспечивают работу сайта. С вашего согласия мы также используем аналитические и функциональные cookie. Выбор можно изменить в любое время.', // bannerText
  'Принять все', // acceptAll
  'Отклонить все', // rejectAll
  'Настроить', // customize
  'Политика конфиденциальности', // privacyPolicy
  'Настройки cookie', // settings
  'Выберите, какие cookie мы можем использовать.', // dialogIntro
  'Строго необходимые', // necessaryTitle
  'Обеспечивают работу сайта и хранят ваш выбор.', // necessaryDescription
  'Аналитические', // analyticsTitle
  'Показывают, как используется сайт, чтобы мы могли его улучшить.', // analyticsDescription
  'Функциональные', // functionalTitle
  'Включают дополнительные функции, например встроенные видео и карты.', // functionalDescription
  'Всегда включены', // alwaysOn
  'Сохранить настройки', // save
  'ID согласия', // consentId
  'Дата согласия', // consentDate
  'Оператор персональных данных', // operator
  'БИН', // operatorId
  'Закрыть', // close
];

const kk: Texts = [
  'Біз cookie қолданамыз', // bannerTitle
  'Қажетті cookie сайттың жұмысын қамтамасыз етеді. Келісіміңізбен аналитикалық және функционалдық cookie де қолданамыз. Таңдауыңызды кез келген уақытта өзгерте аласыз.', // bannerText
  'Барлығын қабылдау', // acceptAll
  // Not "Барлығын қабылдамау": one suffix away from "accept all" is too easy to misread.
  'Барлығынан бас тарту', // rejectAll
  'Баптау', // customize
  'Құпиялылық саясаты', // privacyPolicy
  'Cookie баптаулары', // settings
  'Қандай cookie қолдана алатынымызды таңдаңыз.', // dialogIntro
  'Қатаң қажетті', // necessaryTitle
  'Сайттың жұмысын қамтамасыз етеді және таңдауыңызды сақтайды.', // necessaryDescription
  'Аналитикалық', // analyticsTitle
  'Сайтты жақсарту үшін оның қалай пайдаланылатынын көрсетеді.', // analyticsDescription
  'Функционалдық', // functionalTitle
  'Кірістірілген бейнелер мен карталар сияқты қосымша мүмкіндіктерді қосады.', // functionalDescription
  'Әрқашан қосулы', // alwaysOn
  'Баптауларды сақтау', // save
  'Келісім идентификаторы', // consentId
  'Келісім күні', // consentDate
  'Дербес деректер операторы', // operator
  'БСН', // operatorId
  'Жабу', // close
];
/** The built-in texts; `config.texts` overrides them key by key. */
export const STRINGS: Record<Language, Texts> = { en, ru, kk };

export interface Translator {
  lang: Language;
  t(key: TextKey): string;
  /** A category's title and description: its config, then `texts`, then the built-in ones. */
  category(category: Category): [title: string, description: string];
}

export function createTranslator(config: ResolvedConfig, lang: Language): Translator {
  const own: Record<string, string | undefined> = config.texts[lang] ?? {};
  const text = (key: string) => own[key] ?? STRINGS[lang][TEXT_KEYS.indexOf(key as TextKey)] ?? '';
  // A language missing from a `{ ru, kk }` object falls back to the built-in text, then to the English one.
  const pick = (value: Text | undefined, key: string) =>
    (typeof value === 'string' ? value : value?.[lang]) || text(key) || (typeof value === 'object' ? value.en : '');
  return {
    lang,
    t: text,
    category: (c) => [pick(c.title, `${c.id}Title`) || c.id, pick(c.description, `${c.id}Description`) ?? ''],
  };
}
