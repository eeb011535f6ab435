/**
 * A portfolio request: validation (SPEC §3) and valuation at the latest prices, in exact paise.
 * Pure: prices come in as arguments.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { MeasuresSource } from './market-history';
import { type Paise, sum, times, toPaise } from './money';
import { symbolSchema } from './ticks';

export const MAX_HOLDINGS = 100;
export const MAX_QUANTITY = 1_000_000_000;

export interface Holding {
  symbol: string;
  quantity: number;
}

const holdingSchema = z.object({
  symbol: symbolSchema,
  quantity: z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_QUANTITY, `must be at most ${MAX_QUANTITY}`),
});

const requestSchema = z.object({
  portfolio: z
    .array(holdingSchema, { error: 'must be an array of {symbol, quantity}' })
    .min(1, 'must hold at least 1 holding')
    .max(MAX_HOLDINGS, `must hold at most ${MAX_HOLDINGS} holdings`),
});

export interface FieldIssue {
  field: string;
  message: string;
}

export type ParsedPortfolio = { ok: true; holdings: Holding[] } | { ok: false; errors: FieldIssue[] };

/** `['portfolio', 3, 'quantity']` → `portfolio[3].quantity`. */
function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  }
  return out || 'body';
}

/**
 * Validate a parsed JSON body. Symbols are normalized; a symbol given twice is one holding
 * with the quantities summed, kept at the position of its first mention; the sum is held to
 * MAX_QUANTITY like a single row (a row that pushes it over is named).
 */
export function parsePortfolio(body: unknown): ParsedPortfolio {
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({ field: fieldPath(i.path), message: i.message })),
    };
  }
  const bySymbol = new Map<string, Holding>();
  const errors: FieldIssue[] = [];
  for (const [i, { symbol, quantity }] of parsed.data.portfolio.entries()) {
    const held = bySymbol.get(symbol);
    if (!held) bySymbol.set(symbol, { symbol, quantity });
    else if (held.quantity + quantity > MAX_QUANTITY) {
      // The cap holds for the holding, not per row: 100 rows of one symbol are one holding.
      errors.push({
        field: `portfolio[${i}].quantity`,
        message: `summed with the earlier rows of ${symbol}, must be at most ${MAX_QUANTITY}`,
      });
    } else held.quantity += quantity;
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, holdings: [...bySymbol.values()] };
}

/**
 * Fingerprint of a normalized request, stored with its Idempotency-Key: a retry must carry the
 * same holdings in the same order (order decides the order of the advice).
 */
export function requestHash(holdings: readonly Holding[]): string {
  const canonical = JSON.stringify(holdings.map((h) => [h.symbol, h.quantity]));
  return createHash('sha256').update(canonical).digest('hex');
}

/** A latest-price row as the valuation needs it; `price` is exact decimal text. */
export interface Quote {
  symbol: string;
  price: string;
  name: string | null;
  sector: string | null;
  change_1d_pct: number | null;
  change_7d_pct: number | null;
  volatility: number | null;
  ts: Date;
  /** Where each measure came from (SPEC §11); absent on quotes made before derivation. */
  measures_source?: MeasuresSource;
}

export interface Position {
  symbol: string;
  quantity: number;
  quote: Quote;
  pricePaise: Paise;
  valuePaise: Paise;
}

export interface Valuation {
  positions: Position[];
  totalPaise: Paise;
  unknownSymbols: string[];
  /** The oldest price time used (null when nothing is known). */
  pricesAsOf: Date | null;
}

/** Value the holdings at the quotes; holdings without a quote are listed as unknown. */
export function valuePortfolio(holdings: readonly Holding[], quotes: readonly Quote[]): Valuation {
  const bySymbol = new Map(quotes.map((q) => [q.symbol, q]));
  const positions: Position[] = [];
  const unknownSymbols: string[] = [];
  for (const { symbol, quantity } of holdings) {
    const quote = bySymbol.get(symbol);
    if (!quote) {
      unknownSymbols.push(symbol);
      continue;
    }
    const pricePaise = toPaise(quote.price);
    positions.push({ symbol, quantity, quote, pricePaise, valuePaise: times(pricePaise, quantity) });
  }
  const pricesAsOf = positions.reduce<Date | null>(
    (oldest, p) => (oldest === null || p.quote.ts < oldest ? p.quote.ts : oldest),
    null,
  );
  return { positions, totalPaise: sum(positions.map((p) => p.valuePaise)), unknownSymbols, pricesAsOf };
}
