/**
 * `npm run migrate`: apply pending migrations to DATABASE_URL, a server and its admin role (the
 * runner the deploy uses), then set the application role's timeouts, and its password when
 * APP_DB_PASSWORD is given (docs/database.md).
 */
import { join } from 'node:path';
import { readDbTimeouts } from '../functions/platform/config';
import { closeDb, db } from '../functions/platform/db';
import { configureAppRole, migrate } from '../functions/platform/migrations';
import { ROOT } from '../local/stack';

try {
  const sql = await db();
  const result = await migrate(sql, join(ROOT, 'migrations'));
  const password = process.env.APP_DB_PASSWORD;
  await configureAppRole(sql, { ...(password ? { password } : {}), ...readDbTimeouts(process.env) });
  console.log(result.applied.length ? `applied: ${result.applied.join(', ')}` : 'up to date');
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await closeDb();
}
