/**
 * `useConsent()` for Vue 3, a composable.
 *
 * @example
 * <script setup lang="ts">
 * import { useConsent } from '@paloma365/consent/vue';
 * import { consent } from './consent'; // createConsent({ policyVersion: '2024-01-01' })
 * const { decision, has, showPreferences } = useConsent(consent);
 * </script>
 * <template>
 *   <iframe v-if="has('functional')" src="…" />
 *   <button v-else @click="showPreferences">Allow videos</button>
 * </template>
 */
import type { Consent, Decision } from '@paloma365/consent-core';
import { type ComputedRef, computed, getCurrentScope, onScopeDispose, shallowRef } from 'vue';
import { actions, type ConsentActions } from './binding.js';

export type { ConsentActions } from './binding.js';

export interface ConsentBinding<Id extends string = string> extends ConsentActions<Id> {
  /** The current decision; `null` while the visitor has not decided, and on the server. */
  decision: ComputedRef<Decision | null>;
}

/**
 * The controller's decision as a ref, and its actions; `has()` is reactive (it reads the ref). The ref
 * follows every decision, wherever it is made (the banner, `acceptAll()` elsewhere, `reset()`), until the
 * component (or effect scope) that called it is gone. On the server it is `null`; a client that hydrates
 * server markup starts from the visitor's decision, so render what depends on it on the client only.
 */
export function useConsent<Id extends string>(consent: Consent<Id>): ConsentBinding<Id> {
  // On the server no visitor has decided, and nothing may be left subscribed after the render.
  const server = typeof window === 'undefined';
  const decision = shallowRef(server ? null : consent.get());
  if (!server) {
    const off = consent.subscribe(() => {
      decision.value = consent.get();
    });
    if (getCurrentScope()) onScopeDispose(off);
  }
  return { decision: computed(() => decision.value), ...actions(consent, () => decision.value) };
}
