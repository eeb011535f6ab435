/**
 * Billed charges written straight into the ledger and the outbox, as the analyze statement
 * writes them (migrations/0002, 0003), at chosen instants and in bulk: the reconciliation tests
 * need IST day boundaries and thousands of events, which POST /api/analyze (always "now", one
 * request each) cannot give cheaply.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../../functions/platform/db';

export interface Charge {
  sub: string;
  at: Date;
  /** Advice items: a second event (`advice_generation`) when > 0. */
  advice: number;
}

export interface SeededEvent {
  eventId: string;
  sub: string;
  feature: 'portfolio_analysis' | 'advice_generation';
  quantity: number;
  at: Date;
}

/** Record `charges` as analyses with pending outbox rows; returns their events. */
export async function seedCharges(sql: Sql, charges: readonly Charge[]): Promise<SeededEvent[]> {
  const rows = charges.map((c) => ({ id: randomUUID(), ...c }));
  const analyses = rows.map((r) => ({
    id: r.id,
    sub: r.sub,
    at: r.at.toISOString(),
    advice: r.advice,
    charged: 500 + 200 * r.advice,
  }));
  await sql`
    INSERT INTO users (sub) SELECT DISTINCT sub FROM jsonb_to_recordset(${sql.json(analyses)}) AS a(sub text)
    ON CONFLICT (sub) DO NOTHING`;
  await sql`
    WITH a AS (
      SELECT * FROM jsonb_to_recordset(${sql.json(analyses)})
        AS a(id uuid, sub text, at timestamptz, advice int, charged bigint)
    ), ins AS (
      INSERT INTO analyses (id, user_sub, request_hash, rule_set, portfolio, advice_count, portfolio_value_paise,
                            charged_paise, response, portfolios_analyzed_total, advice_generated_total, created_at)
      SELECT id, sub, repeat('0', 64), 'v1', '[]', advice, 100000, charged, '{}', 1, advice, at FROM a
    ), ev AS (
      INSERT INTO usage_events (analysis_id, feature, user_sub, quantity, unit_price_paise, occurred_at)
      SELECT id, 'portfolio_analysis', sub, 1, 500, at FROM a
      UNION ALL SELECT id, 'advice_generation', sub, advice, 200, at FROM a WHERE advice > 0
      RETURNING analysis_id, feature, user_sub, quantity, unit_price_paise, occurred_at
    ), counted AS (
      -- The day counters the analyze statement keeps (migrations/0012), as it would.
      INSERT INTO usage_daily AS d (user_sub, day, feature, unit_price_paise, quantity)
      SELECT user_sub, (occurred_at AT TIME ZONE 'Asia/Kolkata')::date, feature, unit_price_paise, sum(quantity)
      FROM ev GROUP BY 1, 2, 3, 4
      ON CONFLICT (user_sub, day, feature, unit_price_paise) DO UPDATE SET quantity = d.quantity + EXCLUDED.quantity
    )
    INSERT INTO billing_outbox (analysis_id, feature, next_attempt_at)
    SELECT analysis_id, feature, occurred_at
    FROM ev`;
  return rows.flatMap((r) => [
    {
      eventId: `${r.id}:portfolio_analysis`,
      sub: r.sub,
      feature: 'portfolio_analysis',
      quantity: 1,
      at: r.at,
    },
    ...(r.advice > 0
      ? [
          {
            eventId: `${r.id}:advice_generation`,
            sub: r.sub,
            feature: 'advice_generation' as const,
            quantity: r.advice,
            at: r.at,
          },
        ]
      : []),
  ]) as SeededEvent[];
}
