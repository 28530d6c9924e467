// @vitest-environment node
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it('exports exactly readConsent, consentCookieValue and consentCookieTime from the server entry', async () => {
  expect(Object.keys(await import('./server.js')).sort()).toEqual([
    'consentCookieTime',
    'consentCookieValue',
    'readConsent',
  ]);
});

it('maps @paloma365/consent-core/server to its own files, types first', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  expect(pkg.exports['./server']).toEqual({
    import: { types: './dist/server.d.ts', default: './dist/server.js' },
    require: { types: './dist/server.d.cts', default: './dist/server.cjs' },
  });
  for (const condition of ['import', 'require'])
    expect(Object.keys(pkg.exports['./server'][condition])[0]).toBe('types');
});
