/**
 * Runs the SQL migrations on every deployment that could change the schema, before any
 * function that depends on it is updated.
 *
 * The runner is `functions/migrate.ts`, the same code `npm run migrate` uses locally; the
 * repository's `migrations/` folder is copied next to its bundle. A CDK Trigger invokes it
 * synchronously during `cdk deploy`; a failure (a bad migration) fails the deployment. The
 * trigger re-runs whenever the function's version changes, and because the bundle's asset hash
 * covers the copied `.sql` files, every new migration (or runner change) means a new version.
 */
import { Duration } from 'aws-cdk-lib';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { functionEntry } from '../paths';
import { AppFunction, type DatabaseBinding, type FunctionNetwork } from './app-function';

export interface MigrationsProps {
  readonly config: StageConfig;
  readonly network: FunctionNetwork;
  /** The master user's binding, carrying the app role's secret too (`Database.migrationBinding`). */
  readonly database: DatabaseBinding;
  /** Everything that must exist before the runner can connect (database, proxy, endpoints). */
  readonly executeAfter: Construct[];
}

/** Where the migrations sit inside the deployed bundle (`/var/task` is the bundle root). */
export const BUNDLED_MIGRATIONS_DIR = '/var/task/migrations';

export class Migrations extends Construct {
  public readonly function: AppFunction;
  /** Depend on this to be created/updated after the schema is current. */
  public readonly trigger: triggers.Trigger;

  constructor(scope: Construct, id: string, props: MigrationsProps) {
    super(scope, id);
    const timeout = Duration.minutes(5);
    this.function = new AppFunction(this, 'Runner', {
      entry: functionEntry('migrate'),
      description: 'Applies migrations/*.sql during deployment (CDK trigger)',
      serviceName: 'migrate',
      logLevel: props.config.logLevel,
      logRetention: props.config.logRetention,
      logRemovalPolicy: props.config.removalPolicy,
      memorySize: 512,
      timeout,
      network: props.network,
      environment: { MIGRATIONS_DIR: BUNDLED_MIGRATIONS_DIR },
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        // Node rather than `cp -R` so the hook works wherever the CDK CLI does.
        afterBundling: (inputDir: string, outputDir: string) => [
          `node -e "require('node:fs').cpSync(process.argv[1], process.argv[2], { recursive: true })" "${inputDir}/migrations" "${outputDir}/migrations"`,
        ],
      },
    }).bindDatabase(props.database);

    this.trigger = new triggers.Trigger(this, 'Run', {
      handler: this.function,
      executeAfter: props.executeAfter,
      executeOnHandlerChange: true,
      timeout,
    });
  }
}
