/**
 * Reads of the metering ledger for GET /api/usage and GET /api/billing. Each query is served
 * by an index of migrations/0002 (index-only scans once the table is vacuumed); the SQL is
 * exported so `npm run bench` can EXPLAIN exactly these statements at 1,000,000 events.
 */
import type { UsageTotals } from '../core/analysis';
import type { Feature, LedgerGroup } from '../core/pricing';
import { db, type Sql } from '../platform/db';

/** A half-open window [from, to); null means unbounded on that side. */
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

const ALL_TIME_TOTALS = `
  SELECT coalesce(sum(portfolios_analyzed), 0)::text AS portfolios,
         coalesce(sum(advice_generated), 0)::text AS advice
  FROM usage_totals`;

const WINDOW_TOTALS = `
  SELECT coalesce(sum(quantity) FILTER (WHERE feature = 'portfolio_analysis'), 0)::text AS portfolios,
         coalesce(sum(quantity) FILTER (WHERE feature = 'advice_generation'), 0)::text AS advice
  FROM usage_events`;

/**
 * The statements, by name. Timestamps are sent as text (`$n::text::timestamptz`): open ends are
 * ±infinity, which postgres.js cannot put through a JS Date, and the plan stays one range scan.
 */
export const USAGE_SQL = {
  userAllTime: `${ALL_TIME_TOTALS} WHERE user_sub = $1`,
  globalAllTime: ALL_TIME_TOTALS,
  userWindow: `${WINDOW_TOTALS}
  WHERE user_sub = $1 AND occurred_at >= $2::text::timestamptz AND occurred_at < $3::text::timestamptz`,
  globalWindow: `${WINDOW_TOTALS}
  WHERE occurred_at >= $1::text::timestamptz AND occurred_at < $2::text::timestamptz`,
  periodGroups: `
  SELECT feature, unit_price_paise::text AS unit_price_paise, sum(quantity)::text AS quantity
  FROM usage_events
  WHERE user_sub = $1 AND billing_period = $2::date
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
