/** `npm run migrate`: apply pending migrations to DATABASE_URL (the runner the deploy uses). */
import { join } from 'node:path';
import { closeDb, db } from '../functions/platform/db';
import { migrate } from '../functions/platform/migrations';
import { ROOT } from '../local/stack';

try {
  const result = await migrate(await db(), join(ROOT, 'migrations'));
  console.log(result.applied.length ? `applied: ${result.applied.join(', ')}` : 'up to date');
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await closeDb();
}
