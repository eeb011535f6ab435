/**
 * Isolating text the server got from elsewhere (stock names and sectors from the price feed,
 * key names users typed): a right-to-left override inside such a name must not reorder the
 * text around it. <bdi> isolates its content (Unicode bidi isolation), and an override ends
 * with the isolate.
 */
import type { ReactNode } from 'react';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` with every occurrence of one of `names` in a <bdi> of its own. */
export function isolateNames(text: string, names: readonly string[]): ReactNode {
  const found = [...new Set(names)].filter((n) => n && text.includes(n)).sort((a, b) => b.length - a.length);
  if (found.length === 0) return text;
  // With a capturing group, split keeps the matches: every odd part is one of the names.
  const parts = text.split(new RegExp(`(${found.map(escapeRegExp).join('|')})`));
  // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed string, never reordered
  return parts.map((part, i) => (i % 2 === 1 ? <bdi key={i}>{part}</bdi> : part));
}
