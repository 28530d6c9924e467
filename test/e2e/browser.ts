/** Launches the system's Chromium through playwright-core (never a downloaded browser). */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM_ARGS as AUDIT_ARGS } from '../../packages/audit/src/browser.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Host names that resolve to 127.0.0.1, so a test can use a real parent domain (`.paloma.test`). */
export const TEST_DOMAIN = 'paloma.test';

/** The audit's flags (the one list of them), and the test domain mapped to loopback. */
export const CHROMIUM_ARGS = [...AUDIT_ARGS, `--host-resolver-rules=MAP *.${TEST_DOMAIN} 127.0.0.1`];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: install it with \`apt-get install chromium\` (or set CHROMIUM_PATH). The end-to-end tests never download a browser.`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
