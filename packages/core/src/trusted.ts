/** What the SDK needs of a Trusted Types policy. */
export interface ScriptPolicy {
  script(text: string): string;
  url(url: string): string;
}

interface TrustedTypesLike {
  createPolicy(
    name: string,
    rules: { createScript(s: string): string; createScriptURL(s: string): string },
  ): {
    createScript(s: string): string;
    createScriptURL(s: string): string;
  };
}

const POLICY = Symbol.for('paloma-consent.trusted-types');
const plain: ScriptPolicy = { script: (text) => text, url: (url) => url };

/**
 * The page's Trusted Types policy `paloma-consent` (created once per window: a second `createPolicy`
 * of one name throws), so a site under `require-trusted-types-for 'script'` can allow the SDK with
 * `trusted-types paloma-consent`. It passes values through unchanged: the SDK only calls it for gated
 * scripts that passed the nonce rule and for its own UI file, so it vouches for nothing else. Where
 * Trusted Types do not exist, or the page's policy refuses the name, plain strings are used (and
 * the browser then blocks what it must, which the gate reports).
 */
export function scriptPolicy(window: Window | undefined): ScriptPolicy {
  const w = window as (Window & { trustedTypes?: TrustedTypesLike; [POLICY]?: ScriptPolicy }) | undefined;
  if (!w?.trustedTypes) return plain;
  if (!w[POLICY]) {
    try {
      const policy = w.trustedTypes.createPolicy('paloma-consent', {
        createScript: (s) => s,
        createScriptURL: (s) => s,
      });
      w[POLICY] = { script: (text) => policy.createScript(text), url: (url) => policy.createScriptURL(url) };
    } catch {
      w[POLICY] = plain;
    }
  }
  return w[POLICY];
}
