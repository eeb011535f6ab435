/**
 * The portfolio rules of SPEC §2/§3, checked in the browser before anything is sent (the API
 * checks them again): symbols as the API normalizes them, whole quantities 1 … 1,000,000,000,
 * 1 to 100 holdings.
 */
import type { DraftRow, PortfolioError } from './types';

export const SYMBOL = /^[A-Z0-9][A-Z0-9&_-]{0,19}$/;
export const MAX_QUANTITY = 1_000_000_000;
export const MAX_HOLDINGS = 100;

export const normalizeSymbol = (symbol: string) => symbol.trim().toUpperCase();

/** Why a symbol is not acceptable, or null. */
export function symbolProblem(raw: string): string | null {
  const symbol = normalizeSymbol(raw);
  if (!symbol) return 'Enter a stock symbol, like TCS';
  if (!SYMBOL.test(symbol))
    return 'Enter an NSE symbol of up to 20 letters, digits, &, _ or - (like M&M or BAJAJ-AUTO)';
  return null;
}

/** Why a quantity is not acceptable, or null. */
export function quantityProblem(raw: string): string | null {
  const text = raw.trim();
  if (!text) return 'Enter how many shares you hold';
  if (!/^\d+$/.test(text)) return 'Enter the quantity as a whole number, like 10';
  const n = Number(text);
  if (n < 1 || n > MAX_QUANTITY) return 'Enter a quantity from 1 to 1,000,000,000';
  return null;
}

/** Every problem in the draft, in reading order, named as the API names its fields. */
export function validateDraft(rows: DraftRow[]): PortfolioError[] {
  if (rows.length === 0) return [{ field: 'portfolio', message: 'Add at least one holding' }];
  const errors: PortfolioError[] = [];
  if (rows.length > MAX_HOLDINGS)
    errors.push({ field: 'portfolio', message: `A portfolio can have at most ${MAX_HOLDINGS} holdings` });
  rows.forEach((row, i) => {
    const s = symbolProblem(row.symbol);
    if (s) errors.push({ field: `portfolio[${i}].symbol`, message: s });
    const q = quantityProblem(row.quantity);
    if (q) errors.push({ field: `portfolio[${i}].quantity`, message: q });
  });
  return errors;
}

/** `portfolio[1].quantity` → { index: 1, name: 'quantity' }; anything else → null. */
export function parseField(field: string): { index: number; name: 'symbol' | 'quantity' } | null {
  const m = /^portfolio\[(\d+)\]\.(symbol|quantity)$/.exec(field);
  return m ? { index: Number(m[1]), name: m[2] as 'symbol' | 'quantity' } : null;
}
