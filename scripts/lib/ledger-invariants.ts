/**
 * The ledger's invariants as queries, for `npm run check-ledger` and the chaos tests: each
 * query returns the rows that break its rule (at most LIMIT), so an empty result is a pass.
 *
 * What they hold (migrations/0002–0004, 0012, docs/metering.md): every analysis carries its usage
 * events (price snapshot included) and every billable event its outbox row; the per-user day
 * counters (usage_daily) are the sums of the ledger by IST day, feature and unit price, row for
 * row; an Idempotency-Key is charged once;
 * an invoice's usage lines are its month's usage events. The legacy import (one synthetic
 * analysis carrying many portfolios, unit price 0, never sent to Flexprice) is the one
 * documented exception, named in the rules it would otherwise break. A deleted or pruned
 * analysis (migrations/0009, docs/retention.md) keeps its charge, advice count, events, outbox
 * rows and counters, so every rule holds for it too.
 */
import type { Sql } from '../../functions/platform/db';
import { LEGACY_RULE_SET } from './legacy-import';

const LIMIT = 20;

export interface Invariant {
  name: string;
  /** A SELECT returning one row per violation; `$1`, if used, is the legacy rule set. */
  query: string;
}

export const INVARIANTS: readonly Invariant[] = [
  {
    name: 'an analysis has exactly one portfolio_analysis event of quantity 1 (legacy: any quantity)',
    query: `SELECT a.id, a.user_sub, count(e.*) AS events, sum(e.quantity) AS quantity
            FROM analyses a
            LEFT JOIN usage_events e ON e.analysis_id = a.id AND e.feature = 'portfolio_analysis'
            GROUP BY a.id
            HAVING count(e.*) <> 1 OR (a.rule_set <> $1 AND sum(e.quantity) <> 1)`,
  },
  {
    name: 'the advice_generation event counts the advice items of its analysis',
    query: `SELECT a.id, a.user_sub, a.advice_count, e.quantity
            FROM analyses a
            LEFT JOIN usage_events e ON e.analysis_id = a.id AND e.feature = 'advice_generation'
            -- A placeholder restored from billing records (migrations/0011) has no advice kept.
            WHERE a.rule_set NOT IN ($1, 'restored') AND coalesce(e.quantity, 0) <> a.advice_count`,
  },
  {
    name: "an analysis's charge is the sum of its events at their snapshotted unit prices",
    query: `SELECT a.id, a.user_sub, a.charged_paise, sum(e.quantity * e.unit_price_paise) AS events_paise
            FROM analyses a JOIN usage_events e ON e.analysis_id = a.id
            GROUP BY a.id
            HAVING a.charged_paise <> sum(e.quantity * e.unit_price_paise)`,
  },
  {
    // No foreign key since migrations/0013: the analyze statement writes both.
    name: 'every usage event has its analysis',
    query: `SELECT e.analysis_id, e.feature, e.user_sub FROM usage_events e
            WHERE NOT EXISTS (SELECT 1 FROM analyses a WHERE a.id = e.analysis_id)`,
  },
  {
    name: 'a usage event belongs to the user and the time of its analysis',
    query: `SELECT e.analysis_id, e.feature, e.user_sub, a.user_sub AS analysis_user
            FROM usage_events e JOIN analyses a ON a.id = e.analysis_id
            WHERE e.user_sub <> a.user_sub OR e.occurred_at <> a.created_at`,
  },
  {
    // The outbox row holds no figures (migrations/0012): the sync reads them from this event.
    name: 'every billable usage event has its outbox row',
    query: `SELECT e.analysis_id, e.feature, e.user_sub
            FROM usage_events e JOIN analyses a ON a.id = e.analysis_id
            LEFT JOIN billing_outbox o ON o.analysis_id = e.analysis_id AND o.feature = e.feature
            WHERE a.rule_set <> $1 AND o.analysis_id IS NULL`,
  },
  {
    name: 'every outbox row is a usage event',
    query: `SELECT o.analysis_id, o.feature FROM billing_outbox o
            WHERE NOT EXISTS (SELECT 1 FROM usage_events e
                              WHERE e.analysis_id = o.analysis_id AND e.feature = o.feature)`,
  },
  {
    name: "every analysis's rule settings document exists",
    query: `SELECT a.id, a.rule_settings_id FROM analyses a
            WHERE a.rule_settings_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM rule_settings_used r WHERE r.id = a.rule_settings_id)`,
  },
  {
    name: 'the legacy import is never sent to the billing provider',
    query: `SELECT o.analysis_id, o.feature FROM billing_outbox o JOIN analyses a ON a.id = o.analysis_id
            WHERE a.rule_set = $1`,
  },
  {
    name: 'an Idempotency-Key is charged once per user',
    query: `SELECT user_sub, idempotency_key, count(*) AS analyses FROM analyses
            WHERE idempotency_key IS NOT NULL
            GROUP BY user_sub, idempotency_key HAVING count(*) > 1`,
  },
  {
    name: "a user's day counters are the sums of their ledger by IST day, feature and unit price",
    query: `WITH ledger AS (
              SELECT user_sub, (occurred_at AT TIME ZONE 'Asia/Kolkata')::date AS day, feature,
                     unit_price_paise, sum(quantity) AS quantity
              FROM usage_events GROUP BY 1, 2, 3, 4)
            SELECT coalesce(l.user_sub, d.user_sub) AS user_sub, coalesce(l.day, d.day) AS day,
                   coalesce(l.feature, d.feature) AS feature,
                   coalesce(l.unit_price_paise, d.unit_price_paise) AS unit_price_paise,
                   l.quantity AS ledger, d.quantity AS counter
            FROM ledger l
            FULL JOIN usage_daily d USING (user_sub, day, feature, unit_price_paise)
            WHERE l.quantity IS DISTINCT FROM d.quantity`,
  },
  {
    name: "an invoice's usage lines are its month's usage events, and its subtotal their sum",
    query: `WITH billed AS (
              SELECT i.id, i.number, i.subtotal_paise,
                     (SELECT coalesce(sum(l.amount_paise), 0) FROM invoice_lines l
                      WHERE l.invoice_id = i.id AND l.kind = 'usage') AS lines_paise,
                     (SELECT coalesce(sum(e.quantity * e.unit_price_paise), 0) FROM usage_events e
                      WHERE e.user_sub = i.user_sub
                        AND e.occurred_at >= i.period::timestamp AT TIME ZONE 'Asia/Kolkata'
                        AND e.occurred_at < (i.period + interval '1 month')::timestamp AT TIME ZONE 'Asia/Kolkata'
                     ) AS events_paise
              FROM invoices i)
            SELECT * FROM billed WHERE subtotal_paise <> lines_paise OR lines_paise <> events_paise`,
  },
];

export interface Violation {
  invariant: string;
  rows: Record<string, unknown>[];
}

/** Run every invariant against `sql`; the broken ones, each with up to LIMIT example rows. */
export async function checkLedger(sql: Sql): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const inv of INVARIANTS) {
    const params = inv.query.includes('$1') ? [LEGACY_RULE_SET] : [];
    const rows = await sql.unsafe<Record<string, unknown>[]>(`${inv.query} LIMIT ${LIMIT}`, params);
    if (rows.length) violations.push({ invariant: inv.name, rows: [...rows] });
  }
  return violations;
}
