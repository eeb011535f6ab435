/**
 * Reads of market history (SPEC §11): the latest prices with their derived measures (GET
 * /api/market) and a symbol's adjusted daily bars (GET /api/market/{symbol}/history). Each is one
 * query; the arithmetic is in core/market-history.ts. The consumer and the importers write the
 * bars and actions (migrations/0007).
 */
import type { CloseHistory, MeasureField, MeasuresSource, RawBar } from '../core/market-history';
import { MEASURE_SESSIONS, measuresFor } from '../core/market-history';
import { db, type Sql } from '../platform/db';

/**
 * SQL: the current session of the latest price `lp` (the IST calendar date of its ts), as a
 * lateral subquery yielding `session`. Bars of later sessions are never read.
 */
export const CURRENT_SESSION = `SELECT (lp.ts AT TIME ZONE 'Asia/Kolkata')::date AS session`;

/**
 * SQL: a JSON array of three booleans, whether the tick that set `lp.price` carried
 * change_1d_pct, change_7d_pct and volatility (the field's version is the price's). A value with
 * no version was written outside the consumer (a fixture) and counts as sent with the price.
 */
export const FEED_CURRENT = `json_build_array(
  coalesce(lp.change_1d_pct_v, lp.price_v) = lp.price_v,
  coalesce(lp.change_7d_pct_v, lp.price_v) = lp.price_v,
  coalesce(lp.volatility_v, lp.price_v) = lp.price_v)`;

/** A row of GET /api/market: the latest price, the measures as shown, and where each came from. */
export interface MarketRow {
  symbol: string;
  price: number;
  name: string | null;
  sector: string | null;
  change_1d_pct: number | null;
  change_7d_pct: number | null;
  volatility: number | null;
  market_cap_cr: number | null;
  volume: number | null;
  ts: string;
  measures_source: MeasuresSource;
}

/** A symbol's history as served: raw bars in range, and the actions in effect today. */
export interface SymbolHistory {
  bars: RawBar[];
  actions: { exDate: string; factorNum: number; factorDen: number }[];
}

export interface HistoryStore {
  /** Latest rows sorted by symbol (all, or only `symbols`); `derive` false reads no history. */
  marketRows(symbols: string[] | undefined, derive: boolean): Promise<MarketRow[]>;
  /**
   * The bars of `symbol` with session in (today − days, today], ascending, and its actions with
   * ex-date on or before today; null when the symbol has neither a price nor a bar.
   */
  history(symbol: string, today: string, days: number): Promise<SymbolHistory | null>;
}

interface DbMarketRow {
  symbol: string;
  price: string;
  name: string | null;
  sector: string | null;
  change_1d_pct: number | null;
  change_7d_pct: number | null;
  volatility: number | null;
  market_cap_cr: number | null;
  volume: string | null;
  ts: Date;
  session: string;
  now: [boolean, boolean, boolean];
  h: [string[], number[]] | null;
  a: [string, number, number][] | null;
}

const toActions = (a: [string, number, number][] | null) =>
  (a ?? []).map(([exDate, factorNum, factorDen]) => ({ exDate, factorNum, factorDen }));

function toMarketRow(r: DbMarketRow, derive: boolean): MarketRow {
  const history: CloseHistory | null = derive
    ? { sessions: r.h?.[0] ?? [], closes: r.h?.[1] ?? [], actions: toActions(r.a) }
    : null;
  const feed = (field: MeasureField, i: number) => ({ value: r[field], current: r.now[i] as boolean });
  const { shown } = measuresFor({
    symbol: r.symbol,
    price: Number(r.price),
    session: r.session,
    feed: {
      change_1d_pct: feed('change_1d_pct', 0),
      change_7d_pct: feed('change_7d_pct', 1),
      volatility: feed('volatility', 2),
    },
    history,
  });
  return {
    symbol: r.symbol,
    price: Number(r.price),
    name: r.name,
    sector: r.sector,
    ...shown.values,
    market_cap_cr: r.market_cap_cr,
    volume: r.volume === null ? null : Number(r.volume),
    ts: r.ts.toISOString(),
    measures_source: shown.source,
  };
}

export function sqlHistoryStore(sql: Sql): HistoryStore {
  return {
    async marketRows(symbols, derive) {
      // The last MEASURE_SESSIONS bars of each symbol before its current session, newest first
      // from the primary key, then put in order: what every measure can need, and no more.
      const rows = await sql.unsafe<DbMarketRow[]>(
        `SELECT lp.symbol, lp.price::text AS price, lp.name, lp.sector, lp.change_1d_pct,
                lp.change_7d_pct, lp.volatility, lp.market_cap_cr, lp.volume::text AS volume, lp.ts,
                cur.session::text AS session, ${FEED_CURRENT} AS now,
                (SELECT json_build_array(json_agg(b.session ORDER BY b.session), json_agg(b.close ORDER BY b.session))
                 FROM (SELECT session, close FROM daily_bars
                       WHERE $2::boolean AND symbol = lp.symbol AND session < cur.session
                       ORDER BY session DESC LIMIT ${MEASURE_SESSIONS}) b
                 HAVING count(*) > 0) AS h,
                (SELECT json_agg(json_build_array(ca.ex_date, ca.factor_num, ca.factor_den))
                 FROM corporate_actions ca
                 WHERE $2::boolean AND ca.symbol = lp.symbol AND ca.ex_date <= cur.session) AS a
         FROM latest_prices lp CROSS JOIN LATERAL (${CURRENT_SESSION}) cur
         WHERE $1::text[] IS NULL OR lp.symbol = ANY($1::text[])
         ORDER BY lp.symbol COLLATE "C"`,
        [symbols ?? null, derive],
      );
      return rows.map((r) => toMarketRow(r, derive));
    },

    async history(symbol, today, days) {
      const [row]: [
        {
          known: boolean;
          bars: [string, number, number, number, number, number | null, boolean][];
          actions: [string, number, number][];
        }?,
      ] = await sql`
        SELECT EXISTS (SELECT 1 FROM latest_prices WHERE symbol = ${symbol})
                 OR EXISTS (SELECT 1 FROM daily_bars WHERE symbol = ${symbol}) AS known,
               (SELECT coalesce(json_agg(json_build_array(session, open, high, low, close, volume, official)
                                         ORDER BY session), '[]'::json)
                FROM daily_bars
                WHERE symbol = ${symbol} AND session > ${today}::date - ${days}::int
                  AND session <= ${today}::date) AS bars,
               (SELECT coalesce(json_agg(json_build_array(ex_date, factor_num, factor_den)), '[]'::json)
                FROM corporate_actions WHERE symbol = ${symbol} AND ex_date <= ${today}::date) AS actions`;
      if (!row?.known) return null;
      return {
        bars: row.bars.map(([session, open, high, low, close, volume, official]) => ({
          session,
          open,
          high,
          low,
          close,
          volume,
          official,
        })),
        actions: toActions(row.actions),
      };
    },
  };
}

/** The store on the container's database client. */
export async function defaultHistoryStore(): Promise<HistoryStore> {
  return sqlHistoryStore(await db());
}
