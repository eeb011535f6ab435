/**
 * `npm run import-legacy -- <usage.json>`: load the prototype's usage totals into the legacy
 * account (scripts/lib/legacy-import.ts), once. DATABASE_URL names the database; without
 * it, the one `npm start` runs locally (PG_PORT, default 5433). Exit 1 on a bad file (nothing
 * written), 2 on bad arguments.
 */

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { closeDb, db } from '../functions/platform/db';
import { appUrlFromEnv } from '../local/postgres';
import { importLegacyUsage, LegacyImportError, parseLegacyUsage } from './lib/legacy-import';

const file = process.argv[2];
if (!file || process.argv.length > 3) {
  console.error('usage: npm run import-legacy -- <usage.json>');
  process.exit(2);
}
try {
  // As the application role (docs/database.md); DATABASE_URL names the server's admin role.
  process.env.DATABASE_URL = await appUrlFromEnv(process.env, resolve(import.meta.dirname, '..'));
  const usage = parseLegacyUsage(await readFile(file, 'utf8'));
  const out = await importLegacyUsage(await db(), usage);
  const what = `${usage.portfolios_analyzed_total} portfolio analyses and ${usage.advice_generated_total} advice items`;
  console.log(
    out.kind === 'imported'
      ? `Imported ${what} into account "${out.sub}" as ${out.ledgerRows} ledger row(s) of analysis ${out.analysisId}, at unit price 0.00 INR, not sent to Flexprice.`
      : `Already imported on ${out.at.toISOString()}: ${what} in account "${out.sub}". Nothing written.`,
  );
} catch (error) {
  const e = error as NodeJS.ErrnoException;
  console.error(
    error instanceof LegacyImportError
      ? error.message
      : e.code === 'ENOENT'
        ? `No such file: ${file}`
        : `Import failed, nothing written: ${e.message}`,
  );
  process.exitCode = 1;
} finally {
  await closeDb();
}
