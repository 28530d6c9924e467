// The React binding in a Preact app: the app's bundler aliases `react` to `preact/compat`, as here.

import type { Consent } from '@paloma365/consent-core';
import { act, cleanup, render, screen } from '@testing-library/preact';
import { h } from 'preact';
import { afterEach, expect, it, vi } from 'vitest';
import { useConsent } from './react.js';
import { controller, destroyControllers, returningVisitor } from './test-controller.js';

vi.mock('react', () => import('preact/compat'));

afterEach(() => {
  cleanup();
  destroyControllers();
});

function Status({ consent }: { consent: Consent<'necessary' | 'analytics' | 'functional'> }) {
  const { decision, has } = useConsent(consent);
  return h('output', null, decision ? `${decision.method} functional=${has('functional')}` : 'undecided');
}

it('follows the decision through preact/compat', () => {
  const consent = controller();
  render(h(Status, { consent }));
  expect(screen.getByRole('status').textContent).toBe('undecided');
  act(() => consent.set({ functional: true }));
  expect(screen.getByRole('status').textContent).toBe('custom functional=true');
  act(() => consent.rejectAll());
  expect(screen.getByRole('status').textContent).toBe('reject_all functional=false');
});

it("renders a returning visitor's decision at once", () => {
  render(h(Status, { consent: returningVisitor() }));
  expect(screen.getByRole('status').textContent).toBe('accept_all functional=true');
});

it('runs on Preact, not React', async () => {
  expect((await import('react')).default).toBe((await import('preact/compat')).default);
});
