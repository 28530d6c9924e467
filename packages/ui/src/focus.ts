const FOCUSABLE = 'a[href],button,input:not([disabled])';

/** `document.activeElement` stops at a shadow host; this follows it into open shadow roots. */
export function deepActiveElement(doc: Document): HTMLElement | null {
  let active = doc.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active as HTMLElement | null;
}

/** Keeps Tab and Shift+Tab cycling inside a modal `container`. */
export function trapTab(event: KeyboardEvent, container: HTMLElement): void {
  const items = Array.from(container.querySelectorAll<HTMLElement>(FOCUSABLE));
  const first = items[0];
  const last = items[items.length - 1];
  const active = (container.getRootNode() as Document | ShadowRoot).activeElement;
  // The container itself holds focus after a click on its text, so Shift+Tab from it wraps too.
  if (event.shiftKey ? active === first || active === container : active === last) {
    event.preventDefault();
    (event.shiftKey ? last : first)?.focus();
  }
}

/** The first control of `container`, where focus goes when it opens. */
export const firstFocusable = (container: HTMLElement): HTMLElement | null =>
  container.querySelector<HTMLElement>(FOCUSABLE);
