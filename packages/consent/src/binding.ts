import type { Choices, Consent, Decision } from '@paloma365/consent-core';

/** What `useConsent()` gives a component: the decision, and the controller's actions. */
export interface ConsentActions<Id extends string = string> {
  /** `true` when the category is allowed by the decision the component renders (`necessary` always is). */
  has(category: Id): boolean;
  acceptAll(): void;
  rejectAll(): void;
  /** @example set({ analytics: true }) // the other optional categories refused */
  set(choices: Choices<Id>): void;
  showBanner(): void;
  showPreferences(): void;
  hide(): void;
  /** Forget the decision and show the banner again. */
  reset(): void;
}

/**
 * The actions, with `has` read from `decision()` rather than from the controller: a component then agrees
 * with itself within one render, and a server render (undecided) with its hydration.
 */
export function actions<Id extends string>(consent: Consent<Id>, decision: () => Decision | null): ConsentActions<Id> {
  return {
    has(category) {
      const current = decision();
      // Undecided: only the required categories (strictly necessary), as the controller answers.
      if (!current)
        return consent.config
          ? consent.config.categories.some((c) => c.id === category && c.required)
          : category === 'necessary';
      return current.categories[category] === true;
    },
    acceptAll: () => consent.acceptAll(),
    rejectAll: () => consent.rejectAll(),
    set: (choices) => consent.set(choices),
    showBanner: () => consent.showBanner(),
    showPreferences: () => consent.showPreferences(),
    hide: () => consent.hide(),
    reset: () => consent.reset(),
  };
}
