/**
 * STUB — replaced at merge by the bhavcopy importer's real module (issue 17 item 2, another
 * branch). It exists only so functions/bhavcopy-import.ts type-checks against the agreed
 * contract; it imports nothing and refuses every file.
 */
import type { Sql } from '../platform/db';

/** What one imported bhavcopy file amounted to. */
export interface BhavcopyImport {
  format: 'udiff' | 'legacy';
  /** The session (YYYY-MM-DD) the file's bars belong to. */
  session: string;
  /** Bars written (EQ and BE rows). */
  imported: number;
  /** Rows of other series, counted per series. */
  skippedBySeries: Record<string, number>;
  /** Rows skipped as bad, with their line numbers. */
  bad: { line: number; reason: string }[];
}

/** The file's header matches neither bhavcopy format: nothing of it was imported. */
export class NotABhavcopyError extends Error {
  override name = 'NotABhavcopyError';
}

/** Import one bhavcopy file (CSV or zipped CSV, either format) idempotently. */
export async function importBhavcopyFile(
  _sql: Sql,
  file: { name: string; bytes: Uint8Array },
): Promise<BhavcopyImport> {
  throw new NotABhavcopyError(`${file.name}: the bhavcopy importer is not merged into this branch yet`);
}
