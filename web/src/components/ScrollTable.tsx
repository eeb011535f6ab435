import type { ReactNode } from 'react';

/**
 * A wide table scrolls inside its own box, so the page never scrolls sideways on a phone.
 * The box is a named region and focusable, so keyboard users can scroll it too (axe rule
 * scrollable-region-focusable).
 */
export function ScrollTable({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable box must take focus to be scrolled by keyboard
    <section className="table-scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
