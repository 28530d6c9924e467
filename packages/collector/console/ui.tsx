import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** A page's heading; it takes the focus when the page opens, so a screen reader announces where it is. */
export function Heading({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}

export function Alert({
  kind = 'error',
  children,
}: {
  kind?: 'error' | 'success' | 'info';
  children: ComponentChildren;
}) {
  return (
    <p class={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}

/** A tag-like label for a category's state in a receipt. */
export function Categories({
  categories,
  allowed,
  refused,
}: {
  categories: Record<string, boolean>;
  allowed: string;
  refused: string;
}) {
  return (
    <ul class="chips">
      {Object.entries(categories)
        // Strictly necessary is always allowed: it goes first, the choices the visitor made after it.
        .sort(([a], [b]) => Number(b === 'necessary') - Number(a === 'necessary'))
        .map(([id, on]) => (
          <li key={id} class={on ? 'chip chip-on' : 'chip chip-off'}>
            <span class="chip-name">{id}</span> <span class="chip-state">{on ? allowed : refused}</span>
          </li>
        ))}
    </ul>
  );
}
