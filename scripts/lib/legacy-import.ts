/**
 * Import of the prototype's usage (issue 5): `{"portfolios_analyzed_total", "advice_generated_total"}`
 * becomes ledger rows of one legacy account, once.
 *
 * Decisions (docs/billing.md "Legacy import"):
 * - The usage lands on the account `legacy-prototype` (LEGACY_SUB), not on real users: the
 *   prototype did not know who its callers were.
 * - It is recorded as ONE synthetic analysis (rule_set `legacy-import`, no holdings, value 0;
 *   migrations/0003 allows exactly that) with one ledger row per feature, so usage_events keeps
 *   its foreign key to analyses and every ledger row names its origin.
 * - Unit price 0: the prototype billed through a mock, no money was ever owed. Nothing is queued
 *   for Flexprice either, so it cannot be billed there at Flexprice's prices.
 * - Idempotent: the synthetic analysis id is derived from the account, so a second run finds it
 *   and writes nothing; a second run with other counts is refused, also writing nothing.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Sql } from '../../functions/platform/db';

export const LEGACY_SUB = 'legacy-prototype';
export const LEGACY_RULE_SET = 'legacy-import';
/** usage_events.quantity is a PostgreSQL integer. */
const MAX_COUNT = 2_147_483_647;
/** The prototype's file is two numbers; anything much bigger is not it. */
const MAX_FILE_BYTES = 64 * 1024;

export class LegacyImportError extends Error {
  override name = 'LegacyImportError';
}

const count = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must not be negative' })
  .max(MAX_COUNT, { error: `must be at most ${MAX_COUNT}` });

const LegacyUsage = z.strictObject({ portfolios_analyzed_total: count, advice_generated_total: count });
export type LegacyUsage = z.infer<typeof LegacyUsage>;

/** Parse and validate the file's text; throws LegacyImportError naming every problem. */
export function parseLegacyUsage(text: string): LegacyUsage {
  if (Buffer.byteLength(text, 'utf8') > MAX_FILE_BYTES) {
    throw new LegacyImportError(`The file is larger than ${MAX_FILE_BYTES} bytes; expected two counts`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LegacyImportError(`The file is not valid JSON: ${(error as Error).message}`);
  }
  const result = LegacyUsage.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) =>
      i.code === 'unrecognized_keys'
        ? `unexpected field(s) ${i.keys.join(', ')}`
        : `${i.path.join('.') || '(file)'}: ${i.message}`,
    );
    throw new LegacyImportError(
      `Invalid legacy usage file (expected {"portfolios_analyzed_total": n, "advice_generated_total": n}): ${problems.join('; ')}`,
    );
  }
  return result.data;
}

/** A UUID derived from the account (SHA-256, version nibble 8): the same account, the same id. */
function legacyAnalysisId(sub: string): string {
  const h = createHash('sha256').update(`legacy-import:${sub}`).digest('hex');
  const variant = ((Number.parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export type ImportOutcome =
  | { kind: 'imported'; analysisId: string; sub: string; ledgerRows: number; usage: LegacyUsage; at: Date }
  | { kind: 'already-imported'; analysisId: string; sub: string; usage: LegacyUsage; at: Date };

/** Write the usage as ledger rows of `sub` in one transaction, or find it already there. */
export async function importLegacyUsage(
  sql: Sql,
  usage: LegacyUsage,
  options: { sub?: string; now?: Date } = {},
): Promise<ImportOutcome> {
  const sub = options.sub ?? LEGACY_SUB;
  const at = options.now ?? new Date();
  const id = legacyAnalysisId(sub);
  const hash = createHash('sha256').update(JSON.stringify(usage)).digest('hex');

  return sql.begin(async (tx) => {
    // Two imports at once: the second waits here, then finds the first one's analysis.
    await tx`SELECT pg_advisory_xact_lock(hashtext(${id}))`;
    const [prior]: [{ request_hash: string; created_at: Date }?] = await tx`
      SELECT request_hash, created_at FROM analyses WHERE id = ${id}`;
    if (prior) {
      if (prior.request_hash !== hash) {
        throw new LegacyImportError(
          `The legacy usage of ${sub} was already imported on ${prior.created_at.toISOString()} with other counts; nothing was written`,
        );
      }
      return { kind: 'already-imported', analysisId: id, sub, usage, at: prior.created_at } as const;
    }

    const charges = [
      { feature: 'portfolio_analysis', quantity: usage.portfolios_analyzed_total },
      { feature: 'advice_generation', quantity: usage.advice_generated_total },
    ].filter((c) => c.quantity > 0);

    await tx`INSERT INTO users (sub) VALUES (${sub}) ON CONFLICT (sub) DO NOTHING`;
    // The account's day counters (migrations/0012) move with its ledger rows, in this transaction.
    for (const c of charges) {
      await tx`
        INSERT INTO usage_daily AS d (user_sub, day, feature, unit_price_paise, quantity)
        VALUES (${sub}, (${at}::timestamptz AT TIME ZONE 'Asia/Kolkata')::date, ${c.feature}, 0, ${c.quantity})
        ON CONFLICT (user_sub, day, feature, unit_price_paise) DO UPDATE SET quantity = d.quantity + EXCLUDED.quantity`;
    }
    const [totals]: [{ portfolios_analyzed: string; advice_generated: string }?] = await tx`
      SELECT coalesce(sum(quantity) FILTER (WHERE feature = 'portfolio_analysis'), 0)::text AS portfolios_analyzed,
             coalesce(sum(quantity) FILTER (WHERE feature = 'advice_generation'), 0)::text AS advice_generated
      FROM usage_daily WHERE user_sub = ${sub}`;
    const response = { legacy_import: { source: 'prototype usage.json', ...usage } };
    await tx`
      INSERT INTO analyses (id, user_sub, idempotency_key, request_hash, rule_set, portfolio, advice_count,
                            portfolio_value_paise, charged_paise, response,
                            portfolios_analyzed_total, advice_generated_total, created_at)
      VALUES (${id}, ${sub}, NULL, ${hash}, ${LEGACY_RULE_SET}, '[]'::jsonb, 0, 0, 0,
              ${JSON.stringify(response)}::text::json,
              ${totals?.portfolios_analyzed ?? '0'}::bigint, ${totals?.advice_generated ?? '0'}::bigint, ${at})`;
    for (const c of charges) {
      // Unit price 0, and no billing_outbox row: legacy usage is counted, never billed.
      await tx`
        INSERT INTO usage_events (analysis_id, feature, user_sub, quantity, unit_price_paise, occurred_at)
        VALUES (${id}, ${c.feature}, ${sub}, ${c.quantity}, 0, ${at})`;
    }
    return { kind: 'imported', analysisId: id, sub, ledgerRows: charges.length, usage, at } as const;
  });
}
