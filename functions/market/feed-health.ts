/**
 * Feed health (SPEC §11): NSE's holiday calendar as loaded from data/nse-holidays.json, and the
 * one statement `/health` runs for prices: how many symbols, the newest tick, how many are
 * stale, and which have an unexplained gap in their recent daily bars.
 */
import { z } from 'zod';
import holidayFile from '../../data/nse-holidays.json' with { type: 'json' };
import { istDate } from '../core/ist';
import { GAP_THRESHOLD } from '../core/market-history';
import type { HolidayCalendar } from '../core/trading-hours';
import type { Sql } from '../platform/db';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const fileSchema = z.object({
  years: z.record(z.string().regex(/^\d{4}$/), z.array(z.object({ date: isoDate, name: z.string().min(1) }))),
});

/**
 * The calendar from a holiday file, checked: every date in its own year and a weekday (a
 * weekend "holiday" in the list would be a copying mistake worth stopping for).
 */
export function parseHolidayCalendar(file: unknown): HolidayCalendar {
  const { years } = fileSchema.parse(file);
  const out: Record<string, string[]> = {};
  for (const [year, days] of Object.entries(years)) {
    for (const { date } of days) {
      const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
      if (!date.startsWith(`${year}-`) || Number.isNaN(weekday) || weekday === 0 || weekday === 6) {
        throw new Error(`nse-holidays.json: ${date} under ${year} is not a weekday of that year`);
      }
    }
    out[year] = days.map((d) => d.date);
  }
  return { years: out };
}

/** NSE's trading holidays as committed (data/nse-holidays.json), parsed once per container. */
export const NSE_CALENDAR: HolidayCalendar = parseHolidayCalendar(holidayFile);

/**
 * How far back `/health` looks for gaps. The measures span at most 21 sessions (20 returns) and
 * 7 calendar days; 60 calendar days covers that with room for holidays and thin trading, and
 * keeps the scan to a few dozen rows per symbol.
 */
const HISTORY_GAP_WINDOW_DAYS = 60;
/** At most this many gap symbols are listed (sorted); a longer list is an incident anyway. */
const HISTORY_GAPS_LISTED = 100;

export interface PriceHealth {
  count: number;
  newestTs: Date | null;
  /** Symbols whose last tick is before the cutoff; 0 without one. */
  stale: number;
  /** Symbols with an unexplained > 40 % move between consecutive recent sessions. */
  historyGaps: string[];
}

/*
 * One statement, one round trip. Gaps are looked for per symbol that has a latest price (the
 * symbols analyses can value), each through the (symbol, session) primary key: a few dozen
 * index rows per symbol, no new index on the consumer's write path. A move is explained when
 * a split or bonus of the symbol has its ex-date in (previous session, session].
 */
export const PRICE_HEALTH = `
SELECT count(*)::int AS count,
       max(ts) AS newest,
       count(*) FILTER (WHERE ts < $1::timestamptz)::int AS stale,
       ARRAY(
         SELECT g.symbol
         FROM latest_prices lp
         CROSS JOIN LATERAL (
           SELECT b.symbol, b.session, b.close,
                  lag(b.close) OVER w AS prev_close, lag(b.session) OVER w AS prev_session
           FROM daily_bars b
           WHERE b.symbol = lp.symbol AND b.session >= $2::date
           WINDOW w AS (ORDER BY b.session)
         ) g
         WHERE g.prev_close IS NOT NULL
           AND abs(g.close / g.prev_close - 1) > $3::numeric
           AND NOT EXISTS (
             SELECT 1 FROM corporate_actions ca
             WHERE ca.symbol = g.symbol AND ca.ex_date > g.prev_session AND ca.ex_date <= g.session)
         GROUP BY g.symbol
         ORDER BY g.symbol COLLATE "C"
         LIMIT ${HISTORY_GAPS_LISTED}
       ) AS gaps
FROM latest_prices`;

/** The first session date `/health` examines for gaps at `now`. */
export function gapWindowStart(now: Date): string {
  const today = new Date(`${istDate(now)}T00:00:00Z`);
  return new Date(today.getTime() - HISTORY_GAP_WINDOW_DAYS * 86_400_000).toISOString().slice(0, 10);
}

/** Price counts, staleness before `staleBefore` (null: none stale) and recent history gaps. */
export async function priceHealth(sql: Sql, now: Date, staleBefore: Date | null): Promise<PriceHealth> {
  const [row] = await sql.unsafe<[{ count: number; newest: Date | null; stale: number; gaps: string[] }]>(
    PRICE_HEALTH,
    [staleBefore?.toISOString() ?? null, gapWindowStart(now), GAP_THRESHOLD],
  );
  return {
    count: row?.count ?? 0,
    newestTs: row?.newest ?? null,
    stale: row?.stale ?? 0,
    historyGaps: row?.gaps ?? [],
  };
}
