import type { TextKey as ConfigTextKey } from '@paloma365/consent-core';

/**
 * The built-in English texts; their keys are the ones `texts.<language>` overrides, the core's `TextKey`
 * (a key added here and not there, or the reverse, fails to compile). Each language is a module of its
 * own so that the script-tag build ships one language per UI file (a visitor needs one).
 */
export const en = {
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
  /** On the placeholder of a blocked embed; `{categories}` becomes the titles of the categories it needs. */
  placeholderText: 'To show this content, we need your consent to “{categories}” cookies.',
  placeholderAllow: 'Allow and show',
  cookieList: 'Cookies used',
} satisfies Record<ConfigTextKey, string>;

export type TextKey = keyof typeof en;
export type Texts = Record<TextKey, string>;
