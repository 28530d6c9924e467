/**
 * `useConsent()` for React 18+ (and Preact through `preact/compat`).
 *
 * @example
 * import { createConsent } from '@paloma365/consent';
 * import { useConsent } from '@paloma365/consent/react';
 *
 * const consent = createConsent({ policyVersion: '2024-01-01' });
 * function Video() {
 *   const { has, showPreferences } = useConsent(consent);
 *   return has('functional') ? <iframe src="…" /> : <button onClick={showPreferences}>Allow videos</button>;
 * }
 */
import type { Consent, Decision } from '@paloma365/consent-core';
import { useMemo, useSyncExternalStore } from 'react';
import { actions, type ConsentActions } from './binding.js';

export type { ConsentActions } from './binding.js';

export interface ConsentBinding<Id extends string = string> extends ConsentActions<Id> {
  /** The current decision; `null` while the visitor has not decided, and on the server. */
  decision: Decision | null;
}

/** The server knows no visitor's cookie: it renders, and hydration starts, undecided. */
const undecided = () => null;

/**
 * The controller's decision and actions. The component renders again on every decision, wherever it is
 * made: the banner, another component's `acceptAll()`, `reset()`.
 */
export function useConsent<Id extends string>(consent: Consent<Id>): ConsentBinding<Id> {
  // `get()` returns the same object until the next decision, as useSyncExternalStore requires.
  const decision = useSyncExternalStore(consent.subscribe, consent.get, undecided);
  return useMemo(() => ({ decision, ...actions(consent, () => decision) }), [consent, decision]);
}
