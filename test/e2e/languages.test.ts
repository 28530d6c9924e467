/** A language the site adds through `texts`: its UI file is the English one, its texts the site's. */
import { describe, expect, it } from 'vitest';
import { CONFIG, consentUI, testPage } from './consent.js';
import { useE2E } from './harness.js';

const t = useE2E();

describe('a language the site adds', () => {
  it('speaks German from texts.de, English where it leaves a text out, and receipts report "de"', async () => {
    const config = {
      ...CONFIG,
      texts: { de: { bannerTitle: 'Wir verwenden Cookies', acceptAll: 'Alle akzeptieren' } },
    };
    await t.page.goto(t.server.page('/de.html', testPage({ lang: 'de-AT', config })));
    const ui = consentUI(t.page);
    await expect.poll(() => ui.banner.textContent()).toContain('Wir verwenden Cookies');
    expect(await ui.bannerButton('Reject all').isVisible()).toBe(true);
    expect(t.server.requests.filter((r) => r.includes('/consent-ui.'))).toEqual([
      expect.stringMatching(/^GET \/consent-ui\.en\./),
    ]);
    expect(t.messages('warning', /texts\.de\.rejectAll is missing: the English text is shown/)).toHaveLength(1);
    await ui.bannerButton('Alle akzeptieren').click();
    const [receipt] = await t.server.receipts.wait(1);
    expect(receipt?.body).toMatchObject({ language: 'de' });
    expect(await ui.host.getAttribute('lang')).toBe('de');
  });
});
