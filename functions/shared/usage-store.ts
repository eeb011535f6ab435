/**
 * Reads of the metering ledger for GET /api/usage and GET /api/billing. Each query is served
 * by an index of migrations/0002 (index-only scans once the table is vacuumed); EXPLAIN output
 * at 1,000,000 events is printed by `npm run bench`.
 */
import type { UsageTotals } from '../core/analysis';
import type { Feature, LedgerGroup } from '../core/pricing';
import { db, type Sql } from './db';

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
      const [row]: [TotalsRow?] = await sql`
        SELECT coalesce(sum(portfolios_analyzed), 0)::text AS portfolios,
               coalesce(sum(advice_generated), 0)::text AS advice
        FROM usage_totals
        ${userSub === null ? sql`` : sql`WHERE user_sub = ${userSub}`}`;
      return toTotals(row);
    },

    async inWindow(userSub, window) {
      // Open ends become ±infinity so the plan is always one index range scan. Sent as text:
      // postgres.js would run a timestamptz parameter through Date, which has no infinity.
      const from = window.from?.toISOString() ?? '-infinity';
      const to = window.to?.toISOString() ?? 'infinity';
      const [row]: [TotalsRow?] = await sql`
        SELECT coalesce(sum(quantity) FILTER (WHERE feature = 'portfolio_analysis'), 0)::text AS portfolios,
               coalesce(sum(quantity) FILTER (WHERE feature = 'advice_generation'), 0)::text AS advice
        FROM usage_events
        WHERE ${userSub === null ? sql`` : sql`user_sub = ${userSub} AND`}
              occurred_at >= ${from}::text::timestamptz AND occurred_at < ${to}::text::timestamptz`;
      return toTotals(row);
    },

    async periodGroups(userSub, periodFirstDay) {
      const rows = await sql<{ feature: Feature; unit_price_paise: string; quantity: string }[]>`
        SELECT feature, unit_price_paise, sum(quantity)::text AS quantity
        FROM usage_events
        WHERE user_sub = ${userSub} AND billing_period = ${periodFirstDay}::date
        GROUP BY feature, unit_price_paise`;
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
