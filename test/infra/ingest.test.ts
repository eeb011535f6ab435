import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE } from '../../functions/platform/names';
import { CONSUMER_MAPPING } from '../../lib/stacks/ingest-stack';
import { resourcesOf, synthApp } from './helpers';

describe('IngestStack', () => {
  const { templates } = synthApp('dev');
  const ingest = templates.ingest;

  it('creates an on-demand, KMS-encrypted stream', () => {
    ingest.hasResourceProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
  });

  it('maps the stream to the consumer with partial batch responses, bisect and bounded retries', () => {
    // Prepare / Act: the template. Assess: the settings SPEC §7 calls traps when left default.
    ingest.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: CONSUMER_MAPPING.retryAttempts,
      MaximumRecordAgeInSeconds: CONSUMER_MAPPING.maxRecordAge.toSeconds(),
      BatchSize: CONSUMER_MAPPING.batchSize,
      MaximumBatchingWindowInSeconds: CONSUMER_MAPPING.maxBatchingWindow.toSeconds(),
      ParallelizationFactor: CONSUMER_MAPPING.parallelizationFactor,
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsumerFailures'), 'Arn'] } },
      },
    });
    expect(CONSUMER_MAPPING.retryAttempts).toBeGreaterThan(0);
    expect(CONSUMER_MAPPING.maxRecordAge.toHours()).toBeLessThan(24); // replayable within retention
  });

  it('encrypts the failure queue with KMS and refuses plain HTTP', () => {
    ingest.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: 'alias/aws/sqs' });
    ingest.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets the consumer send failure records to the queue, read the stream and read its database secret', () => {
    const policy = resourcesOf(ingest, 'AWS::IAM::Policy').find(([id]) =>
      id.startsWith('ConsumerServiceRole'),
    )?.[1];
    const doc = policy?.Properties?.PolicyDocument as
      | { Statement: { Action: string | string[] }[] }
      | undefined;
    const statements = doc?.Statement ?? [];
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining(['sqs:SendMessage', 'kinesis:GetRecords', 'secretsmanager:GetSecretValue']),
    );
    expect(actions).not.toContain('kinesis:PutRecord');
  });

  it('gives producers a role that may only put records on the stream', () => {
    const producer = resourcesOf(ingest, 'AWS::IAM::Policy').find(([id]) => id.startsWith('ProducerRole'));
    const doc = producer?.[1].Properties?.PolicyDocument as {
      Statement: { Action: string | string[]; Resource: unknown }[];
    };
    const actions = doc.Statement.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['kinesis:PutRecord', 'kinesis:PutRecords']));
    expect(actions.every((a) => a.startsWith('kinesis:'))).toBe(true);
    expect(actions.some((a) => /Get|Delete|Update|\*/.test(a))).toBe(false);
    for (const s of doc.Statement) {
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PriceTicks/), 'Arn'] });
    }
  });

  it('runs the consumer on arm64 Node.js in the isolated subnets, reaching the proxy', () => {
    ingest.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      VpcConfig: Match.objectLike({ SecurityGroupIds: Match.anyValue(), SubnetIds: Match.anyValue() }),
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'consumer',
          POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
          NODE_OPTIONS: '--enable-source-maps',
          DB_PREPARE: 'false',
          DB_HOST: Match.anyValue(),
          DB_SECRET_ARN: Match.anyValue(),
        }),
      },
    });
  });
});
