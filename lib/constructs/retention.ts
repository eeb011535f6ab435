/**
 * The daily retention job (functions/retention.ts, docs/retention.md): one function in the
 * database's isolated subnets (it needs no other network) and one EventBridge rule. It reaches
 * PostgreSQL through RDS Proxy like every function.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { DEFAULT_RETENTION_MONTHS } from '../../functions/core/retention';
import { functionEntry } from '../paths';
import { AppFunction, type AppFunctionProps, type DatabaseBinding } from './app-function';

/** 20:30 UTC is 02:00 IST: after the invoice jobs (00:30) and the reconciliation (01:00). */
export const RETENTION_SCHEDULE = { minute: '30', hour: '20' } as const;

export interface RetentionProps
  extends Pick<AppFunctionProps, 'logLevel' | 'logRetention' | 'logRemovalPolicy' | 'network'> {
  readonly database: DatabaseBinding;
  /** The job must never run against an older schema: it is deployed after the migrations. */
  readonly schema: Construct;
  /**
   * Whole IST months a stored portfolio and answer are kept (RETENTION_MONTHS).
   * @default DEFAULT_RETENTION_MONTHS (13)
   */
  readonly months?: number;
}

export class Retention extends Construct {
  public readonly fn: AppFunction;

  constructor(scope: Construct, id: string, props: RetentionProps) {
    super(scope, id);
    const months = props.months ?? DEFAULT_RETENTION_MONTHS;
    this.fn = new AppFunction(this, 'Function', {
      logLevel: props.logLevel,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
      network: props.network,
      entry: functionEntry('retention'),
      description: `Prunes stored analyses older than ${months} months (daily, 02:00 IST)`,
      serviceName: 'retention',
      // Batches stop 30 s before the end; what is left is pruned the next day.
      timeout: Duration.minutes(15),
      environment: { RETENTION_MONTHS: String(months) },
    }).bindDatabase(props.database);
    this.fn.node.addDependency(props.schema);
    // Two retries: a run is idempotent, so a retry after a transient error repeats no work.
    this.fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6) });
    new events.Rule(this, 'Schedule', {
      description: 'Retention: prune stored analyses past the retention period',
      schedule: events.Schedule.cron(RETENTION_SCHEDULE),
      targets: [new targets.LambdaFunction(this.fn, { retryAttempts: 2, maxEventAge: Duration.hours(6) })],
    });
  }
}
