/**
 * On a page whose CSP uses nonces, the SDK's trusted code must never turn markup the page did not
 * sign into running script (design: gated content, the nonce rule): `'strict-dynamic'` would let it.
 */
import { describe, expect, it } from 'vitest';
import { CONFIG, consentUI, expectRan, gatedInline, gatedSrc, marker, ran, settle } from './consent.js';
import { useE2E } from './harness.js';

const t = useE2E();
const NONCE = 'c2lnbmVkLWJ5LXRoZS1wYWdl';
const CSP = `script-src 'nonce-${NONCE}' 'strict-dynamic'; object-src 'none'; base-uri 'none'`;

/** What an attacker's HTML injection can add: gated markup with no nonce, inline and from another origin. */
const forged = () =>
  [
    gatedInline('forged-inline', 'necessary'),
    gatedInline('forged-analytics', 'analytics'),
    gatedSrc(t.server.url('/evil.js', 'evil.paloma.test'), 'necessary'),
  ].join('\n');

const page = (engineTag: string, config: object = CONFIG, body = '') => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>nonce</title>
<script type="application/json" id="paloma-consent-config">${JSON.stringify(config)}</script>
${engineTag}
</head><body><main><h1>Nonce page</h1></main>
${gatedInline('signed', 'analytics', ` nonce="${NONCE}"`)}
${forged()}
${body}
</body></html>`;

const serve = (html: string) => {
  t.server.page('/evil.js', marker('forged-src'));
  return t.server.page('/nonce.html', html, { headers: { 'Content-Security-Policy': CSP } });
};

describe('the nonce rule', () => {
  it('runs only signed gated scripts, before and after a decision, and warns about the others', async () => {
    // A DOM-based injection after load: unsigned markup added by a (signed) page script.
    const later = `<script nonce="${NONCE}">addEventListener('load', () => document.body.insertAdjacentHTML('beforeend', ${JSON.stringify(gatedInline('forged-later', 'necessary')).replace(/<\//g, '<\\/')}))</script>`;
    await t.page.goto(serve(page(`<script src="/consent.min.js" nonce="${NONCE}" defer></script>`, CONFIG, later)));
    const ui = consentUI(t.page);
    await ui.banner.waitFor();
    await settle(t.page);
    expect(await ran(t.page)).toEqual([]);

    await ui.bannerButton('Accept all').click();
    await expectRan(t.page, ['signed']);
    expect(t.server.requested('/evil.js')).toBe(false);
    expect(t.messages('warning', /without the page's nonce/)).toHaveLength(4);
  });

  it('takes the nonce from the configuration when a tag loader inserted the engine', async () => {
    const loader = `<script nonce="${NONCE}">const s = document.createElement('script'); s.src = '/consent.min.js'; document.head.append(s);</script>`;
    await t.page.goto(serve(page(loader, { ...CONFIG, nonce: NONCE })));
    await t.page.evaluate(() => window.PalomaConsent.acceptAll());
    await expectRan(t.page, ['signed']);
    expect(t.server.requested('/evil.js')).toBe(false);
  });
});
