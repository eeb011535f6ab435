/**
 * Billing jobs (issue 5): the Flexprice API key secret, the outbox sync (every minute) and the
 * invoice jobs (daily at 00:30 IST). Both functions reach PostgreSQL through RDS Proxy; only
 * the sync may leave the VPC, and only on HTTPS (docs/billing.md).
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { FLEXPRICE_DEFAULT_API_URL } from '../../functions/billing/config';
import type { StageConfig } from '../config';
import { AppFunction, type DatabaseBinding, type FunctionNetwork } from '../constructs/app-function';
import { Retention } from '../constructs/retention';
import { acknowledge } from '../nag';
import { functionEntry } from '../paths';
import { EGRESS_SUBNETS } from '../subnets';
import { watchBilling } from './billing-alarms';

export interface BillingStackProps extends StackProps {
  readonly config: StageConfig;
  readonly network: FunctionNetwork;
  readonly database: DatabaseBinding;
  /** Jobs must never run against an older schema: deploy them after the migrations. */
  readonly schema: Construct;
  /**
   * Flexprice API base URL including `/v1` (context `flexpriceApiUrl`).
   * @default FLEXPRICE_DEFAULT_API_URL
   */
  readonly flexpriceApiUrl?: string;
}

/** The invoice jobs and their payloads (functions/invoices.ts `handler({ job })`). */
export const INVOICE_JOBS = ['close-month', 'mark-overdue'] as const;

/** 19:00 UTC is 00:30 in Asia/Kolkata (UTC+5:30, no DST): just after an IST day (and month) ends. */
const INVOICE_SCHEDULE = { minute: '0', hour: '19' } as const;

/**
 * 19:30 UTC is 01:00 IST: the previous IST day closed an hour ago, so its last charges have been
 * through the every-minute sync (functions/reconcile.ts reconciles that day).
 */
export const RECONCILE_SCHEDULE = { minute: '30', hour: '19' } as const;
/** Resume paused or failed runs, recheck `resent` days once their resends are synced. */
export const RECONCILE_FOLLOW_UP_RATE = Duration.minutes(15);

export class BillingStack extends Stack {
  /** The Flexprice API key; created with a placeholder, set by an operator (docs/deploy.md). */
  public readonly flexpriceKey: secretsmanager.Secret;
  /** FLEXPRICE_API_URL of the jobs, and of the API's reconciliation route (ApiStack `flexprice`). */
  public readonly flexpriceApiUrl: string;
  public readonly syncFunction: AppFunction;
  public readonly invoicesFunction: AppFunction;
  /** The daily billing reconciliation against Flexprice (issue 13). */
  public readonly reconcileFunction: AppFunction;
  /** The daily pruning of stored analyses past retention (issue 19). */
  public readonly retention: Retention;

