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
 *
 * prod also replicates every entry to a bucket of the same shape in the second region
 * (lib/constructs/journal-replica.ts, in the DrKey stack), so a lost region does not take the
 * journal with it.
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
export function journalBucketName(stage: string, account: string, region: string): string {
  return `stockconsultant-${stage}-journal-${account}-${region}`;
}

/** Past the 14 days a restore reaches back, with room for a restore's own days. */
const JOURNAL_LOCK_DAYS = 35;

/**
 * What the journal's bucket and its second-region copy share: object lock (and the versioning it
 * requires, which replication requires too), S3-managed encryption (no KMS key, so reading an
 * entry needs no kms:Decrypt), no public access, TLS only, retained, entries expiring after the
 * lock.
 */
export function journalBucketProps(compliance: boolean): s3.BucketProps {
  const days = Duration.days(JOURNAL_LOCK_DAYS);
  return {
    objectLockEnabled: true,
    objectLockDefaultRetention: compliance
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
  };
}

/** `arn:<partition>:s3:::<journal bucket of stage in region>[/<resourceName>]`, by name. */
export function journalBucketArn(stack: Stack, stage: string, region: string, resourceName?: string): string {
  return Arn.format(
    {
      service: 's3',
      region: '',
      account: '',
      resource: journalBucketName(stage, stack.account, region),
      ...(resourceName === undefined ? {} : { resourceName }),
    },
    stack,
  );
}

export interface DrJournalProps {
  /** The functions' VPC: its isolated subnets reach S3 through the gateway endpoint. */
  readonly vpc: ec2.IVpc;
  readonly stage: string;
  /** COMPLIANCE (prod) or GOVERNANCE (dev): see above. */
  readonly compliance: boolean;
  /**
   * The second region whose journal bucket (lib/constructs/journal-replica.ts, deployed there
   * first) receives a copy of every entry. @default no copy (dev)
   */
  readonly replicaRegion?: string;
}

export class DrJournal extends Construct {
  public readonly bucket: s3.Bucket;
  /** HTTPS out of the isolated subnets, where the only route to it is the S3 gateway endpoint. */
  public readonly egress: ec2.SecurityGroup;
  private readonly stage: string;

  constructor(scope: Construct, id: string, props: DrJournalProps) {
    super(scope, id);
    this.stage = props.stage;
    const stack = Stack.of(this);
    const replication = props.replicaRegion ? this.replicateTo(props.stage, props.replicaRegion) : undefined;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      ...journalBucketProps(props.compliance),
      bucketName: journalBucketName(props.stage, stack.account, stack.region),
      ...replication,
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
   * Live replication of every entry to the second region's journal bucket. S3 requires
   * versioning on both buckets and, because this one has object lock, object lock on the
   * destination too (journal-replica.ts); each copy keeps its entry's retention date and mode.
   * Only new entries are copied (live replication is not retroactive: entries written before it
   * was switched on stay in this region until they expire). Delete markers are not replicated
   * and the role has no s3:ReplicateDelete: a deletion here (possible only in governance mode,
   * i.e. never in prod) never reaches the copy. The role is our own, not CDK's default, whose
   * policy lacks the object-lock reads and whose fixed name would collide between stages.
   */
  private replicateTo(
    stage: string,
    region: string,
  ): Pick<s3.BucketProps, 'replicationRole' | 'replicationRules'> {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'ReplicationRole', {
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
      description: `Replicates the DR journal's entries to ${region}`,
    });
    const source = (name?: string) => journalBucketArn(stack, stage, stack.region, name);
    const entries = `${JOURNAL_PREFIX}*`;
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        resources: [source()],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          's3:GetObjectVersionForReplication',
          's3:GetObjectVersionAcl',
          's3:GetObjectVersionTagging',
          // Object lock: S3 copies each entry's retention and legal hold with it.
          's3:GetObjectRetention',
          's3:GetObjectLegalHold',
        ],
        resources: [source(entries)],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ReplicateObject', 's3:ReplicateTags'],
        resources: [journalBucketArn(stack, stage, region, entries)],
      }),
    );
    const pattern = (r: string) => journalBucketName(stage, '<AWS::AccountId>', r);
    acknowledge(role, [
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${pattern('<AWS::Region>')}/${entries}]`,
        reason: 'Replication reads every entry of the journal: one object each, keys not known in advance.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${pattern(region)}/${entries}]`,
        reason: 'Replication writes each entry as a new object of the second-region copy.',
      },
    ]);
    const destination = s3.Bucket.fromBucketAttributes(this, 'Replica', {
      bucketName: journalBucketName(stage, stack.account, region),
      region,
    });
    return {
      replicationRole: role,
      replicationRules: [
        {
          id: 'JournalToSecondRegion',
          destination,
          filter: { prefix: JOURNAL_PREFIX },
          deleteMarkerReplication: false,
        },
      ],
    };
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
        resources: [journalBucketArn(stack, this.stage, stack.region, `${JOURNAL_PREFIX}*`)],
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
