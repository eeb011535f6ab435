/**
 * The second region's part of disaster recovery (prod), deployed FIRST, in the second region
 * (`npx cdk deploy StockConsultant-prod-DrKey -c stage=prod`): the KMS key that encrypts the
 * database's replicated automated backups there (lib/constructs/backup-replication.ts), and the
 * bucket that receives the copy of the DR journal (lib/constructs/journal-replica.ts). The Data
 * stack's instance names this key and its journal bucket replicates into this bucket, both by
 * name. Both retained: deleting either would lose the copies.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { backupKeyAlias } from '../constructs/backup-replication';
import { JournalReplica } from '../constructs/journal-replica';

export interface DrKeyStackProps extends StackProps {
  readonly config: StageConfig;
  /** The second region; the stack is deployed there. */
  readonly region: string;
}

export class DrKeyStack extends Stack {
  public readonly key: kms.Key;
  public readonly journalReplica: JournalReplica;

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
    this.journalReplica = new JournalReplica(this, 'JournalReplica', { stage: props.config.stage });
    new CfnOutput(this, 'JournalReplicaBucketName', {
      value: this.journalReplica.bucket.bucketName,
      description:
        'The DR journal copied from the primary region (npm run dr-replay-journal -- --bucket <this> after a region loss)',
    });
  }
}
