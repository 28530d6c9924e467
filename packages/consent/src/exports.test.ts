import { expect, it } from 'vitest';

it('exports exactly the public surface: createConsent (types aside)', async () => {
  expect(Object.keys(await import('./index.js')).sort()).toEqual(['createConsent']);
});
