const GATED = '[data-category]';
const SLEEPING_SCRIPT = 'script[type="text/plain"][data-category]';

export interface Gate {
  /** Activate every gated element whose categories are all allowed now. */
  update(): Promise<void>;
  stop(): void;
}

/** The categories an element waits for: `data-category="analytics functional"` needs both. */
export const categoriesOf = (element: Element): string[] =>
  (element.getAttribute('data-category') ?? '').split(/\s+/).filter(Boolean);

/**
 * Runs gated scripts and loads gated embeds once their categories are allowed.
 *
 * A sleeping `<script type="text/plain">` cannot be woken by changing its type:
 * the browser marks it "already started". So a fresh script replaces it, with every
 * attribute but `type` (and the `nonce`, which browsers hide from `getAttribute`).
 * External scripts load one after another so gated scripts keep document order.
 */
export function createGate(document: Document, allows: (categories: string[]) => boolean): Gate {
  const done = new WeakSet<Element>();
  let queue = Promise.resolve();
  let observer: MutationObserver | undefined;

  const ready = (element: Element) => {
    const categories = categoriesOf(element);
    return !done.has(element) && categories.length > 0 && allows(categories);
  };

  const run = (sleeping: HTMLScriptElement): Promise<void> => {
    const fresh = document.createElement('script');
    for (const { name, value } of Array.from(sleeping.attributes)) {
      if (name !== 'type' && name !== 'data-type') fresh.setAttribute(name, value);
    }
    const type = sleeping.getAttribute('data-type');
    if (type) fresh.type = type;
    if (sleeping.nonce) fresh.nonce = sleeping.nonce;
    fresh.text = sleeping.text;
    done.add(fresh);
    // Inserted scripts are async by default; an external one without `async` holds back the next.
    const waits = fresh.src && !sleeping.hasAttribute('async');
    const loaded = waits
      ? new Promise<void>((resolve) => {
          fresh.addEventListener('load', () => resolve());
          fresh.addEventListener('error', () => resolve());
        })
      : Promise.resolve();
    sleeping.replaceWith(fresh);
    return loaded;
  };

  const activate = async () => {
    for (const element of Array.from(document.querySelectorAll(GATED))) {
      if (!ready(element)) continue;
      done.add(element);
      if (element.matches(SLEEPING_SCRIPT)) await run(element as HTMLScriptElement);
      else if (element.hasAttribute('data-src'))
        element.setAttribute('src', element.getAttribute('data-src') as string);
    }
  };

  const update = () => {
    // A failing pass (a detached node, a throwing attribute) must not stop later ones or reach the page.
    queue = queue.then(activate).catch(() => {});
    return queue;
  };

  const MO = document.defaultView?.MutationObserver ?? globalThis.MutationObserver;
  if (MO) {
    observer = new MO((records) => {
      const added = records.some((r) =>
        Array.from(r.addedNodes).some(
          (n) => n.nodeType === 1 && ((n as Element).matches(GATED) || (n as Element).querySelector(GATED)),
        ),
      );
      if (added) update();
    });
    observer.observe(document, { childList: true, subtree: true });
  }

  return { update, stop: () => observer?.disconnect() };
}
