import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import nodeResolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

const pkg = (name) => JSON.parse(readFileSync(`packages/${name}/package.json`, 'utf8'));
const version = pkg('consent').version;
const DIST = 'packages/consent/dist';
/** One UI file per built-in language: a visitor needs one, and the three together cost 1.8 KB gzip. */
const UI_LANGUAGES = ['en', 'ru', 'kk'];
/** `consent-ui.ru.<content hash>.min.js`: a cached engine of an older release never meets a newer UI file. */
const UI_FILE = /^consent-ui\.([a-z]+)\.[\w-]+\.min\.js$/;

const plugins = (target = 'es2020') => [
  replace({ preventAssignment: true, values: { __SDK_VERSION__: JSON.stringify(version) } }),
  nodeResolve({ browser: true }),
  esbuild({ target, jsx: 'automatic', jsxImportSource: 'preact', tsconfig: 'tsconfig.base.json' }),
];

const minify = () =>
  terser({
    ecma: 2020,
    compress: { passes: 3, unsafe_arrows: true },
    format: { comments: /^!|^# allFunctionsCalledOnLoad$/ },
  });

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

/** The UI's built-in texts, narrowed to one language: what `packages/ui/src/texts/index.ts` becomes in a UI file. */
const oneLanguage = (language) => {
  const texts = fileURLToPath(new URL('packages/ui/src/texts/index.ts', import.meta.url));
  return {
    name: 'one-language',
    load: (id) =>
      id === texts
        ? `import { ${language} } from './${language}.js'; export const builtinTexts = () => ${language};`
        : null,
  };
};

/** The UI's sources, not its npm build: the one-language plugin replaces one of its modules. */
const uiSources = () => ({
  name: 'ui-sources',
  resolveId: (id) =>
    id === '@paloma365/consent-ui' ? fileURLToPath(new URL('packages/ui/src/index.ts', import.meta.url)) : null,
});

/** Old UI files go before the first one is written, so the engine finds exactly this build's. */
const cleanUIFiles = () => ({
  name: 'clean-ui-files',
  buildStart() {
    for (const file of readdirSync(DIST, { withFileTypes: true })) {
      if (UI_FILE.test(file.name)) rmSync(`${DIST}/${file.name}`);
    }
  },
});

/**
 * `import UI_FILES from 'paloma:ui-files'` in the engine: each language's UI file name and its
 * Subresource Integrity, read from the files the UI builds (which run first) wrote.
 */
const uiFiles = () => ({
  name: 'ui-files',
  resolveId: (id) => (id === 'paloma:ui-files' ? id : null),
  load(id) {
    if (id !== 'paloma:ui-files') return null;
    const files = {};
    for (const name of readdirSync(DIST)) {
      const [, language] = UI_FILE.exec(name) ?? [];
      if (!language) continue;
      this.addWatchFile(`${DIST}/${name}`);
      const digest = createHash('sha256')
        .update(readFileSync(`${DIST}/${name}`))
        .digest('base64');
      files[language] = [name, `sha256-${digest}`];
    }
    const missing = UI_LANGUAGES.filter((language) => !files[language]);
    if (missing.length) this.error(`UI files missing in ${DIST} for: ${missing.join(', ')}`);
    return `export default ${JSON.stringify(files)};`;
  },
});

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
 * engine, so compiling them while the file streams in, off the main thread, shortens the SDK's first tasks
 * (`npm run longtasks`). Other engines read a comment.
 */
export const COMPILE_HINT = '//# allFunctionsCalledOnLoad';
const banner = `${COMPILE_HINT}\n/*! @paloma365/consent ${version} | MIT | https://paloma365.com */`;

/** A script-tag UI file: Preact, the banner, the dialog, the CSS and one language's texts. */
const uiFile = (language, index) => ({
  input: 'packages/consent/src/ui-file.ts',
  plugins: [...(index === 0 ? [cleanUIFiles()] : []), uiSources(), oneLanguage(language), ...plugins(), minify()],
  output: {
    dir: DIST,
    entryFileNames: `consent-ui.${language}.[hash].min.js`,
    format: 'iife',
    banner: `/*! @paloma365/consent ${version} UI (${language}) | MIT */`,
  },
});

/** The collector's operator console: one script, its stylesheet and the page, into the collector's dist/console/. */
const operatorConsole = () => ({
  input: 'packages/collector/console/main.tsx',
  plugins: [
    {
      name: 'console-assets',
      generateBundle() {
        for (const fileName of ['index.html', 'console.css']) {
          const source = readFileSync(`packages/collector/console/${fileName}`, 'utf8');
          this.emitFile({ type: 'asset', fileName, source });
        }
      },
    },
    ...plugins(),
    minify(),
  ],
  output: { dir: 'packages/collector/dist/console', entryFileNames: 'console.js', format: 'iife' },
});

export default [
  library('core'),
  library('ui'),
  library('consent'),
  ...UI_LANGUAGES.map(uiFile),
  {
    // The engine: the only file a page includes; window.PalomaConsent. No Preact: the UI files above.
    input: 'packages/consent/src/auto.ts',
    plugins: [uiFiles(), ...plugins(), minify()],
    output: { file: `${DIST}/consent.min.js`, format: 'iife', banner },
  },
  {
    // `@paloma365/consent-core/server`: reads a Cookie header; no DOM, no js-cookie, no Node API (edge runtimes).
    ...library('core'),
    input: 'packages/core/src/server.ts',
    output: [
      { file: 'packages/core/dist/server.js', format: 'es' },
      { file: 'packages/core/dist/server.cjs', format: 'cjs' },
    ],
  },
  binding('react'),
  binding('vue'),
  operatorConsole(),
];
