/**
 * `npm run reconcile -- [--date YYYY-MM-DD]`: reconcile one IST day (default: yesterday) of the
 * ledger against the configured Flexprice (FLEXPRICE_API_URL, FLEXPRICE_API_KEY), as the daily
 * Lambda does, and print a one-line summary.
 * `npm run reconcile -- --from D1 --to D2 [--adopt-unknown]`: every day from D1 to D2; with
 * --adopt-unknown, after a restore, events of our shape Flexprice holds and our ledger lacks
 * become placeholder analyses first (SPEC §13, docs/operations.md).
 * DATABASE_URL names the database; without it, the one `npm start` runs locally (PG_PORT, 5433).
 * Exit 0: matched or resent; 1: drift or failed; 2: bad arguments or no Flexprice key.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { flexpriceConfig } from '../functions/billing/config';
import { reconciliationDeps } from '../functions/billing/reconciliation-deps';
import { previousDay } from '../functions/core/reconciliation';
import { closeDb } from '../functions/platform/db';
import { appUrlFromEnv } from '../local/postgres';
import { daysBetween, reconcileDays } from './lib/dr/reconcile-days';

const usage =
  'usage: npm run reconcile -- [--date YYYY-MM-DD | --from YYYY-MM-DD --to YYYY-MM-DD] [--adopt-unknown]   (IST calendar days; default yesterday)';
let days: string[];
let adopt: boolean;
try {
  const { values } = parseArgs({
    options: {
      date: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'adopt-unknown': { type: 'boolean', default: false },
    },
    strict: true,
  });
  adopt = values['adopt-unknown'] ?? false;
  if (values.date && (values.from || values.to)) throw new Error('Give --date or --from/--to, not both');
  if (!values.from !== !values.to) throw new Error('--from and --to go together');
  const range =
    values.from && values.to ? daysBetween(values.from, values.to) : [values.date ?? previousDay(new Date())];
  if (typeof range === 'string') throw new Error(range);
  days = range;
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
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
  const setup = await reconciliationDeps();
  if (!setup.ready) throw new Error('the Flexprice API key is not set yet (docs/deploy.md)');
  // Quiet unless POWERTOOLS_LOG_LEVEL says otherwise: the summary lines are the output.
  process.env.POWERTOOLS_LOG_LEVEL ||= 'WARN';
  const logger = new Logger({ serviceName: 'reconcile' });
  const { ok } = await reconcileDays(days, adopt, { ...setup.deps, logger }, (line) => console.log(line));
  process.exitCode = ok ? 0 : 1;
} catch (error) {
  console.error(`Reconciliation failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeDb();
}
