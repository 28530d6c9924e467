/**
 * A real controller (the core's) on a fake browser, for the bindings' tests. Test-only: excluded from
 * the build.
 */
import { type Consent, createConsent } from '@paloma365/consent-core';
import { type FakeJar, fakeEnv, fakeJar } from '../../core/src/test-env.js';

const all: Consent[] = [];

/** `cookies`: the visitor's jar, shared to load "the next page" of the same visitor. */
export function controller(cookies: FakeJar = fakeJar()) {
  const consent = createConsent({ policyVersion: '2024-01-01' }, fakeEnv({ cookies }));
  all.push(consent);
  return consent;
}

/** A visitor who accepted everything on an earlier page. */
export function returningVisitor() {
  const cookies = fakeJar();
  controller(cookies).acceptAll();
  return controller(cookies);
}

export const destroyControllers = () => {
  for (const consent of all.splice(0)) consent.destroy();
};
