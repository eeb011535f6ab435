/**
 * The disaster-recovery journal's bucket (functions/platform/journal.ts, docs/operations.md
 * "What a restore must not undo"): one object per journaled change (key revocations, analysis
 * deletions, payments, invoice numbers), outside the database so a point-in-time restore cannot
 * take it back. Object lock for longer than a restore can reach back (backups are kept 14
 * days); versioning is what object lock requires. Objects expire after that.
 *
 * Every stage has one, so dev runs the code path prod runs (the S3 writer, its permission, its
 * route out of the VPC) for cents a month. prod locks in COMPLIANCE mode: nobody, root
 * included, can delete or overwrite an entry while it may still be needed. dev locks in
 * GOVERNANCE mode: the functions cannot get round it either (they may only put), but an
 * operator with s3:BypassGovernanceRetention can empty the bucket of a dev stage torn down.
 */
import { Arn, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { JOURNAL_BUCKET_ENV, JOURNAL_PREFIX } from '../../functions/platform/names';
import { acknowledge } from '../nag';

/**
 * Named, so the functions' stacks can name it (and its ARN) themselves: a cross-stack import in
 * their policies would tie the Data stack's exports to them and make cdk-nag's findings name
 * generated export ids.
 */
function journalBucketName(stage: string, account: string, region: string): string {
  return `stockconsultant-${stage}-journal-${account}-${region}`;
}

/** Past the 14 days a restore reaches back, with room for a restore's own days. */
const JOURNAL_LOCK_DAYS = 35;

export interface DrJournalProps {
  /** The functions' VPC: its isolated subnets reach S3 through the gateway endpoint. */
  readonly vpc: ec2.IVpc;
  readonly stage: string;
  /** COMPLIANCE (prod) or GOVERNANCE (dev): see above. */
  readonly compliance: boolean;
}

export class DrJournal extends Construct {
  public readonly bucket: s3.Bucket;
  /** HTTPS out of the isolated subnets, where the only route to it is the S3 gateway endpoint. */
  public readonly egress: ec2.SecurityGroup;
  private readonly stage: string;

  constructor(scope: Construct, id: string, props: DrJournalProps) {
    super(scope, id);
    this.stage = props.stage;
    const days = Duration.days(JOURNAL_LOCK_DAYS);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: journalBucketName(props.stage, Stack.of(this).account, Stack.of(this).region),
      objectLockEnabled: true,
      objectLockDefaultRetention: props.compliance
        ? s3.ObjectLockRetention.compliance(days)
        : s3.ObjectLockRetention.governance(days),
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // Locked objects cannot be deleted by CloudFormation anyway; the entries outlive the stack.
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
    this.egress = new ec2.SecurityGroup(this, 'Egress', {
      vpc: props.vpc,
      description:
        'Journal writers: HTTPS to S3 through the gateway endpoint (isolated subnets have no other route)',
      allowAllOutbound: false,
    });
    this.egress.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'S3 via the gateway endpoint');
  }

  /**
   * Lets `fn` append entries and nothing else: s3:PutObject under the journal prefix of this
   * bucket (no read, no delete, no retention change), the bucket's name in its environment, and
   * the route to S3. Call it on every function that journals (JOURNALING_FUNCTIONS).
   */
  allowAppend(fn: lambda.Function): void {
    const stack = Stack.of(fn);
    const name = journalBucketName(this.stage, stack.account, stack.region);
    fn.addEnvironment(JOURNAL_BUCKET_ENV, name);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [
          Arn.format(
            { service: 's3', region: '', account: '', resource: name, resourceName: `${JOURNAL_PREFIX}*` },
            stack,
          ),
        ],
      }),
    );
    // A function's security groups are fixed in its template when it is constructed; the
    // egress group is added to its connections and written over the ids it was built with.
    fn.connections.addSecurityGroup(this.egress);
    (fn.node.defaultChild as lambda.CfnFunction).addPropertyOverride(
      'VpcConfig.SecurityGroupIds',
      fn.connections.securityGroups.map((sg) => sg.securityGroupId),
    );
    acknowledge(fn, [
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${journalBucketName(this.stage, '<AWS::AccountId>', '<AWS::Region>')}/${JOURNAL_PREFIX}*]`,
        reason: 'New journal entries: one object each under a time-ordered key no one can know in advance.',
      },
    ]);
  }
}
