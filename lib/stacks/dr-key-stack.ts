/**
 * The second region's part of disaster recovery (prod): the KMS key that encrypts the database's
 * replicated automated backups there (lib/constructs/backup-replication.ts). Deployed FIRST, in
 * the second region (`npx cdk deploy StockConsultant-prod-DrKey -c stage=prod`): the instance's
 * replication names this key. Retained: deleting it would make the copies unreadable.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { backupKeyAlias } from '../constructs/backup-replication';

export interface DrKeyStackProps extends StackProps {
  readonly config: StageConfig;
  /** The second region; the stack is deployed there. */
  readonly region: string;
}

export class DrKeyStack extends Stack {
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DrKeyStackProps) {
    super(scope, id, { ...props, env: { ...props.env, region: props.region } });
    this.key = new kms.Key(this, 'BackupReplicaKey', {
      description: `${props.config.prefix}: encrypts the database's automated backups replicated to ${props.region}`,
      alias: backupKeyAlias(props.config.prefix),
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new CfnOutput(this, 'BackupReplicaKeyArn', {
      value: this.key.keyArn,
      description: 'Pass as -c drBackupKeyArn=… when deploying the Data stack (or rely on the alias)',
    });
  }
}
