/**
 * `npm run check-ledger`: run the ledger's invariants (scripts/lib/ledger-invariants.ts)
 * against DATABASE_URL (without it, the database `npm start` runs, PG_PORT default 5433).
 * Prints each broken rule with example rows; exit 0 when the ledger is consistent, 1 when a
 * rule is broken, 2 when the database cannot be checked. Read-only.
 */
import { resolve } from 'node:path';
import { closeDb, db, type Sql } from '../functions/platform/db';
import { appUrlFromEnv } from '../local/postgres';
import { checkLedger, INVARIANTS } from './lib/ledger-invariants';

try {
  // As the application role (docs/database.md); DATABASE_URL names the server's admin role.
  process.env.DATABASE_URL = await appUrlFromEnv(process.env, resolve(import.meta.dirname, '..'));
  // Whole-ledger scans can outlast the role's 5 s statement timeout: lifted for this
  // transaction only (SET LOCAL pins no RDS Proxy session); read only, so it changes nothing.
  const violations = await (await db()).begin('read only', async (tx) => {
    await tx`SET LOCAL statement_timeout = '10min'`;
    return checkLedger(tx as unknown as Sql);
  });
  for (const v of violations) {
    console.log(`VIOLATION: ${v.invariant}`);
    for (const row of v.rows) console.log(`  ${JSON.stringify(row)}`);
  }
  console.log(
    violations.length
      ? `${violations.length} of ${INVARIANTS.length} ledger invariants broken`
      : `ledger consistent: ${INVARIANTS.length} invariants hold`,
  );
  process.exitCode = violations.length ? 1 : 0;
} catch (error) {
  console.error(`check-ledger could not run: ${(error as Error).message}`);
  process.exitCode = 2;
} finally {
  await closeDb();
}
