/**
 * Who the soak's users are and what they ask for: the request mix by weight, the portfolios
 * (5 of the soak's symbols), and what each user remembers to read back or replay later.
 */
import { SOAK_SYMBOLS } from './ticks';

export const KEEP = 20; // per user: recent analysis ids and Idempotency-Keys to read back or replay

export interface SimUser {
  sub: string;
  token: string;
  apiKey?: string;
  analyses: string[];
  /** Idempotency-Key → the first answer's body, for replays that must return it exactly. */
  replays: Map<string, { body: string; answer: unknown }>;
}

export type Kind =
  | 'analyze'
  | 'analyze-key'
  | 'analyze-idem'
  | 'replay'
  | 'history'
  | 'analysis'
  | 'market'
  | 'usage'
  | 'billing';

/** The mix, by weight: mostly billed analyses, then the reads a user makes around them. */
const MIX: ReadonlyArray<[Kind, number]> = [
  ['analyze', 25],
  ['analyze-key', 15],
  ['analyze-idem', 10],
  ['replay', 10],
  ['history', 10],
  ['analysis', 5],
  ['market', 15],
  ['usage', 5],
  ['billing', 5],
];
const MIX_TOTAL = MIX.reduce((n, [, w]) => n + w, 0);

export function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)] as T;
}

export function pickKind(): Kind {
  let r = Math.random() * MIX_TOTAL;
  for (const [kind, weight] of MIX) {
    r -= weight;
    if (r < 0) return kind;
  }
  return 'market';
}

export function portfolioBody(): string {
  const start = Math.floor(Math.random() * (SOAK_SYMBOLS.length - 5));
  const holdings = SOAK_SYMBOLS.slice(start, start + 5).map((symbol, i) => ({ symbol, quantity: 5 + i * 3 }));
  return JSON.stringify({ portfolio: holdings });
}

export function remember<K, V>(map: Map<K, V>, key: K, value: V) {
  map.set(key, value);
  if (map.size > KEEP) map.delete(map.keys().next().value as K);
}
