/**
 * A user's analysis history (GET /api/analyses, GET and DELETE /api/analyses/{id}). All are
 * served by indexes: the list by analyses_user_created (migrations/0009: live analyses only), a
 * keyset range scan newest first; one analysis by its primary key. Deleted analyses
 * (`deleted_at`, by the owner or the retention job) are invisible here. The SQL is exported so
 * `npm run bench` can EXPLAIN exactly these statements at 1,000,000 analyses.
 */
import type { AnalysisResponse } from '../core/analysis';
import type { Cursor } from '../core/history';
import { db, type Sql } from '../platform/db';
import { decodeHoldings, storedAnswer } from './stored-answer';

export interface HistoryRow {
  analysis_id: string;
  created_at: string;
  /** created_at to the microsecond, for the cursor. */
  cursor_t: string;
  portfolio_value_paise: string;
  holdings: Array<{ symbol: string; quantity: number }>;
  advice_count: number;
  charged_paise: string;
  /** A placeholder restored from billing records after a restore (migrations/0011). */
  restored: boolean;
}

/**
 * The holdings of a page's row. Bytes that do not inflate are a fault of that one row: the page
 * still lists it, without holdings, and the fault is logged with the id to find it by (GET
 * /api/analyses/{id} of it fails loudly).
 */
function holdingsOf(row: HistoryRow, answer: Buffer): HistoryRow['holdings'] {
  try {
    return decodeHoldings(answer);
  } catch (error) {
    console.error(
      JSON.stringify({
        level: 'ERROR',
        message: 'stored answer does not decode',
        analysisId: row.analysis_id,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    return [];
  }
}

/** A page's row as read: the holdings are in `answer` when `holdings` (the older column) is null. */
type PageRow = HistoryRow & { answer: Buffer | null };

const SELECT_PAGE = `
  SELECT id AS analysis_id,
         to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
         to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_t,
         portfolio_value_paise::text AS portfolio_value_paise, portfolio AS holdings, answer,
         advice_count, charged_paise::text AS charged_paise,
         restored_at IS NOT NULL AS restored
  FROM analyses`;

// ORDER BY names the table's columns (`analyses.created_at`): unqualified, `created_at` would be
// the formatted output column, sorted as text, and the index could not deliver the order.
const NEWEST_FIRST = 'ORDER BY analyses.created_at DESC, analyses.id DESC LIMIT $2';

export const HISTORY_SQL = {
  /** $1 user, $2 limit. */
  firstPage: `${SELECT_PAGE}
  WHERE user_sub = $1 AND deleted_at IS NULL
  ${NEWEST_FIRST}`,
  /**
   * $1 user, $2 limit, ($3, $4) the cursor: strictly older rows. The time goes as text: typed as
   * timestamptz, postgres.js would pass it through a JS Date and drop the microseconds.
   */
  nextPage: `${SELECT_PAGE}
  WHERE user_sub = $1 AND deleted_at IS NULL AND (created_at, id) < ($3::text::timestamptz, $4::uuid)
  ${NEWEST_FIRST}`,
  /** $1 id, $2 user: the stored answer, for its owner only. */
  one: `
  SELECT id, answer, response, portfolios_analyzed_total::text AS portfolios_analyzed_total,
         advice_generated_total::text AS advice_generated_total
  FROM analyses WHERE id = $1::uuid AND user_sub = $2 AND deleted_at IS NULL`,
} as const;

/**
 * Clears an analysis's stored content and marks it deleted (the CHECK of migrations/0009 wants
 * both at once). Shared by DELETE /api/analyses/{id} and the retention job, so both erase the
 * same columns. The ledger (usage_events, billing_outbox, usage_daily, invoices) and the advice
 * count (what was charged) are not touched.
 */
export const eraseContent = (deletedAt: string) => `deleted_at = ${deletedAt}, request_hash = NULL,
  portfolio = NULL, portfolio_value_paise = NULL, response = NULL, answer = NULL, rule_settings_id = NULL`;

export interface HistoryStore {
  /** Up to `limit` analyses of the user, newest first, older than `after` when given. */
  page(userSub: string, limit: number, after: Cursor | null): Promise<HistoryRow[]>;
  /** The response as first returned (body and usage), or null when not the user's. */
  one(userSub: string, id: string): Promise<AnalysisResponse | null>;
  /**
   * Delete one of the user's live analyses (its stored content leaves; the ledger stays).
   * False when the user has no live analysis with that id (never had, another user's, or
   * already deleted).
   */
  remove(userSub: string, id: string): Promise<boolean>;
}

export function sqlHistoryStore(sql: Sql): HistoryStore {
  return {
    async page(userSub, limit, after) {
      const rows = await (after
        ? sql.unsafe<PageRow[]>(HISTORY_SQL.nextPage, [userSub, limit, after.t, after.i])
        : sql.unsafe<PageRow[]>(HISTORY_SQL.firstPage, [userSub, limit]));
      // Since migrations/0013 the holdings are stored with the answer (stored-answer.ts).
      return rows.map(({ answer, ...row }) => (answer ? { ...row, holdings: holdingsOf(row, answer) } : row));
    },

    async one(userSub, id) {
      const [row] = await sql.unsafe<
        [
          {
            id: string;
            answer: Buffer | null;
            response: AnalysisResponse | null;
            portfolios_analyzed_total: string;
            advice_generated_total: string;
          }?,
        ]
      >(HISTORY_SQL.one, [id, userSub]);
      // A placeholder restored from billing records has no answer to show (migrations/0011).
      const body = row && storedAnswer(row);
      if (!row || !body) return null;
      // The same shape an Idempotency-Key replay answers (analyze.ts): the stored body, then usage.
      return {
        ...body,
        usage: {
          portfolios_analyzed_total: Number(row.portfolios_analyzed_total),
          advice_generated_total: Number(row.advice_generated_total),
        },
      };
    },

    async remove(userSub, id) {
      const rows = await sql.unsafe(
        `UPDATE analyses SET ${eraseContent('now()')}
         WHERE id = $1::uuid AND user_sub = $2 AND deleted_at IS NULL RETURNING id`,
        [id, userSub],
      );
      return rows.length > 0;
    },
  };
}

export async function defaultHistoryStore(): Promise<HistoryStore> {
  return sqlHistoryStore(await db());
}

/**
 * Whether the user has a live (not deleted) analysis with this id; a restored placeholder counts.
 * DELETE /api/analyses/{id} asks before it journals, so the journal records only deletions that
 * happen. By primary key, like `one`.
 */
export async function isLiveAnalysis(sql: Sql, userSub: string, id: string): Promise<boolean> {
  const rows = await sql`
    SELECT 1 FROM analyses WHERE id = ${id}::uuid AND user_sub = ${userSub} AND deleted_at IS NULL`;
  return rows.length > 0;
}
