/**
 * The disaster-recovery journal's bucket (functions/platform/journal.ts, docs/operations.md
 * "What a restore must not undo"): one object per journaled change (key revocations, analysis
 * deletions, payments, invoice numbers), outside the database so a point-in-time restore cannot
 * take it back. Object lock in COMPLIANCE mode for longer than a restore can reach back
 * (backups are kept 14 days): nobody, root included, can delete or overwrite an entry while it
 * may still be needed; versioning is what object lock requires. Objects expire after that.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';

/** Past the 14 days a restore reaches back, with room for a restore's own days. */
export const JOURNAL_LOCK_DAYS = 35;

export class DrJournal extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(JOURNAL_LOCK_DAYS)),
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { expiration: Duration.days(JOURNAL_LOCK_DAYS + 1), noncurrentVersionExpiration: Duration.days(1) },
      ],
    });
    acknowledge(this.bucket, [
      {
        id: 'AwsSolutions-S1',
        reason: 'Append-only journal written only by the functions; CloudTrail records its API calls.',
      },
    ]);
  }
}
