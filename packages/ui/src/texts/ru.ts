import type { Texts } from './en.js';

/** The built-in Russian texts. */
export const ru: Texts = {
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
  placeholderText: 'Чтобы показать это содержимое, нужно ваше согласие на cookie категории «{categories}».',
  placeholderAllow: 'Разрешить и показать',
  cookieList: 'Используемые cookie',
};
