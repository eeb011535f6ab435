/**
 * Deploy-time migration function, run by a CDK trigger before the API functions are updated:
 * the same runner as `npm start` and the tests, on the SQL files bundled beside the code.
 */
import { join } from 'node:path';
import { closeDb, db } from './platform/db';
import { migrate } from './platform/migrations';
import { powertools } from './platform/powertools';

const { logger } = powertools('migrate');
const dir = process.env.MIGRATIONS_DIR ?? join(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), 'migrations');

export async function handler(): Promise<{ applied: string[]; alreadyApplied: number }> {
  try {
    const result = await migrate(await db(), dir);
    logger.info('migrations done', { ...result });
    return result;
  } catch (error) {
    // Failing here fails the deployment, so a deploy never serves a schema older than its code.
    logger.error('migrations failed', { error });
    throw error;
  } finally {
    await closeDb();
  }
}
