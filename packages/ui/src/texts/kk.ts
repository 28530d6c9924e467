import type { Texts } from './en.js';

/** The built-in Kazakh texts. */
export const kk: Texts = {
  bannerTitle: 'Біз cookie қолданамыз',
  bannerText:
    'Қажетті cookie сайттың жұмысын қамтамасыз етеді. Келісіміңізбен аналитикалық және функционалдық cookie де қолданамыз. Таңдауыңызды кез келген уақытта өзгерте аласыз.',
  acceptAll: 'Барлығын қабылдау',
  // Not "Барлығын қабылдамау": one suffix away from "accept all" and too easy to misread.
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
  placeholderText: 'Бұл мазмұнды көрсету үшін «{categories}» санатындағы cookie файлдарына келісіміңіз қажет.',
  placeholderAllow: 'Рұқсат беру және көрсету',
  cookieList: 'Қолданылатын cookie',
};
