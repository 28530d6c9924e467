import type { Consent } from '@paloma365/consent-core';
import { cleanup, fireEvent, render, screen } from '@testing-library/vue';
import { afterEach, expect, it, vi } from 'vitest';
import { defineComponent, effectScope, h, nextTick, type PropType } from 'vue';
import { controller, destroyControllers, returningVisitor } from './test-controller.js';
import { useConsent } from './vue.js';

afterEach(() => {
  cleanup();
  destroyControllers();
});

type Controller = Consent<'necessary' | 'analytics' | 'functional'>;

const Status = defineComponent({
  props: { consent: { type: Object as PropType<Controller>, required: true } },
  setup(props) {
    const { decision, has, acceptAll } = useConsent(props.consent);
    return () =>
      h('p', [
        h('output', decision.value ? `${decision.value.method} analytics=${has('analytics')}` : 'undecided'),
        h('output', `necessary=${has('necessary')}`),
        h('button', { type: 'button', onClick: acceptAll }, 'Accept all'),
      ]);
  },
});

const status = () => screen.getAllByRole('status')[0]?.textContent;

it('renders the decision, and again when rejectAll() is called elsewhere', async () => {
  const consent = controller();
  render(Status, { props: { consent } });
  expect(status()).toBe('undecided');
  expect(screen.getByText('necessary=true')).toBeTruthy();

  consent.rejectAll();
  await nextTick();
  expect(status()).toBe('reject_all analytics=false');
});

it("records a decision through the composable's actions, and follows reset()", async () => {
  const consent = controller();
  render(Status, { props: { consent } });
  await fireEvent.click(screen.getByRole('button', { name: 'Accept all' }));
  expect(consent.get()?.method).toBe('accept_all');
  expect(status()).toBe('accept_all analytics=true');

  consent.reset();
  await nextTick();
  expect(status()).toBe('undecided');
});

it("renders a returning visitor's decision from the first render", () => {
  render(Status, { props: { consent: returningVisitor() } });
  expect(status()).toBe('accept_all analytics=true');
});

it('stops following the controller when its component or effect scope is gone', () => {
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
  render(Status, { props: { consent } }).unmount();
  expect(unsubscribe).toHaveBeenCalledOnce();

  const scope = effectScope();
  const binding = scope.run(() => useConsent(consent));
  scope.stop();
  expect(unsubscribe).toHaveBeenCalledTimes(2);
  consent.acceptAll();
  expect(binding?.decision.value).toBeNull();
});
