import { readFileSync } from 'node:fs';
import nodeResolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

const pkg = (name) => JSON.parse(readFileSync(`packages/${name}/package.json`, 'utf8'));
const version = pkg('consent').version;

const plugins = (target = 'es2020') => [
  replace({ preventAssignment: true, values: { __SDK_VERSION__: JSON.stringify(version) } }),
  nodeResolve({ browser: true }),
  esbuild({ target, jsx: 'automatic', jsxImportSource: 'preact', tsconfig: 'tsconfig.base.json' }),
];

/** ESM + CJS for npm; dependencies stay external so bundlers dedupe them. */
const library = (name) => {
  const { dependencies = {} } = pkg(name);
  const external = (id) => Object.keys(dependencies).some((dep) => id === dep || id.startsWith(`${dep}/`));
  return {
    input: `packages/${name}/src/index.ts`,
    external,
    plugins: plugins(),
    output: [
      { file: `packages/${name}/dist/index.js`, format: 'es' },
      { file: `packages/${name}/dist/index.cjs`, format: 'cjs' },
    ],
  };
};

/** `@paloma365/consent/react` and `/vue`: ESM + CJS; the framework and the core stay the app's. */
const binding = (name) => {
  const { dependencies = {}, peerDependencies = {} } = pkg('consent');
  const external = Object.keys({ ...dependencies, ...peerDependencies });
  return {
    input: `packages/consent/src/${name}.ts`,
    external: (id) => external.some((dep) => id === dep || id.startsWith(`${dep}/`)),
    plugins: plugins(),
    output: [
      { file: `packages/consent/dist/${name}.js`, format: 'es' },
      { file: `packages/consent/dist/${name}.cjs`, format: 'cjs' },
    ],
  };
};

/**
 * V8's explicit compile hint (Chrome 136+) comes first: a visitor's first page calls nearly every function of the
 * bundle, so compiling them while the file streams in, off the main thread, shortens the SDK's first tasks
 * (`npm run longtasks`). Other engines read a comment.
 */
export const COMPILE_HINT = '//# allFunctionsCalledOnLoad';
const banner = `${COMPILE_HINT}\n/*! @paloma365/consent ${version} | MIT | https://paloma365.com */`;

export default [
  library('core'),
  library('ui'),
  library('consent'),
  {
    // The script-tag bundle: everything inside, one IIFE, window.PalomaConsent.
    input: 'packages/consent/src/auto.ts',
    plugins: [
      ...plugins(),
      terser({
        ecma: 2020,
        compress: { passes: 3, unsafe_arrows: true },
        format: { comments: /^!|^# allFunctionsCalledOnLoad$/ },
      }),
    ],
    output: { file: 'packages/consent/dist/consent.min.js', format: 'iife', banner },
  },
  binding('react'),
  binding('vue'),
];
