/** Market history fixtures written straight into the tables the consumer and importers own. */
import type { Sql } from '../../functions/platform/db';

/** Consecutive weekdays (NSE sessions) ending on `last`, oldest first. */
export function weekdays(last: string, count: number): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${last}T00:00:00Z`); out.length < count; t -= 86_400_000) {
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) out.unshift(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** Official bars (as a bhavcopy import writes them) of `symbol`: one per session, all prices the close. */
export async function insertBars(
  sql: Sql,
  symbol: string,
  bars: Array<{ session: string; close: number; volume?: number }>,
): Promise<void> {
  for (const b of bars) {
    await sql`
      INSERT INTO daily_bars (symbol, session, open, high, low, close, volume, official)
      VALUES (${symbol}, ${b.session}, ${b.close}, ${b.close}, ${b.close}, ${b.close}, ${b.volume ?? null}, true)
      ON CONFLICT (symbol, session) DO UPDATE SET open = EXCLUDED.open, high = EXCLUDED.high,
        low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume`;
  }
}

/** A latest price of `symbol` at `ts` with no measures: what a real feed's tick leaves. */
export async function insertPrice(
  sql: Sql,
  symbol: string,
  price: string,
  ts: string,
  sector = 'IT',
): Promise<void> {
  await sql`
    INSERT INTO latest_prices (symbol, price, ts, sequence_number, price_v, name, sector)
    VALUES (${symbol}, ${price}, ${ts}, '1', '1', ${symbol}, ${sector})
    ON CONFLICT (symbol) DO UPDATE SET price = EXCLUDED.price, ts = EXCLUDED.ts`;
}

/** A split or bonus, as the corporate-actions import writes it. */
export async function insertAction(
  sql: Sql,
  symbol: string,
  exDate: string,
  kind: 'split' | 'bonus',
  factor: [number, number],
  purpose: string,
): Promise<void> {
  await sql`
    INSERT INTO corporate_actions (symbol, ex_date, kind, factor_num, factor_den, purpose)
    VALUES (${symbol}, ${exDate}, ${kind}, ${factor[0]}, ${factor[1]}, ${purpose})
    ON CONFLICT DO NOTHING`;
}
