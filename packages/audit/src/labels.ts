/**
 * The banner buttons' built-in labels, as packages/ui/src/texts/ has them (test/labels.test.ts keeps
 * the two in step). The audit finds the buttons by their accessible name, as a visitor reads them, so it
 * needs the words of every built-in language and the ones the page's configuration overrides.
 */
export const LABELS = {
  acceptAll: { en: 'Accept all', ru: 'Принять все', kk: 'Барлығын қабылдау' },
  rejectAll: { en: 'Reject all', ru: 'Отклонить все', kk: 'Барлығынан бас тарту' },
  customize: { en: 'Customize', ru: 'Настроить', kk: 'Баптау' },
} as const;

export type Action = keyof typeof LABELS;
export type BuiltInLanguage = keyof (typeof LABELS)['acceptAll'];
export const BUILT_IN_LANGUAGES: readonly BuiltInLanguage[] = ['en', 'ru', 'kk'];

/**
 * The names a button for `action` may carry, the page's language first: the configuration's
 * `texts[language][action]`, then the built-in label; then every other language's, so a page whose
 * language the audit guessed wrong still has its buttons found.
 */
export function labelsFor(
  action: Action,
  language: string,
  texts: Partial<Record<string, Record<string, string>>> = {},
): string[] {
  const order = [language, ...BUILT_IN_LANGUAGES.filter((l) => l !== language), ...Object.keys(texts)];
  const names = order.flatMap((lang) => [texts[lang]?.[action], (LABELS[action] as Record<string, string>)[lang]]);
  return [...new Set(names.filter((name): name is string => typeof name === 'string' && name.trim() !== ''))];
}
