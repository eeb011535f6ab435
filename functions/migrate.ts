/**
 * Deploy-time migration function, run by a CDK trigger before the API functions are updated:
 * the same runner as `npm start` and the tests, on the SQL files bundled beside the code.
 *
 * It is the only function that reads the master secret (`DB_SECRET_ARN`, the admin role, as
 * SPEC §7 asks). After migrating it gives the application role `stock_app` the password of
 * `APP_DB_SECRET_ARN` (the secret every other function connects with) and its session
 * timeouts, on every run: idempotent, and it repairs a password changed by hand.
 */
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import {
  type DbTimeouts,
  DEFAULT_DB_TIMEOUTS,
  dbConfig,
  optionalString,
  parse,
  section,
} from './platform/config';
import { closeDb, db, type Sql } from './platform/db';
import { readDbSecret } from './platform/db-credentials';
import { APP_ROLE, configureAppRole, type MigrationResult, migrate } from './platform/migrations';
import { powertools } from './platform/powertools';

const { logger } = powertools('migrate');
const dir = process.env.MIGRATIONS_DIR ?? join(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), 'migrations');

/** `APP_DB_SECRET_ARN`: the application role's secret (unset: leave its password alone). */
export const appSecretConfig = section((env) =>
  parse(z.object({ APP_DB_SECRET_ARN: optionalString }), env, 'application role secret'),
);

/** The password of the application role's secret, checked to be that role's (not the master's by mistake). */
async function readAppPassword(sm: SecretsManagerClient, secretArn: string): Promise<string> {
  const { username, password } = await readDbSecret(sm, secretArn);
  if (username !== APP_ROLE) {
    throw new Error(`The application secret must hold username "${APP_ROLE}" and a password`);
  }
  return password;
}

/** Migrate, then configure the application role (its password only when a secret is given). */
async function migrateAndConfigure(options: {
  sql: Sql;
  dir: string;
  timeouts: DbTimeouts;
  appPassword?: () => Promise<string>;
}): Promise<MigrationResult> {
  const result = await migrate(options.sql, options.dir);
  await configureAppRole(options.sql, {
    ...(options.appPassword ? { password: await options.appPassword() } : {}),
    statementMs: options.timeouts.statementMs,
    idleInTransactionMs: options.timeouts.idleInTransactionMs,
  });
  return result;
}

/** Built at cold start, like every AWS client here (only used when APP_DB_SECRET_ARN is set). */
const sm = new SecretsManagerClient({});

export async function handler(): Promise<{ applied: string[]; alreadyApplied: number }> {
  try {
    const appSecretArn = appSecretConfig().APP_DB_SECRET_ARN;
    const result = await migrateAndConfigure({
      sql: await db(),
      dir,
      timeouts: dbConfig().timeouts ?? DEFAULT_DB_TIMEOUTS,
      ...(appSecretArn ? { appPassword: () => readAppPassword(sm, appSecretArn) } : {}),
    });
    logger.info('migrations done', { ...result, appRolePassword: appSecretArn ? 'set' : 'unchanged' });
    return result;
  } catch (error) {
    // Failing here fails the deployment, so a deploy never serves a schema older than its code.
    logger.error('migrations failed', { error });
    throw error;
  } finally {
    await closeDb();
  }
}
