/**
 * The DR journal's copy in the second region (SPEC §13, docs/operations.md "Second-region
 * restore"): the destination of the prod journal bucket's replication (dr-journal.ts). It lives
 * in the DrKey stack, which is deployed in that region before the Data stack: S3 refuses a
 * replication rule whose destination does not exist yet, or lacks versioning or object lock.
 *
 * Same shape as the source (journalBucketProps): object lock in compliance mode for the same
 * 35 days, so nobody can remove a copy while a restore may need it; replicated entries carry
 * their own retention date from the source anyway. Named like the source with this region in
 * the name, so the Data stack names it without a cross-region reference.
 */
import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { journalBucketName, journalBucketProps } from './dr-journal';

export interface JournalReplicaProps {
  readonly stage: string;
}

export class JournalReplica extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: JournalReplicaProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...journalBucketProps(true),
      bucketName: journalBucketName(props.stage, stack.account, stack.region),
    });
    acknowledge(this.bucket, [
      {
        id: 'AwsSolutions-S1',
        reason: 'Written only by S3 replication of the journal; CloudTrail records its API calls.',
      },
    ]);
  }
}
