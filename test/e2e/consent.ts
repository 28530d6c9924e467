/**
 * What the tests know of the SDK and its pages: locators for the banner and the dialog (in
 * the open shadow root of `#paloma-consent`; Playwright's locators pierce it), the public
 * `window.PalomaConsent` API, gated-script markers, and a builder for small test pages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { EXAMPLE, RECEIPTS_PATH } from './server.js';

export const POLICY = '2024-01-01';
export const CONFIG = { policyVersion: POLICY, endpoint: RECEIPTS_PATH };

/** What `examples/script-tag/index.html` runs, in document order. */
export const EXAMPLE_ANALYTICS = ['gtag', 'gtag-config', 'metrika', 'ym-init'];
export const EXAMPLE_ALL = [...EXAMPLE_ANALYTICS, 'chat'];

export interface Decision {
  subjectId: string;
  policyVersion: string;
  timestamp: string;
  method: string;
  categories: Record<string, boolean>;
}

/** The part of `window.PalomaConsent` the tests call. */
export interface PalomaConsentGlobal {
  init(config: unknown): void;
  get(): Decision | null;
  has(category: string): boolean;
  acceptAll(): void;
  rejectAll(): void;
  set(choices: Record<string, boolean>): void;
  showPreferences(): void;
  on(event: string, fn: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    /** Every gated script of the test pages pushes its name here when it runs. */
    __ran?: string[];
    /** Counted by tests of `PalomaConsent.on`. */
    changes?: number;
    PalomaConsent: PalomaConsentGlobal;
  }
}

/** JavaScript that records `name` on `window.__ran`. */
export const marker = (name: string) => `(window.__ran = window.__ran || []).push(${JSON.stringify(name)});`;

/** A gated inline script that records `name`. */
export const gatedInline = (name: string, category: string, attributes = '') =>
  `<script type="text/plain" data-category="${category}"${attributes}>${marker(name)}</script>`;

/** A gated external script. */
export const gatedSrc = (src: string, category: string, attributes = '') =>
  `<script type="text/plain" data-category="${category}" src="${src}"${attributes}></script>`;

export interface TestPage {
  lang?: string;
  /** An object (serialised) or raw text for the JSON block; `null` leaves the block out. */
  config?: object | string | null;
  head?: string;
  body?: string;
}

/** A small page that loads the SDK the script-tag way. */
export function testPage({ lang = 'en', config = CONFIG, head = '', body = '' }: TestPage = {}): string {
  const json = typeof config === 'string' ? config : JSON.stringify(config)?.replace(/</g, '\\u003c');
  const block = config === null ? '' : `<script type="application/json" id="paloma-consent-config">${json}</script>`;
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Paloma Consent test page</title>
<link rel="icon" href="/favicon.svg">
${block}
<script src="/consent.min.js" defer></script>
${head}
</head>
<body>
<main><h1>Test page</h1><p>Content of the host page.</p></main>
${body}
</body>
</html>`;
}

/** The script-tag example, optionally with another `<html lang>` or policy version. */
export function examplePage({ lang, policyVersion }: { lang?: string; policyVersion?: string } = {}): string {
  let html = readFileSync(join(EXAMPLE, 'index.html'), 'utf8');
  if (lang) html = html.replace('<html lang="en">', `<html lang="${lang}">`);
  if (policyVersion) html = html.replace(`"policyVersion": "${POLICY}"`, `"policyVersion": "${policyVersion}"`);
  return html;
}

/** The SDK's UI, found through its open shadow root. */
export function consentUI(page: Page) {
  const host = page.locator('#paloma-consent');
  // "A labelled region or non-modal dialog" (design 3.6); roles are matched implicit or explicit.
  const banner = host.getByRole('region').or(host.locator('[role="dialog"]:not([aria-modal="true"])'));
  const dialog = host.locator('[role="dialog"][aria-modal="true"]');
  return {
    host,
    banner,
    dialog,
    bannerButton: (name: string): Locator => banner.getByRole('button', { name, exact: true }),
    dialogButton: (name: string): Locator => dialog.getByRole('button', { name, exact: true }),
    switch: (name: string): Locator => dialog.getByRole('switch', { name, exact: true }),
    /** The footer's "Cookie settings" link of the example site. */
    footerLink: page.locator('footer [data-consent-open]'),
  };
}

export const ran = (page: Page) => page.evaluate(() => window.__ran ?? []);
export const decision = (page: Page) => page.evaluate(() => window.PalomaConsent.get());

/** Gives scripts that should not run a moment to do so anyway. */
export const settle = (page: Page, ms = 250) => page.waitForTimeout(ms);

/** Waits until as many gated scripts as expected ran, then checks exactly those ran, in that order. */
export async function expectRan(page: Page, expected: string[]): Promise<void> {
  await expect.poll(() => ran(page), { timeout: 5000 }).toHaveLength(expected.length);
  await settle(page);
  expect(await ran(page)).toEqual(expected);
}

export interface Focused {
  tag: string;
  role: string | null;
  /** Its label, `aria-label` or text. */
  name: string;
  /** Where it is: in the preferences dialog, in the banner, in an embed's placeholder, or on the page. */
  where: 'dialog' | 'banner' | 'placeholder' | 'page';
  checked?: boolean;
}

/** The focused element, followed into shadow roots. */
export const focused = (page: Page): Promise<Focused> =>
  page.evaluate(() => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    const el = active as HTMLInputElement;
    const label = el.labels?.[0]?.textContent ?? el.getAttribute('aria-label') ?? el.textContent ?? '';
    return {
      tag: el.tagName.toLowerCase(),
      role: el.getAttribute('role'),
      name: label.trim(),
      where: (el.closest('[aria-modal="true"]')
        ? 'dialog'
        : el.getRootNode() === document
          ? 'page'
          : (el.getRootNode() as ShadowRoot).host.localName === 'paloma-placeholder'
            ? 'placeholder'
            : 'banner') as Focused['where'],
      checked: el.type === 'checkbox' ? el.checked : undefined,
    };
  });

/** Presses Tab until `until` holds (at most `max` times); returns what was focused on the way. */
export async function tabUntil(
  page: Page,
  until: (f: Focused) => boolean | Promise<boolean>,
  max = 40,
): Promise<Focused[]> {
  const seen: Focused[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    seen.push(now);
    if (await until(now)) return seen;
  }
  throw new Error(`focus never got there in ${max} Tabs; saw ${seen.map((f) => f.name).join(' → ')}`);
}
