/**
 * Persistence of market history imports (SPEC §11): NSE bhavcopy files become official daily
 * bars, NSE corporate-actions files become splits and bonuses. Each file is parsed whole first
 * (functions/core) and then written in one set-based statement, so a refused file writes nothing
 * and a file is applied entirely or not at all. Both are idempotent: importing the same file
 * twice changes nothing. Used by the CLI commands and the S3-triggered import function.
 */
import type postgres from 'postgres';
import { NotABhavcopyError, parseBhavcopy } from '../core/bhavcopy';
import { NotACorporateActionsFileError, parseCorporateActions } from '../core/corporate-actions';
import type { Sql } from '../platform/db';

export { NotABhavcopyError, NotACorporateActionsFileError };

export interface BhavcopyImportResult {
  format: 'udiff' | 'legacy';
  /** The session of the file's bars; null when it had none, or rows of several dates. */
  session: string | null;
  /** Rows of series EQ and BE now stored as official bars (also when already stored as such). */
  imported: number;
  skippedBySeries: Record<string, number>;
  bad: { line: number; reason: string }[];
}

export interface ImportFile {
  name: string;
  bytes: Uint8Array;
}

/*
 * An official bar replaces whatever is stored for its symbol and session (a tick-built bar, or
 * an older import) and clears the tick versions, so that later ticks of that session leave it
 * alone (the consumer's upsert skips official bars). The WHERE makes a re-import of the same
 * values a no-op, not a rewrite.
 */
const UPSERT_BARS = `
INSERT INTO daily_bars AS d (symbol, session, open, high, low, close, volume, official)
SELECT r->>0, (r->>1)::date, (r->>2)::numeric, (r->>3)::numeric, (r->>4)::numeric, (r->>5)::numeric,
       (r->>6)::bigint, true
FROM jsonb_array_elements($1::jsonb) AS r
ON CONFLICT (symbol, session) DO UPDATE SET
  open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
  volume = EXCLUDED.volume, official = true, open_v = NULL, close_v = NULL, updated_at = now()
WHERE (d.open, d.high, d.low, d.close, d.volume, d.official)
  IS DISTINCT FROM (EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close, EXCLUDED.volume, true)`;

/**
 * Import one bhavcopy file (plain CSV or zipped). Bad rows are reported and skipped while the
 * rest imports. Throws NotABhavcopyError, with nothing written, when the file is not a bhavcopy.
 */
export async function importBhavcopyFile(sql: Sql, file: ImportFile): Promise<BhavcopyImportResult> {
  let parsed: ReturnType<typeof parseBhavcopy>;
  try {
    parsed = parseBhavcopy(file.bytes);
  } catch (error) {
    if (error instanceof NotABhavcopyError) throw new NotABhavcopyError(`${file.name}: ${error.message}`);
    throw error;
  }
  const { format, session, bars, skippedBySeries, bad } = parsed;
  if (bars.length > 0) {
    // In the consumer's order (symbol, then session), so that an import and a consumer batch
    // that touch the same bars lock them in the same order and cannot deadlock each other.
    const rows = bars
      .map((b) => [b.symbol, b.session, b.open, b.high, b.low, b.close, b.volume])
      .sort((a, b) => (`${a[0]} ${a[1]}` < `${b[0]} ${b[1]}` ? -1 : 1));
    await sql.unsafe(UPSERT_BARS, [sql.json(rows as postgres.JSONValue)]);
  }
  return { format, session, imported: bars.length, skippedBySeries, bad };
}

export interface CorporateActionsImportResult {
  /** Splits and bonuses read from the file. */
  actions: number;
  /** Of those, how many were new (the rest were already imported). */
  added: number;
  /** Purposes skipped, by category: dividend, other. */
  skipped: Record<string, number>;
  bad: { line: number; reason: string }[];
}

/** Import one corporate-actions file; throws NotACorporateActionsFileError, nothing written. */
export async function importCorporateActionsFile(
  sql: Sql,
  file: ImportFile,
): Promise<CorporateActionsImportResult> {
  let parsed: ReturnType<typeof parseCorporateActions>;
  try {
    parsed = parseCorporateActions(file.bytes);
  } catch (error) {
    if (error instanceof NotACorporateActionsFileError) {
      throw new NotACorporateActionsFileError(`${file.name}: ${error.message}`);
    }
    throw error;
  }
  const { actions, skipped, bad } = parsed;
  let added = 0;
  if (actions.length > 0) {
    const rows = actions.map((a) => [a.symbol, a.exDate, a.kind, a.factorNum, a.factorDen, a.purpose]);
    // The key (symbol, ex_date, purpose) is the action as NSE published it: a re-import adds nothing.
    const inserted = await sql.unsafe(
      `INSERT INTO corporate_actions (symbol, ex_date, kind, factor_num, factor_den, purpose)
       SELECT r->>0, (r->>1)::date, r->>2, (r->>3)::int, (r->>4)::int, r->>5
       FROM jsonb_array_elements($1::jsonb) AS r
       ON CONFLICT DO NOTHING`,
      [sql.json(rows as postgres.JSONValue)],
    );
    added = inserted.count;
  }
  return { actions: actions.length, added, skipped, bad };
}
