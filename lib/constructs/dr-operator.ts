/**
 * The role a disaster-recovery operator assumes to read the journal back
 * (`npm run dr-replay-journal -- --bucket <JournalBucketName>`, docs/operations.md "Runbook"):
 * list the journal's entries and read them, in this region's bucket and, in prod, in its copy
 * in the second region, and nothing else. No kms:Decrypt: the buckets use S3-managed keys
 * (journalBucketProps), which need no KMS permission. No write, delete or retention action:
 * the journal is evidence, and the replay only reads it.
 *
 * Built only when context `drOperatorPrincipalArn` names who may assume it (an account root,
 * role or user ARN, checked in lib/config.ts); without it no role exists, so no one can read
 * the journal until an operator is named deliberately.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { JOURNAL_PREFIX } from '../../functions/platform/names';
import { acknowledge } from '../nag';
import { journalBucketArn, journalBucketName } from './dr-journal';

export interface DrOperatorProps {
  /** Who may assume the role (context `drOperatorPrincipalArn`). */
  readonly principalArn: string;
  readonly stage: string;
  /** prod's second region, whose journal copy the role may read too. @default none */
  readonly replicaRegion?: string;
}

export class DrOperator extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: DrOperatorProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ArnPrincipal(props.principalArn),
      description: 'DR operators: read the restore journal (npm run dr-replay-journal -- --bucket)',
      maxSessionDuration: Duration.hours(1),
    });
    const regions = [stack.region, ...(props.replicaRegion ? [props.replicaRegion] : [])];
    const entries = `${JOURNAL_PREFIX}*`;
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: regions.map((r) => journalBucketArn(stack, props.stage, r)),
        // The listing the replay makes (ListObjectsV2, Prefix journal/) and no other.
        conditions: { StringLike: { 's3:prefix': [entries] } },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: regions.map((r) => journalBucketArn(stack, props.stage, r, entries)),
      }),
    );
    acknowledge(
      this.role,
      regions.map((r) => ({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${journalBucketName(props.stage, '<AWS::AccountId>', r === stack.region ? '<AWS::Region>' : r)}/${entries}]`,
        reason: 'The replay reads every journal entry: one object each, under keys not known in advance.',
      })),
    );
  }
}
