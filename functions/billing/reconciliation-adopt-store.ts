/**
 * Adoption in SQL (migrations/0011): what our ledger already knows of a day's provider events,
 * and one placeholder analysis written with its ledger rows, outbox rows and the user's totals.
 *
 * A placeholder is an analysis restored from billing records: rule set 'restored', no holdings,
 * no advice, JSON null as its answer, the provider's customer, timestamp, quantities and unit
 * prices, and the Idempotency-Key's hash when the events carried one. Its outbox rows are
 * `sent` (Flexprice holds them: that is where they came from). Each placeholder is one
 * transaction; every insert skips what exists, so adopting again adds nothing.
 */
import type { Adoption } from '../core/reconciliation';
import type { Sql } from '../platform/db';

/** The rule set of a placeholder (the schema's check, migrations/0011). */
const RESTORED_RULE_SET = 'restored';

/** Of these event ids, the ones our ledger has; of these analyses, the ones we hold that are not placeholders. */
export async function knownToLedger(
  sql: Sql,
  eventIds: readonly string[],
  analysisIds: readonly string[],
): Promise<{ known: Set<string>; live: Set<string> }> {
  if (eventIds.length === 0) return { known: new Set(), live: new Set() };
  const known = await sql<{ event_id: string }[]>`
    SELECT e.analysis_id::text || ':' || e.feature AS event_id FROM usage_events e
    WHERE e.analysis_id = ANY(${analysisIds as string[]}::uuid[])`;
  const live = await sql<{ id: string }[]>`
    SELECT id::text AS id FROM analyses
    WHERE id = ANY(${analysisIds as string[]}::uuid[]) AND restored_at IS NULL`;
  return { known: new Set(known.map((r) => r.event_id)), live: new Set(live.map((r) => r.id)) };
}

/** Write one placeholder and its events; the number of ledger rows it added (0 when all existed). */
export async function adoptAnalysis(sql: Sql, a: Adoption, now: Date): Promise<number> {
  const events = JSON.stringify(
    a.events.map((e) => ({ feature: e.feature, quantity: e.quantity, unit_price_paise: e.unitPricePaise })),
  );
  return sql.begin(async (tx) => {
    await tx`INSERT INTO users (sub, created_at) VALUES (${a.customer}, ${a.timestamp}) ON CONFLICT (sub) DO NOTHING`;
    // Totals columns are filled below, once the ledger rows are in.
    await tx`
      INSERT INTO analyses (id, user_sub, idempotency_key, idempotency_key_sha256, request_hash, rule_set,
                            portfolio, advice_count, portfolio_value_paise, charged_paise, response,
                            portfolios_analyzed_total, advice_generated_total, created_at, restored_at)
      VALUES (${a.analysisId}::uuid, ${a.customer}, NULL, ${a.idempotencyKeySha256}, ${'0'.repeat(64)},
              ${RESTORED_RULE_SET}, '[]'::jsonb, 0, 0, 0, 'null'::json, 0, 0, ${a.timestamp}, ${now})
      -- Any conflict: the id exists, or (analyses_idempotency_sha256) the user already retried
      -- the key after the restore and was answered anew; then nothing is adopted and the
      -- events stay reported as unknown (docs/operations.md: adopt before reopening traffic).
      ON CONFLICT DO NOTHING`;
    const added = await tx<{ feature: string; quantity: number; unit_price_paise: string; day: string }[]>`
      INSERT INTO usage_events (analysis_id, feature, user_sub, quantity, unit_price_paise, occurred_at)
      SELECT a.id, e.feature, a.user_sub, e.quantity, e.unit_price_paise, a.created_at
      FROM analyses a
      CROSS JOIN jsonb_to_recordset(${events}::text::jsonb) AS e(feature text, quantity integer, unit_price_paise bigint)
      WHERE a.id = ${a.analysisId}::uuid AND a.restored_at IS NOT NULL
      ON CONFLICT (analysis_id, feature) DO NOTHING
      RETURNING feature, quantity, unit_price_paise::text AS unit_price_paise,
                (occurred_at AT TIME ZONE 'Asia/Kolkata')::date::text AS day`;
    if (added.length === 0) return 0;
    // The outbox row names its ledger row (migrations/0012); already sent: Flexprice has it.
    await tx`
      INSERT INTO billing_outbox (analysis_id, feature, status, next_attempt_at, sent_at)
      SELECT ${a.analysisId}::uuid, f, 'sent', ${a.timestamp}, ${now}
      FROM unnest(${added.map((r) => r.feature)}::text[]) AS f
      ON CONFLICT (analysis_id, feature) DO NOTHING`;
    await tx`INSERT INTO billing_customers (user_sub, synced_at) VALUES (${a.customer}, ${now}) ON CONFLICT DO NOTHING`;
    const paise = added.reduce((n, r) => n + BigInt(r.quantity) * BigInt(r.unit_price_paise), 0n);
    // The customer's day counters move with the ledger rows (migrations/0012), then the
    // placeholder's usage snapshot is the customer's all-time totals.
    await tx`
      INSERT INTO usage_daily AS d (user_sub, day, feature, unit_price_paise, quantity)
      SELECT ${a.customer}, r.day::date, r.feature, r.unit_price_paise::bigint, r.quantity
      FROM jsonb_to_recordset(${JSON.stringify(added)}::text::jsonb)
        AS r(day text, feature text, unit_price_paise text, quantity integer)
      ON CONFLICT (user_sub, day, feature, unit_price_paise) DO UPDATE SET quantity = d.quantity + EXCLUDED.quantity`;
    const [totals] = await tx<{ portfolios_analyzed: string; advice_generated: string }[]>`
      SELECT coalesce(sum(quantity) FILTER (WHERE feature = 'portfolio_analysis'), 0)::text AS portfolios_analyzed,
             coalesce(sum(quantity) FILTER (WHERE feature = 'advice_generation'), 0)::text AS advice_generated
      FROM usage_daily WHERE user_sub = ${a.customer}`;
    await tx`
      UPDATE analyses SET charged_paise = charged_paise + ${paise.toString()}::bigint,
        portfolios_analyzed_total = ${totals?.portfolios_analyzed ?? '0'}::bigint,
        advice_generated_total = ${totals?.advice_generated ?? '0'}::bigint
      WHERE id = ${a.analysisId}::uuid`;
    return added.length;
  });
}
