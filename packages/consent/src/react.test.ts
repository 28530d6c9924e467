import type { Consent } from '@paloma365/consent-core';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { createElement as h } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, expect, it, vi } from 'vitest';
import { useConsent } from './react.js';
import { controller, destroyControllers, returningVisitor } from './test-controller.js';

// React warns about updates outside act() unless the environment says it is a test.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

afterEach(() => {
  cleanup();
  destroyControllers();
});

/** Shows what the hook returns, with a button for one of its actions. */
function Status({ consent }: { consent: Consent<'necessary' | 'analytics' | 'functional'> }) {
  const { decision, has, rejectAll } = useConsent(consent);
  return h(
    'p',
    null,
    h('output', null, decision ? `${decision.method} analytics=${has('analytics')}` : 'undecided'),
    h('output', null, `necessary=${has('necessary')}`),
    h('button', { type: 'button', onClick: rejectAll }, 'Reject all'),
  );
}

const status = () => screen.getAllByRole('status')[0]?.textContent;

it('renders the decision, and again when acceptAll() is called elsewhere', () => {
  const consent = controller();
  render(h(Status, { consent }));
  expect(status()).toBe('undecided');
  expect(screen.getByText('necessary=true')).toBeTruthy();

  act(() => consent.acceptAll());
  expect(status()).toBe('accept_all analytics=true');
});

it("records a decision through the hook's actions, and follows reset()", () => {
  const consent = controller();
  render(h(Status, { consent }));
  fireEvent.click(screen.getByRole('button', { name: 'Reject all' }));
  expect(consent.get()?.method).toBe('reject_all');
  expect(status()).toBe('reject_all analytics=false');

  act(() => consent.reset());
  expect(status()).toBe('undecided');
});

it("renders a returning visitor's decision from the first render", () => {
  render(h(Status, { consent: returningVisitor() }));
  expect(status()).toBe('accept_all analytics=true');
});

it('stops following the controller when the component unmounts', () => {
  const consent = controller();
  const unsubscribe = vi.fn();
  const subscribe = consent.subscribe;
  consent.subscribe = (fn) => {
    const off = subscribe(fn);
    return () => {
      unsubscribe();
      off();
    };
  };
  const { unmount } = render(h(Status, { consent }));
  unmount();
  expect(unsubscribe).toHaveBeenCalledOnce();
});

it('renders undecided on the server, and hydrates a returning visitor without a mismatch', async () => {
  const consent = returningVisitor();
  const html = renderToString(h(Status, { consent }));
  expect(html).toContain('undecided');

  const container = document.createElement('div');
  container.innerHTML = html;
  document.body.append(container);
  const errors: unknown[] = [];
  const root = await act(async () =>
    hydrateRoot(container, h(Status, { consent }), { onRecoverableError: (error) => errors.push(error) }),
  );
  expect(errors).toEqual([]);
  expect(container.querySelector('output')?.textContent).toBe('accept_all analytics=true');
  act(() => root.unmount());
  container.remove();
});
