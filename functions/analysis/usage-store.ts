/**
 * Reads of usage for GET /api/usage and GET /api/billing, from the per-user day counters
 * (usage_daily, migrations/0012: one row per user, IST day, feature and unit price, kept by the
 * analyze statement), never from the ledger itself: a user's period or window is a range scan of
 * at most a few hundred rows however many analyses it holds. The SQL is exported so
 * `npm run bench` can EXPLAIN and time exactly these statements.
 */
import type { UsageTotals } from '../core/analysis';
import type { Feature, LedgerGroup } from '../core/pricing';
import { db, type Sql } from '../platform/db';

/**
 * A half-open window [from, to) on IST day boundaries (the counters are per IST day); null means
 * unbounded on that side.
 */
export interface Window {
  from: Date | null;
  to: Date | null;
}

export interface UsageStore {
  /** All-time totals of one user (`userSub`) or of everyone (null). */
  allTime(userSub: string | null): Promise<UsageTotals>;
  /** Totals of the ledger events in a window, for one user or everyone. */
  inWindow(userSub: string | null, window: Window): Promise<UsageTotals>;
  /** One user's ledger for a billing period (its first day), grouped by feature and unit price. */
  periodGroups(userSub: string, periodFirstDay: string): Promise<LedgerGroup[]>;
}

const TOTALS = `
  SELECT coalesce(sum(quantity) FILTER (WHERE feature = 'portfolio_analysis'), 0)::text AS portfolios,
         coalesce(sum(quantity) FILTER (WHERE feature = 'advice_generation'), 0)::text AS advice
  FROM usage_daily`;

/** The IST day of a timestamp parameter sent as text (±infinity for open ends stay infinite). */
const day = (param: string) => `(${param}::text::timestamptz AT TIME ZONE 'Asia/Kolkata')::date`;

/**
 * The statements, by name. Timestamps are sent as text: open ends are ±infinity, which
 * postgres.js cannot put through a JS Date.
 */
export const USAGE_SQL = {
  userAllTime: `${TOTALS} WHERE user_sub = $1`,
  globalAllTime: TOTALS,
  userWindow: `${TOTALS}
  WHERE user_sub = $1 AND day >= ${day('$2')} AND day < ${day('$3')}`,
  globalWindow: `${TOTALS}
  WHERE day >= ${day('$1')} AND day < ${day('$2')}`,
  periodGroups: `
  SELECT feature, unit_price_paise::text AS unit_price_paise, sum(quantity)::text AS quantity
  FROM usage_daily
  WHERE user_sub = $1 AND day >= $2::date AND day < ($2::date + '1 month'::interval)::date
  GROUP BY feature, unit_price_paise`,
} as const;

interface TotalsRow {
  portfolios: string;
  advice: string;
}

const toTotals = (row: TotalsRow | undefined): UsageTotals => ({
  portfolios_analyzed_total: Number(row?.portfolios ?? 0),
  advice_generated_total: Number(row?.advice ?? 0),
});

export function sqlUsageStore(sql: Sql): UsageStore {
  return {
    async allTime(userSub) {
      const [row] = await (userSub === null
        ? sql.unsafe<TotalsRow[]>(USAGE_SQL.globalAllTime)
        : sql.unsafe<TotalsRow[]>(USAGE_SQL.userAllTime, [userSub]));
      return toTotals(row);
    },

    async inWindow(userSub, window) {
      const from = window.from?.toISOString() ?? '-infinity';
      const to = window.to?.toISOString() ?? 'infinity';
      const [row] = await (userSub === null
        ? sql.unsafe<TotalsRow[]>(USAGE_SQL.globalWindow, [from, to])
        : sql.unsafe<TotalsRow[]>(USAGE_SQL.userWindow, [userSub, from, to]));
      return toTotals(row);
    },

    async periodGroups(userSub, periodFirstDay) {
      const rows = await sql.unsafe<{ feature: Feature; unit_price_paise: string; quantity: string }[]>(
        USAGE_SQL.periodGroups,
        [userSub, periodFirstDay],
      );
      return rows.map((r) => ({
        feature: r.feature,
        unitPricePaise: BigInt(r.unit_price_paise),
        quantity: BigInt(r.quantity),
      }));
    },
  };
}

export async function defaultUsageStore(): Promise<UsageStore> {
  return sqlUsageStore(await db());
}
