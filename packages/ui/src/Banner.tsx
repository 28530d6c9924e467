import { Actions } from './Actions.js';
import type { Ui } from './App.js';

/** The non-modal first layer, a labelled region (`<section>`): it floats over the page and leaves it usable. */
export function Banner({ ui, under }: { ui: Ui; under?: boolean }) {
  const { consent, config, t } = ui;
  const policy = config.privacyPolicyUrl;
  return (
    <section ref={reserveScrollPadding} class={`bn ${config.layout}${under ? ' u' : ''}`} aria-labelledby="pc-bt">
      <div class="in">
        <div class="tx">
          <h2 id="pc-bt">{t('bannerTitle')}</h2>
          <p>
            {t('bannerText')} {policy && <a href={policy}>{t('privacyPolicy')}</a>}
          </p>
        </div>
        <Actions ui={ui}>
          <button type="button" onClick={() => consent.showPreferences()}>
            {t('customize')}
          </button>
        </Actions>
      </div>
    </section>
  );
}

/**
 * WCAG 2.2 SC 2.4.11 (focus not obscured): while the banner covers the bottom of the viewport,
 * the page's bottom scroll padding makes the browser scroll a focused element clear of it, and
 * the host (in the flow at the end of `<body>`) grows as tall as the banner, so even the page's
 * last links can scroll above it. Growing the end of the page moves nothing already laid out.
 * A ref callback (Preact calls the function it returns on unmount), which spares the bundle
 * the hooks module.
 * @returns a function that restores the page's own value
 */
export function reserveScrollPadding(banner: HTMLElement | null): (() => void) | undefined {
  if (!banner) return; // Preact calls the cleanup instead; null never comes with a cleanup returned
  const doc = banner.ownerDocument;
  const view = doc.defaultView;
  const style = doc.documentElement.style;
  const host = (banner.getRootNode() as ShadowRoot).host as HTMLElement | undefined;
  const before = style.scrollPaddingBottom;
  const fit = () => {
    const room = `${Math.max(0, Math.ceil((view?.innerHeight ?? 0) - banner.getBoundingClientRect().top))}px`;
    style.scrollPaddingBottom = room;
    host?.style.setProperty('--pc-room', room);
  };
  // The observer's first call comes after the browser lays the banner out anyway; measuring now would force
  // that layout into this task (30 ms at 4× CPU slowdown, `npm run longtasks`).
  const observer = view?.ResizeObserver && new view.ResizeObserver(fit);
  if (observer) observer.observe(banner);
  else fit();
  return () => {
    observer?.disconnect();
    style.scrollPaddingBottom = before;
    host?.style.removeProperty('--pc-room');
  };
}
