/** The system's Chromium (or an installed Chrome) through playwright-core; the audit never downloads a browser. */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Headless, and nothing that reaches out on its own (this machine's network is closed). The repository's
 * end-to-end tests launch Chromium with these same flags (test/e2e/browser.ts imports them).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserOptions {
  /** Path of a Chromium binary. @default "/usr/bin/chromium" */
  chromium?: string;
  /** `chrome`: the installed Google Chrome instead of a path. */
  channel?: 'chrome';
  /** Chromium's `--host-resolver-rules`, e.g. `MAP *.shop.test 127.0.0.1` to audit a local copy of a site. */
  hostResolverRules?: string;
}

export async function launchBrowser(options: BrowserOptions = {}): Promise<Browser> {
  const args = [...CHROMIUM_ARGS];
  if (options.hostResolverRules) args.push(`--host-resolver-rules=${options.hostResolverRules}`);
  if (options.channel) return chromium.launch({ channel: options.channel, args });
  const executablePath = options.chromium ?? DEFAULT_CHROMIUM;
  if (!existsSync(executablePath)) {
    throw new Error(
      `no Chromium at ${executablePath}: install it (\`apt-get install chromium\`), pass --chromium PATH, or --channel chrome`,
    );
  }
  return chromium.launch({ executablePath, args });
}
