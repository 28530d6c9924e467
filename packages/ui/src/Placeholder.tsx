import { render } from 'preact';
import type { Ui } from './App.js';
import { noticeOf, prepareNotice } from './notice.js';
import { placeholderCss } from './placeholder-styles.js';
import { applyStyles } from './styles.js';

/** The gate's: a gated iframe that has not loaded (the gate sets `src` when it does) and has not opted out. */
const GATED_FRAME = 'iframe[data-category]:not([src],[data-consent-placeholder=off])';

/** As the core's `categoriesOf`, which the UI file cannot import without the engine's modules. */
const categoriesOf = (element: Element) =>
  (element.getAttribute('data-category') ?? '').toLowerCase().split(/\s+/).filter(Boolean);

/** A name for the embed: its label, its title, else the host it would load from; at most 200 characters, as a title. */
const nameOf = (frame: HTMLIFrameElement) => {
  let name = frame.getAttribute('data-consent-label') || frame.title;
  try {
    name ||= new URL(frame.getAttribute('data-src') ?? '', frame.baseURI).hostname;
  } catch {}
  return [...name].slice(0, 200).join('');
};

interface PlaceholderProps {
  ui: Ui;
  frame: HTMLIFrameElement;
}

/** What the embed is and what it needs, a button that allows that, and the way to the preferences. */
export function Placeholder({ ui, frame }: PlaceholderProps) {
  const { consent, config } = ui;
  // The configured ones, in the embed's order: nothing can allow an id the configuration lacks.
  const categories = categoriesOf(frame).flatMap((id) => config.categories.filter((c) => c.id === id));
  const label = nameOf(frame);
  // Its own wording, hashed now as the banner's is, so a click finds the id ready: rendered once per
  // placeholder (nothing re-renders it), this runs once, when it shows.
  const notice = prepareNotice(noticeOf(config, ui, { categories, label }));
  // Its categories become allowed, every other keeps its choice (undecided: refused); the gate loads every such embed.
  const allow = () =>
    consent.set({ ...consent.get()?.categories, ...Object.fromEntries(categories.map((c) => [c.id, true])) }, notice());
  return (
    <fieldset class="ph" aria-label={label || undefined}>
      {label && <p class="nm">{label}</p>}
      <p>{ui.t('placeholderText').replace('{categories}', categories.map((c) => ui.category(c)[0]).join(', '))}</p>
      <p class="ac">
        <button type="button" onClick={allow}>
          {ui.t('placeholderAllow')}
        </button>
        {/* biome-ignore lint/a11y/useValidAnchor: the contract's link to the preferences; it opens the dialog, as `data-consent-open` links do */}
        <a
          href="#"
          onClick={(event) => {
            event.preventDefault();
            consent.showPreferences();
          }}
        >
          {ui.t('settings')}
        </a>
      </p>
    </fieldset>
  );
}

interface Shown {
  host: HTMLElement;
  /** The iframe's own inline `visibility`, given back when the placeholder goes. */
  visibility: string;
  resize?: ResizeObserver;
}

/**
 * Shows a placeholder for each gated iframe that is not allowed, and removes it when the iframe is
 * (or goes, or opts out). The iframe keeps its box, hidden with `visibility` (so no layout shift, and
 * screen readers skip the blank frame); the placeholder is an absolutely positioned element inserted
 * right before it, out of the flow, moved onto the iframe's box and sized to it, and kept there as
 * the iframe or its parent resizes.
 *
 * @returns a function that removes every placeholder
 */
export function mountPlaceholders(document: Document, ui: Ui): () => void {
  const { consent } = ui;
  const view = document.defaultView as (Window & typeof globalThis) | null;
  const shown = new Map<HTMLIFrameElement, Shown>();

  const blocked = (frame: HTMLIFrameElement) => {
    const ids = categoriesOf(frame);
    return frame.isConnected && frame.matches(GATED_FRAME) && ids.length > 0 && !ids.every((id) => consent.has(id));
  };

  /** Onto the iframe's border box: the margins move the host from its static position, which is next to the iframe's. */
  const place = (frame: HTMLIFrameElement, host: HTMLElement) => {
    const to = frame.getBoundingClientRect();
    const at = host.getBoundingClientRect();
    const style = host.style;
    style.width = `${to.width}px`;
    style.height = `${to.height}px`;
    style.marginLeft = `${(Number.parseFloat(style.marginLeft) || 0) + to.left - at.left}px`;
    style.marginTop = `${(Number.parseFloat(style.marginTop) || 0) + to.top - at.top}px`;
  };

  const add = (frame: HTMLIFrameElement) => {
    const host = document.createElement('paloma-placeholder');
    host.lang = consent.language;
    // The `theme` option, as on the banner's host: a light site keeps light placeholders.
    host.dataset.theme = ui.config.theme;
    host.style.position = 'absolute';
    host.style.display = 'block';
    const root = host.attachShadow({ mode: 'open' });
    applyStyles(root, placeholderCss);
    render(<Placeholder ui={ui} frame={frame} />, root);
    frame.before(host);
    // Placed in the same task as inserted: the first frame painted has it in place, so nothing shifts.
    place(frame, host);
    const visibility = frame.style.visibility;
    frame.style.visibility = 'hidden';
    const resize = view?.ResizeObserver ? new view.ResizeObserver(() => place(frame, host)) : undefined;
    resize?.observe(frame);
    if (frame.parentElement) resize?.observe(frame.parentElement);
    shown.set(frame, { host, visibility, resize });
  };

  const remove = (frame: HTMLIFrameElement, { host, visibility, resize }: Shown) => {
    // The visitor pressed the button: focus goes on to what it loaded, not back to the top of the page.
    const focused = !!host.shadowRoot?.activeElement;
    shown.delete(frame);
    resize?.disconnect();
    render(null, host.shadowRoot as ShadowRoot);
    host.remove();
    frame.style.visibility = visibility;
    if (focused && frame.isConnected) frame.focus();
  };

  const sync = () => {
    for (const [frame, placeholder] of shown) if (!blocked(frame)) remove(frame, placeholder);
    for (const frame of Array.from(document.querySelectorAll<HTMLIFrameElement>(GATED_FRAME))) {
      if (!shown.has(frame) && blocked(frame)) add(frame);
    }
  };

  const unsubscribe = consent.subscribe(sync);
  // Iframes added later, or whose categories, `src` or opt-out change. Its own hosts bring one harmless pass more.
  const observer = view?.MutationObserver ? new view.MutationObserver(sync) : undefined;
  observer?.observe(document, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['data-category', 'src', 'data-consent-placeholder'],
  });
  sync();

  return () => {
    unsubscribe();
    observer?.disconnect();
    for (const [frame, placeholder] of shown) remove(frame, placeholder);
  };
}
