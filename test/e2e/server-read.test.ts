/**
 * The built `@paloma365/consent-core/server` entry: it imports nothing (no `node:` module, no
 * js-cookie), names no browser or Node global, and works where only the fetch API's `Request` and
 * `Headers` exist (edge runtimes), as well as from Node by its package name.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { POLICY } from './consent.js';
import { ROOT } from './server.js';

const ESM = join(ROOT, 'packages/core/dist/server.js');
const CJS = join(ROOT, 'packages/core/dist/server.cjs');
const rejected = `1.0b7e3a52-6f1c-4d2e-9a8b-1c2d3e4f5a6b.${Date.now().toString(36)}.reject_all.necessary:1+analytics:0+functional:0..${POLICY}`;
const header = `_ga=GA1.1.1; __Host-paloma_consent=${rejected}`;

type ReadConsent = (header: string | null, options: { policyVersion: string }) => { method: string } | null;

describe('the built server entry', () => {
  it.each([ESM, CJS])('imports nothing and names no DOM or Node global: %s', (file) => {
    const code = readFileSync(file, 'utf8');
    expect(code).not.toMatch(/\bimport\s*[\s({"']|\bfrom\s*["']|\brequire\s*\(|node:/);
    expect(code.match(/\b(document|window|navigator|localStorage|process|Buffer|js-cookie)\b/g)).toBeNull();
  });

  it('reads a Request’s cookie header where only Request and Headers exist (an edge runtime)', () => {
    const sandbox = { module: { exports: {} as { readConsent?: ReadConsent } }, Request, Headers, result: null };
    sandbox.module.exports = {};
    runInNewContext(
      `${readFileSync(CJS, 'utf8')};
       const request = new Request('https://www.paloma.test/', { headers: { cookie: ${JSON.stringify(header)} } });
       result = module.exports.readConsent(request.headers.get('cookie'), { policyVersion: ${JSON.stringify(POLICY)} });`,
      Object.assign(sandbox, { exports: sandbox.module.exports }),
    );
    expect(sandbox.result).toMatchObject({ method: 'reject_all', categories: { analytics: false } });
    // What the sandbox lacked, so the entry could not have used it.
    expect(runInNewContext('[typeof process, typeof require, typeof Buffer, typeof document]', {})).toEqual([
      'undefined',
      'undefined',
      'undefined',
      'undefined',
    ]);
  });

  it.each([
    ['ESM', 'module', `import { readConsent } from '@paloma365/consent-core/server';`],
    ['CommonJS', 'commonjs', `const { readConsent } = require('@paloma365/consent-core/server');`],
  ])('resolves by its package name in a plain Node process, as %s', (_, type, load) => {
    // A child process: the test runner's own module aliases must not stand in for Node's resolution.
    const script = `${load}
      console.log(JSON.stringify([readConsent(${JSON.stringify(header)}, { policyVersion: ${JSON.stringify(POLICY)} }), readConsent(undefined, { policyVersion: 'x' })]));`;
    const output = execFileSync(process.execPath, [`--input-type=${type}`, '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toEqual([expect.objectContaining({ method: 'reject_all' }), null]);
  });
});
