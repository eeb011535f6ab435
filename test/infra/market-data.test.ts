/**
 * The market-data bucket, its bhavcopy import and the feed-staleness alarm (Ingest stack):
 * private, encrypted, versioned, TLS-only; uploads under the prefix reach the import through a
 * queue with bounded retries and an alarmed dead-letter queue; the importer reads that prefix
 * and its database secret only; the feed alarm is quiet when nothing is published.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import {
  CALENDAR_MISSING_METRIC,
  FEED_MONITOR_SERVICE,
  NEWEST_TICK_AGE_METRIC,
} from '../../functions/market/feed-health-names';
import {
  BHAVCOPY_CONCURRENCY,
  BHAVCOPY_MAX_RECEIVES,
  BHAVCOPY_PREFIX,
} from '../../lib/constructs/market-data';
import { alarmNamed, resourcesOf, synthApp } from './helpers';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

describe('market data in AWS', { timeout: 180_000 }, () => {
  const { templates } = synthApp('dev');
  const ingest = templates.ingest;
  const bucketId = resourcesOf(ingest, 'AWS::S3::Bucket').find(([id]) =>
    id.includes('MarketDataBucket'),
  )?.[0];

  it('keeps the bhavcopy bucket private, encrypted, versioned and TLS-only', () => {
    expect(bucketId).toBeDefined();
    const bucket = ingest.toJSON().Resources[bucketId ?? ''].Properties;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(
      bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
    ).toEqual({
      SSEAlgorithm: 'AES256',
    });
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    ingest.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('notifies the upload queue of .csv and .zip objects under the bhavcopy prefix only', () => {
    const [, notifications] = resourcesOf(ingest, 'Custom::S3BucketNotifications')[0] ?? [];
    const configs =
      (
        notifications?.Properties?.NotificationConfiguration as
          | {
              QueueConfigurations: {
                Events: string[];
                Filter: { Key: { FilterRules: { Name: string; Value: string }[] } };
              }[];
            }
          | undefined
      )?.QueueConfigurations ?? [];
    const filters = configs.map((c) =>
      Object.fromEntries(c.Filter.Key.FilterRules.map((r) => [r.Name.toLowerCase(), r.Value])),
    );
    expect(filters).toEqual([
      { prefix: BHAVCOPY_PREFIX, suffix: '.csv' },
      { prefix: BHAVCOPY_PREFIX, suffix: '.zip' },
    ]);
    expect(configs.every((c) => c.Events.join() === 's3:ObjectCreated:*')).toBe(true);
  });

  it('imports one file at a time, two at once, and dead-letters a file after 3 failed receives', () => {
    ingest.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: BHAVCOPY_CONCURRENCY },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('MarketDataUploads'), 'Arn'] },
    });
    ingest.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        maxReceiveCount: BHAVCOPY_MAX_RECEIVES,
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('MarketDataImportFailures'), 'Arn'] },
      },
      SqsManagedSseEnabled: true,
    });
    const failures = alarmNamed(ingest, 'BhavcopyImportFailures');
    expect(failures).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
    expect(JSON.stringify(failures?.Dimensions)).toContain('MarketDataImportFailures');
    expect(failures?.AlarmActions).toHaveLength(1);
  });

  it('lets the importer read the bhavcopy prefix and its database secret, nothing else', () => {
    const [, policy] =
      resourcesOf(ingest, 'AWS::IAM::Policy').find(([id]) => id.startsWith('MarketDataImportServiceRole')) ??
      [];
    const statements =
      (policy?.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [];
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.filter((a) => a.startsWith('s3:')).every((a) => /^s3:(Get|List)/.test(a))).toBe(true);
    expect(actions.some((a) => /^s3:(Put|Delete)/.test(a) || a === 's3:*' || a === '*')).toBe(false);
    const objects = statements
      .filter((s) => [s.Action].flat().includes('s3:GetObject*'))
      .flatMap((s) => [s.Resource].flat());
    expect(JSON.stringify(objects)).toContain(`/${BHAVCOPY_PREFIX}*`);
    expect(JSON.stringify(objects)).not.toMatch(/"\/\*"/);
    const secrets = statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(secrets).toHaveLength(1);
    expect(secrets[0]?.Resource).not.toBe('*');
    expect(actions).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']));
    expect(actions.some((a) => /^(sqs:SendMessage|kinesis:|lambda:)/.test(a))).toBe(false);
  });

  it('gives the importer the size limit, the bucket, and HTTPS egress to S3 through a gateway endpoint', () => {
    const [, fn] =
      resourcesOf(ingest, 'AWS::Lambda::Function').find(([, f]) =>
        JSON.stringify(f.Properties?.Environment ?? {}).includes('bhavcopy-import'),
      ) ?? [];
    const vars =
      (fn?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
    expect(vars.BHAVCOPY_MAX_BYTES).toBe(String(20 * 1024 * 1024));
    expect(vars.MARKET_DATA_BUCKET).toEqual({ Ref: bucketId });
    expect(vars.DB_SECRET_ARN).toBeDefined();
    templates.data.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['.s3'])]) }),
    });
    ingest.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('gateway endpoint'),
      SecurityGroupEgress: [Match.objectLike({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })],
    });
  });

  it('runs the feed monitor every minute and alarms on a tick older than 5 minutes, quiet without data', () => {
    ingest.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FeedMonitorFunction'), 'Arn'] } }),
      ],
    });
    expect(alarmNamed(ingest, 'FeedStale')).toMatchObject({
      Namespace: 'StockConsultant',
      MetricName: NEWEST_TICK_AGE_METRIC,
      Dimensions: expect.arrayContaining([{ Name: 'service', Value: FEED_MONITOR_SERVICE }]),
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 300,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarmNamed(ingest, 'HolidayCalendarMissing')).toMatchObject({
      MetricName: CALENDAR_MISSING_METRIC,
      Threshold: 1,
    });
  });

  for (const [stage, context, label] of [
    ['dev', {}, 'dev'],
    ['prod', {}, 'prod'],
    ['dev', { profile: 'lean' }, 'dev, lean profile'],
  ] as const) {
    it(`leaves no cdk-nag finding on the market-data and feed-monitor constructs (${label})`, () => {
      const report = new AwsSolutionsChecks(undefined, { verbose: false }).validateScope(
        synthApp(stage, context).app,
      );
      const mine = report.violations
        .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName}: ${r.constructPath}`))
        .filter((f) => /MarketData|FeedMonitor|\/S3/.test(f));
      expect(mine).toEqual([]);
    });
  }
});
