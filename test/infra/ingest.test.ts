import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CONSUMER_FAILURE_PAUSE_ENV, METRICS_NAMESPACE } from '../../functions/platform/names';
import { CONSUMER_FAILURE_PAUSE, CONSUMER_MAPPING } from '../../lib/stacks/ingest-stack';
import { DEFAULT_MAX_RECORD_AGE_MS } from '../../local/poller';
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
    expect(CONSUMER_MAPPING.retryAttempts).toBeLessThanOrEqual(10_000); // the API's maximum
  });

  it('retries until the record-age limit (at least 1 h), and leaves time within retention to redrive', () => {
    const [mapping] = Object.values(ingest.findResources('AWS::Lambda::EventSourceMapping'));
    const props = mapping?.Properties as { MaximumRecordAgeInSeconds: number; MaximumRetryAttempts: number };
    const [stream] = Object.values(ingest.findResources('AWS::Kinesis::Stream'));
    const retentionHours = (stream?.Properties as { RetentionPeriodHours?: number } | undefined)
      ?.RetentionPeriodHours;
    expect(retentionHours).toBe(24);
    expect(props.MaximumRecordAgeInSeconds).toBeGreaterThanOrEqual(3600);
    expect(props.MaximumRecordAgeInSeconds * 1000).toBe(DEFAULT_MAX_RECORD_AGE_MS); // as locally
    expect(props.MaximumRecordAgeInSeconds).toBeLessThanOrEqual((24 - 12) * 3600); // 12 h or more left to redrive
    // Lambda retries back to back; the consumer's pause before each failure report makes the
    // bounded attempts last longer than the age limit, so the age, not the count, ends retries.
    const [consumer] = Object.values(ingest.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'consumer',
    );
    const pauseMs = Number(consumer?.Properties?.Environment?.Variables?.[CONSUMER_FAILURE_PAUSE_ENV]);
    expect(pauseMs).toBe(CONSUMER_FAILURE_PAUSE.toMilliseconds());
    expect((props.MaximumRetryAttempts * pauseMs) / 1000).toBeGreaterThan(props.MaximumRecordAgeInSeconds);
    expect(pauseMs).toBeLessThan((consumer?.Properties?.Timeout as number) * 1000 - 2000);
  });

  it('gives the redrive a role that reads the failure queue and the stream and invokes the consumer, nothing more', () => {
    const policy = resourcesOf(ingest, 'AWS::IAM::Policy').find(([id]) => id.startsWith('RedriveRole'))?.[1];
    const doc = policy?.Properties?.PolicyDocument as {
      Statement: { Action: string | string[]; Resource: unknown }[];
    };
    const actions = doc.Statement.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining([
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'kinesis:GetShardIterator',
        'kinesis:GetRecords',
        'lambda:InvokeFunction',
      ]),
    );
    expect(actions.some((a) => /Put|Send|Create|Update|Purge|\*/.test(a))).toBe(false);
    const invoke = doc.Statement.find((s) => s.Action === 'lambda:InvokeFunction');
    expect(invoke?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Consumer/), 'Arn'] });
    for (const output of ['FailureQueueUrl', 'ConsumerFunctionName', 'RedriveRoleArn']) {
      ingest.hasOutput(output, {});
    }
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
