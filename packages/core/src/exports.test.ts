import { expect, it, vi } from 'vitest';

it('exports exactly the public surface', async () => {
  const core = await import('./index.js');
  expect(Object.keys(core).sort()).toEqual([
    'LANGUAGES',
    'browserEnv',
    'createConsent',
    'formatProblem',
    'resolveLanguage',
    'safeConsent',
    'scriptPolicy',
    'validateConfig',
  ]);
});

it('exports functions and constants only, so importing it creates no state', async () => {
  const core = await import('./index.js');
  expect(Object.entries(core).filter(([, value]) => typeof value !== 'function')).toEqual([
    ['LANGUAGES', ['en', 'ru', 'kk']],
  ]);
});

it('touches no browser global when imported, so server-side rendering can import it', async () => {
  const globals = ['window', 'document', 'navigator', 'location', 'localStorage', 'crypto', 'MutationObserver'];
  const saved = globals.map((name) => [name, Object.getOwnPropertyDescriptor(globalThis, name)] as const);
  const touched: string[] = [];
  for (const name of globals) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get: () => {
        touched.push(name);
        return undefined;
      },
    });
  }
  try {
    vi.resetModules();
    await import('./index.js');
  } finally {
    for (const [name, descriptor] of saved) {
      if (descriptor) Object.defineProperty(globalThis, name, descriptor);
      else delete (globalThis as Record<string, unknown>)[name];
    }
  }
  expect(touched).toEqual([]);
});
