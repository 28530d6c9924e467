import { scriptPolicy } from '@paloma365/consent-core';
import type { MountUI } from './attach-ui.js';

import { HANDOVER, type UIScript } from './handover.js';

export interface ScriptOptions {
  /** Subresource Integrity of the file, built into the engine. */
  integrity: string;
  /** The page's CSP nonce, so the UI file runs under `script-src 'nonce-…'`. */
  nonce?: string;
}

/**
 * Fetches a UI file with a `<script>` of the engine's own making. `crossorigin="anonymous"` makes
 * integrity checkable on a CDN and costs nothing on the same origin. The hand-over goes through the
 * element, not a global, so no other script can pass itself off as the UI.
 */
export function loadScript(document: Document, src: string, { integrity, nonce }: ScriptOptions): Promise<MountUI> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script') as UIScript;
    // Under Trusted Types, through the SDK's policy: the engine vouches for its own UI file.
    script.src = scriptPolicy(document.defaultView ?? undefined).url(src);
    script.integrity = integrity;
    script.crossOrigin = 'anonymous';
    if (nonce) script.nonce = nonce;
    script.onload = () => {
      const mountUI = script[HANDOVER];
      if (mountUI) resolve(mountUI);
      else reject(new Error(`${src} is not a Paloma Consent UI file of this version`));
    };
    script.onerror = () => {
      // Gone, so the next attempt inserts a fresh one.
      script.remove();
      reject(new Error(`${src} did not load (offline, HTTP error or integrity mismatch)`));
    };
    document.head.append(script);
  });
}
