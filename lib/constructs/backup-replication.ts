/**
 * Copies of the database outside its region (SPEC §13, docs/operations.md "Second region"):
 * RDS replicates the instance's automated backups — snapshots and transaction logs — to a
 * second region (default `ap-south-2`, Hyderabad; context `drRegion`), encrypted there with a
 * KMS key of that region. The key lives in `<prefix>-DrKey` (lib/stacks/dr-key-stack.ts),
 * deployed first in the second region; the instance names it by its alias ARN (or by the key
 * ARN in context `drBackupKeyArn`), because stacks here are environment-agnostic and cannot
 * import a value across regions.
 *
 * When replication stops or fails, RDS emits a `backup` event for the instance; an EventBridge
 * rule counts them and an alarm fires on the first (StackAlarms: the stage's alarm topic).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { StackAlarms } from './alarms';

export const DEFAULT_DR_REGION = 'ap-south-2';
/** Replicated backups are kept as long as the in-region ones (prod: 14 days). */
const REPLICATED_RETENTION_DAYS = 14;

export interface DrSettings {
  /** The second region. @default ap-south-2 (context `drRegion`) */
  readonly region: string;
  /** The KMS key in `region` that encrypts the copies. @default the DrKey stack's alias ARN */
  readonly kmsKeyArn: string;
  readonly retention: Duration;
}

/** The DrKey stack's key alias (lib/stacks/dr-key-stack.ts). */
export const backupKeyAlias = (prefix: string) => `alias/${prefix.toLowerCase()}-backup-replica`;

/** The second region and its key, from context; a malformed region fails synth. */
export function drSettings(scope: Construct, prefix: string): DrSettings {
  const { node } = scope;
  const region = node.tryGetContext('drRegion') ?? DEFAULT_DR_REGION;
  if (typeof region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new Error(
      `Context "drRegion" must be an AWS region such as ap-south-2, got ${JSON.stringify(region)}`,
    );
  }
  const keyArn = node.tryGetContext('drBackupKeyArn');
  if (keyArn !== undefined && !(typeof keyArn === 'string' && keyArn.startsWith(`arn:aws:kms:${region}:`))) {
    throw new Error(`Context "drBackupKeyArn" must be a KMS key ARN in ${region}`);
  }
  const stack = Stack.of(scope);
  return {
    region,
    kmsKeyArn: keyArn ?? `arn:${stack.partition}:kms:${region}:${stack.account}:${backupKeyAlias(prefix)}`,
    retention: Duration.days(REPLICATED_RETENTION_DAYS),
  };
}

export interface BackupReplicationProps extends DrSettings {
  /** The stack's own instance, whose template turns replication on. */
  readonly instance: rds.DatabaseInstance;
  /**
   * The instance whose replication events raise the alarm: a restored one once the stack
   * targets it (its replication is started by hand, docs/operations.md). @default instance
   */
  readonly watched?: rds.IDatabaseInstance;
}

export class BackupReplication extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: BackupReplicationProps) {
    super(scope, id);
    const cfn = props.instance.node.defaultChild as rds.CfnDBInstance;
    cfn.automaticBackupReplicationRegion = props.region;
    cfn.automaticBackupReplicationKmsKeyId = props.kmsKeyArn;
    cfn.automaticBackupReplicationRetentionPeriod = props.retention.toDays();

    this.rule = new events.Rule(this, 'ReplicationEvents', {
      description: 'RDS backup events about cross-region backup replication of the database',
      eventPattern: {
        source: ['aws.rds'],
        detailType: ['RDS DB Instance Event'],
        detail: {
          SourceIdentifier: [(props.watched ?? props.instance).instanceIdentifier],
          EventCategories: ['backup'],
          Message: [{ wildcard: '*eplicat*' }],
        },
      },
    });
    StackAlarms.of(this).add(
      'BackupReplication',
      new cloudwatch.Metric({
        namespace: 'AWS/Events',
        metricName: 'MatchedEvents',
        dimensionsMap: { RuleName: this.rule.ruleName },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      {
        threshold: 1,
        alarmDescription: `Cross-region backup replication to ${props.region} reported a problem (stopped, failed or behind): the second-region copy is not current. Runbook: docs/operations.md "Second region".`,
      },
    );
  }
}
