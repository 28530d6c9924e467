import { scriptPolicy } from './trusted.js';

const GATED = '[data-category]';
/** A gated iframe that gets a placeholder while it is not allowed: not loaded, not opted out. */
const PLACEHOLDER = 'iframe:not([src],[data-consent-placeholder=off])';
const LOAD_TIMEOUT = 10_000;
/** Embeds the gate loads from their `data-src` (`data-href` for `link`); `data-src` elsewhere is not handled. */
const EMBED = /^(IMG|IFRAME|VIDEO|AUDIO|SOURCE|EMBED|OBJECT|LINK)$/;

/** `text/plain`, also as `text/plain; charset=utf-8` or with spaces around: what a page obviously means. */
const sleeps = (element: Element) => /^\s*text\/plain\s*(;|$)/i.test(element.getAttribute('type') ?? '');

export interface GateOptions {
  /**
   * The page's CSP nonce. When set, only gated scripts carrying this same nonce are run: markup
   * the page did not sign (HTML injection) stays inert, however trusted the SDK's own code is.
   */
  nonce?: string;
  warn?: (message: string) => void;
  /** A gated element that could not be activated (Trusted Types blocked it, a throwing attribute). */
  fail?: (message: string) => void;
  /**
   * A pass met a gated `<iframe>` not allowed yet (never loaded, no `data-consent-placeholder="off"`):
   * the UI must come to show its placeholder.
   */
  blocked?: () => void;
}

export interface Gate {
  /** Activate every gated element whose categories are all allowed now. */
  update(): Promise<void>;
  stop(): void;
}

/** The categories an element waits for: `data-category="analytics functional"` needs both. */
export const categoriesOf = (element: Element): string[] =>
  (element.getAttribute('data-category') ?? '').toLowerCase().split(/\s+/).filter(Boolean);

/** Enough of an element to find it in the page's source. */
const describe = (element: Element) => element.outerHTML.slice(0, 120);

/**
 * Runs gated scripts and loads gated embeds once their categories are allowed.
 *
 * A sleeping `<script type="text/plain">` cannot be woken by changing its type:
 * the browser marks it "already started". So a fresh script replaces it, with every
 * attribute but `type` (and the `nonce`, which browsers hide from `getAttribute`).
 * External scripts download together and run in document order; an inline script waits for the
 * external ones before it, since it runs the moment it is inserted.
 */
export function createGate(
  document: Document,
  allows: (categories: string[]) => boolean,
  options: GateOptions = {},
): Gate {
  const { nonce, warn = () => {}, fail = warn, blocked } = options;
  const policy = scriptPolicy(document.defaultView ?? undefined);
  const done = new WeakSet<Element>();
  let queue = Promise.resolve();
  let observer: MutationObserver | undefined;

  const ready = (element: Element) => {
    const categories = categoriesOf(element);
    return !done.has(element) && categories.length > 0 && allows(categories);
  };

  /** @returns a promise for an ordered external script's load, which later inline scripts wait for */
  const run = (sleeping: HTMLScriptElement): Promise<void> | undefined => {
    const fresh = document.createElement('script');
    for (const { name, value } of Array.from(sleeping.attributes)) {
      if (name !== 'type' && name !== 'data-type') fresh.setAttribute(name, name === 'src' ? policy.url(value) : value);
    }
    const type = sleeping.getAttribute('data-type');
    if (type) fresh.type = type;
    if (sleeping.nonce) fresh.nonce = sleeping.nonce;
    fresh.text = policy.script(sleeping.text);
    done.add(fresh);
    // Inserted scripts are async by default. `async = false` puts an external one in the browser's
    // "execute in order" list: downloads overlap, execution keeps document order.
    const ordered = fresh.src && !sleeping.hasAttribute('async');
    if (ordered) fresh.async = false;
    // A script the browser will not run (a template type) never loads, and a server may never
    // answer: later inline scripts wait for neither longer than a request may take.
    const runs = !type || type === 'module' || /java|ecma/i.test(type);
    const loaded =
      ordered && runs
        ? new Promise<void>((resolve) => {
            fresh.addEventListener('load', () => resolve());
            fresh.addEventListener('error', () => resolve());
            (document.defaultView ?? globalThis).setTimeout(resolve, LOAD_TIMEOUT);
          })
        : undefined;
    sleeping.replaceWith(fresh);
    return loaded;
  };

  /** Why an element cannot be gated, said once, for markup the page surely meant otherwise. */
  const unhandled = (element: Element) =>
    element.tagName === 'SCRIPT'
      ? // It ran (or will) as the parser met it: nothing can stop it now.
        !sleeps(element) && 'a data-category script without type="text/plain" is not gated'
      : !EMBED.test(element.tagName) && element.hasAttribute('data-src') && 'data-src is not handled here';

  const activate = async () => {
    // Ordered external scripts still loading: an inline script (which runs on insertion) waits for them.
    const loading: Promise<void>[] = [];
    let placeholders = false;
    for (const element of Array.from(document.querySelectorAll(GATED))) {
      const why = !done.has(element) && unhandled(element);
      if (why) {
        done.add(element);
        warn(`${why}: ${describe(element)}`);
      }
      const gateable = element.tagName === 'SCRIPT' || EMBED.test(element.tagName);
      // Removed while an earlier script loaded: there is nothing left to run.
      if (!gateable || !element.isConnected || !ready(element)) {
        placeholders ||= !done.has(element) && element.matches(PLACEHOLDER);
        continue;
      }
      done.add(element);
      try {
        if (element.tagName === 'SCRIPT') {
          const script = element as HTMLScriptElement;
          // The property, not the attribute: browsers hide a nonce from getAttribute once parsed.
          if (nonce && script.nonce !== nonce) {
            warn(`a gated script without the page's nonce stays inert: ${describe(script)}`);
            continue;
          }
          if (!script.src && loading.length) await Promise.all(loading.splice(0));
          const loaded = run(script);
          if (loaded) loading.push(loaded);
        } else {
          const link = element.tagName === 'LINK';
          const src = element.getAttribute(link ? 'data-href' : 'data-src');
          if (src) element.setAttribute(link ? 'href' : element.tagName === 'OBJECT' ? 'data' : 'src', src);
          // A media element picks a new <source> only when told to.
          if (element.tagName === 'SOURCE') (element.parentElement as HTMLMediaElement | null)?.load?.();
        }
      } catch (error) {
        // One blocked element (Trusted Types, a throwing attribute) must not stop the others.
        fail(`a gated element could not be activated (${error}): ${describe(element)}`);
      }
    }
    if (placeholders) blocked?.();
    await Promise.all(loading);
  };

  const update = () => {
    // A failing pass (a detached node, a throwing attribute) must not stop later ones or reach the page.
    queue = queue.then(activate).catch(() => {});
    return queue;
  };

  const MO = document.defaultView?.MutationObserver ?? globalThis.MutationObserver;
  if (MO) {
    // Gated elements added later, and elements whose `data-category` changes, get a pass too.
    observer = new MO((records) => {
      const gated = records.some(
        (r) =>
          r.type === 'attributes' ||
          Array.from(r.addedNodes).some(
            (n) => n.nodeType === 1 && ((n as Element).matches(GATED) || (n as Element).querySelector(GATED)),
          ),
      );
      if (gated) update();
    });
    observer.observe(document, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['data-category'],
    });
  }

  return { update, stop: () => observer?.disconnect() };
}
