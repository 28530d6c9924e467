// @vitest-environment node
// Server-side rendering: no window, no visitor.
import { expect, it, vi } from 'vitest';
import { createSSRApp, h } from 'vue';
import { renderToString } from 'vue/server-renderer';
import { returningVisitor } from './test-controller.js';
import { useConsent } from './vue.js';

it('renders undecided on the server and leaves nothing subscribed', async () => {
  const consent = returningVisitor();
  const subscribe = vi.spyOn(consent, 'subscribe');
  const app = createSSRApp({
    setup() {
      const { decision, has } = useConsent(consent);
      return () => h('output', decision.value ? `decided ${has('analytics')}` : `undecided ${has('analytics')}`);
    },
  });
  expect(await renderToString(app)).toBe('<output>undecided false</output>');
  expect(subscribe).not.toHaveBeenCalled();
});