  constructor(scope: Construct, id: string, props: BillingStackProps) {
    super(scope, id, props);
    const { config } = props;
    const common = {
      logLevel: config.logLevel,
      logRetention: config.logRetention,
      logRemovalPolicy: config.removalPolicy,
      network: props.network,
    };

    // Generated so no key is ever in the template; the JSON placeholder marker tells the sync
    // "not set yet" (functions/billing/flexprice.ts parseKeySecret) until an operator puts the key.
    this.flexpriceKey = new secretsmanager.Secret(this, 'FlexpriceApiKey', {
      description: `${config.prefix}: Flexprice API key (put the bare key; see docs/deploy.md)`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ placeholder: true }),
        generateStringKey: 'apiKey',
        excludePunctuation: true,
      },
      removalPolicy: config.removalPolicy,
    });
    acknowledge(this.flexpriceKey, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'A third-party API key: Secrets Manager cannot rotate it; operators rotate it in Flexprice and put the new value (docs/deploy.md).',
      },
    ]);

    // HTTPS out, nothing else: the function's only internet peer is Flexprice's API.
    const httpsEgress = new ec2.SecurityGroup(this, 'SyncHttpsEgress', {
      vpc: props.network.vpc,
      description: 'Billing sync: HTTPS to the Flexprice API (through the NAT gateway)',
      allowAllOutbound: false,
    });
    httpsEgress.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to Flexprice');

    // What the sync and the reconciliation need to reach Flexprice: egress subnets, HTTPS out,
    // the API URL and the key. Without egress (lean profile) the same subnets have no route
    // out: charges wait in the outbox, and a reconciliation run fails and says so.
    this.flexpriceApiUrl = props.flexpriceApiUrl ?? FLEXPRICE_DEFAULT_API_URL;
    const flexpriceAccess = {
      subnets: EGRESS_SUBNETS,
      extraSecurityGroups: config.flexpriceEgress ? [httpsEgress] : [],
      environment: {
        FLEXPRICE_API_URL: this.flexpriceApiUrl,
        FLEXPRICE_API_KEY_SECRET_ARN: this.flexpriceKey.secretArn,
      },
    };

    this.syncFunction = new AppFunction(this, 'BillingSyncFunction', {
      ...common,
      entry: functionEntry('billing-sync'),
      description: 'Sends the billing outbox to Flexprice (every minute)',
      serviceName: 'billing-sync',
      timeout: Duration.seconds(60),
      ...flexpriceAccess,
    }).bindDatabase(props.database);
    this.flexpriceKey.grantRead(this.syncFunction);
    this.syncFunction.node.addDependency(props.schema);

    // Lambda retries a failed asynchronous invocation twice on its own (EventBridge's
    // retryAttempts only covers delivery): none here, the next minute's run is the retry.
    this.syncFunction.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    new events.Rule(this, 'BillingSyncSchedule', {
      description: 'Drain the billing outbox to Flexprice',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      // No retries: the next minute's run is the retry, and rows keep their own backoff.
      targets: [new targets.LambdaFunction(this.syncFunction, { retryAttempts: 0 })],
    });

    // Reads Flexprice back like the sync writes to it: same subnets, egress and key.
    this.reconcileFunction = new AppFunction(this, 'ReconcileFunction', {
      ...common,
      entry: functionEntry('reconcile'),
      description: 'Reconciles a day of the billing ledger against Flexprice (daily, 01:00 IST)',
      serviceName: 'reconcile',
      memorySize: 512,
      // The run pauses with a few minutes to spare and the follow-up resumes it (docs/billing.md).
      timeout: Duration.minutes(15),
      ...flexpriceAccess,
    }).bindDatabase(props.database);
    this.flexpriceKey.grantRead(this.reconcileFunction);
    this.reconcileFunction.node.addDependency(props.schema);
    // No Lambda retries of an async invocation: a failed run is stored as failed and the next
    // follow-up resumes it; a retry would only race it.
    this.reconcileFunction.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.hours(1) });
    const reconcileJobs = [
      { id: 'ReconcileDaily', job: 'daily', schedule: events.Schedule.cron(RECONCILE_SCHEDULE) },
      { id: 'ReconcileFollowUp', job: 'follow-up', schedule: events.Schedule.rate(RECONCILE_FOLLOW_UP_RATE) },
    ];
    for (const { id: ruleId, job, schedule } of reconcileJobs) {
      new events.Rule(this, ruleId, {
        description: `Billing reconciliation: ${job}`,
        schedule,
        targets: [
          new targets.LambdaFunction(this.reconcileFunction, {
            event: events.RuleTargetInput.fromObject({ job }),
            retryAttempts: 0,
          }),
        ],
      });
    }

    this.invoicesFunction = new AppFunction(this, 'InvoicesFunction', {
      ...common,
      entry: functionEntry('invoices'),
      description: 'Monthly invoice close and daily overdue marking',
      serviceName: 'invoices',
      memorySize: 512,
      timeout: Duration.minutes(5),
    }).bindDatabase(props.database);
    this.invoicesFunction.node.addDependency(props.schema);

    // Two retries, on purpose: every job is idempotent (a closed month is not closed again, a
    // late fee is charged once), so a retry after a transient database error repeats no work
    // and saves waiting a whole day for the next run.
    this.invoicesFunction.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1) });
    for (const job of INVOICE_JOBS) {
      // Daily for both: close-month is a no-op except on the 1st (IST), and re-running any job
      // changes nothing, so a missed day is caught up the next day.
      new events.Rule(this, `Invoices-${job}`, {
        description: `Invoices: ${job} at 00:30 IST`,
        schedule: events.Schedule.cron(INVOICE_SCHEDULE),
        targets: [
          new targets.LambdaFunction(this.invoicesFunction, {
            event: events.RuleTargetInput.fromObject({ job }),
            retryAttempts: 2,
            maxEventAge: Duration.hours(1),
          }),
        ],
      });
    }
    watchBilling(this, config);

    // Retention of stored analyses (docs/retention.md): beside the other daily data jobs.
    this.retention = new Retention(this, 'Retention', {
      ...common,
      database: props.database,
      schema: props.schema,
    });
  }
}
