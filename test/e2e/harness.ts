/**
 * The vitest side of the harness: one server and one Chromium per test file, a fresh
 * browser context and page per test, and the page's uncaught errors checked after every
 * test (the SDK must never throw into the host page).
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { launchBrowser } from './browser.js';
import { BUNDLE, startServer, type TestServer } from './server.js';

export interface ConsoleEntry {
  type: string;
  text: string;
}

export interface E2E {
  readonly server: TestServer;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Uncaught exceptions and unhandled rejections of this test's pages. */
  readonly pageErrors: string[];
  /** Console messages of this test's pages. */
  readonly console: ConsoleEntry[];
  /** `console.error`/`console.warn` messages, optionally only those matching `pattern`. */
  messages(type: 'error' | 'warning', pattern?: RegExp): string[];
  /** A fresh context and page (the test's `context`/`page` are replaced), e.g. for context options. */
  newContext(options?: Parameters<Browser['newContext']>[0]): Promise<Page>;
}

/** Registers the hooks; the returned object's fields are valid inside tests. */
export function useE2E(): E2E {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  const pageErrors: string[] = [];
  const consoleEntries: ConsoleEntry[] = [];

  const watch = (p: Page) => {
    p.on('pageerror', (error) => pageErrors.push(`${error.name}: ${error.message}`));
    p.on('console', (message) => consoleEntries.push({ type: message.type(), text: message.text() }));
  };

  const newContext = async (options?: Parameters<Browser['newContext']>[0]) => {
    await context?.close();
    context = await browser!.newContext(options);
    context.on('page', watch);
    page = await context.newPage();
    return page;
  };

  beforeAll(async () => {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npm run build\` before the e2e tests`);
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  beforeEach(async () => {
    server!.reset();
    pageErrors.length = 0;
    consoleEntries.length = 0;
    await newContext();
  });

  afterEach(async () => {
    try {
      expect(pageErrors, 'errors thrown in the page').toEqual([]);
    } finally {
      await context?.close();
      context = undefined;
    }
  });

  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is only available inside a test`);
    return value;
  };

  return {
    get server() {
      return need(server, 'server');
    },
    get browser() {
      return need(browser, 'browser');
    },
    get context() {
      return need(context, 'context');
    },
    get page() {
      return need(page, 'page');
    },
    pageErrors,
    console: consoleEntries,
    messages: (type, pattern) =>
      consoleEntries.filter((m) => m.type === type && (!pattern || pattern.test(m.text))).map((m) => m.text),
    newContext,
  };
}
