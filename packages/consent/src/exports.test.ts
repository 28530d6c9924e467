import { expect, it } from 'vitest';

it('exports exactly the public surface: createConsent (types aside)', async () => {
  expect(Object.keys(await import('./index.js')).sort()).toEqual(['createConsent']);
});

it('exports exactly useConsent from @paloma365/consent/react and /vue (types aside)', async () => {
  expect(Object.keys(await import('./react.js'))).toEqual(['useConsent']);
  expect(Object.keys(await import('./vue.js'))).toEqual(['useConsent']);
});

it('maps ./react and ./vue with types first, ESM and CJS, and the frameworks as optional peers', async () => {
  const { default: pkg } = await import('../package.json', { with: { type: 'json' } });
  for (const name of ['react', 'vue'] as const) {
    expect(pkg.exports[`./${name}`]).toEqual({
      import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
      require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
    });
    expect(Object.keys(pkg.exports[`./${name}`].import)[0]).toBe('types');
    expect(pkg.peerDependenciesMeta[name]).toEqual({ optional: true });
  }
  expect(Object.keys(pkg.dependencies)).not.toContain('react');
});
