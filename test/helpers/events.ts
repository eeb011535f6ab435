/** Typed event factories: Kinesis batches and API Gateway v2 HTTP events, as AWS delivers them. */
import type { APIGatewayProxyEventV2, Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

let sequence = 49_650_000_000_000_000_000_000_000_000_000_000_000_000_000n;

export function nextSequenceNumber(): string {
  sequence += 1n;
  return sequence.toString();
}

export interface RecordInput {
  /** An object is JSON-encoded; a string is sent as is (for garbage). */
  data: unknown;
  sequenceNumber?: string;
  partitionKey?: string;
  arrivalMs?: number;
  shardId?: string;
}

export function kinesisRecord(input: RecordInput): KinesisStreamRecord {
  const sequenceNumber = input.sequenceNumber ?? nextSequenceNumber();
  const shardId = input.shardId ?? 'shardId-000000000000';
  const text = typeof input.data === 'string' ? input.data : JSON.stringify(input.data);
  const partitionKey =
    input.partitionKey ??
    (typeof input.data === 'object' && input.data && 'symbol' in input.data
      ? String(input.data.symbol)
      : 'x');
  return {
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventSourceARN: 'arn:aws:kinesis:ap-south-1:123456789012:stream/price-ticks',
    awsRegion: 'ap-south-1',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/consumer',
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber,
      data: Buffer.from(text, 'utf8').toString('base64'),
      approximateArrivalTimestamp: (input.arrivalMs ?? Date.now()) / 1000,
    },
  };
}

export function kinesisEvent(records: Array<RecordInput | KinesisStreamRecord>): KinesisStreamEvent {
  return { Records: records.map((r) => ('kinesis' in r ? r : kinesisRecord(r))) };
}

export interface ApiEventInput {
  method?: string;
  path: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
}

export function apiEvent(input: ApiEventInput): APIGatewayProxyEventV2 {
  const method = input.method ?? 'GET';
  const headers: Record<string, string> = { 'content-type': 'application/json', ...input.headers };
  if (input.token) headers.authorization = `Bearer ${input.token}`;
  const rawQueryString = new URLSearchParams(input.query ?? {}).toString();
  return {
    version: '2.0',
    routeKey: `${method} ${input.path}`,
    rawPath: input.path,
    rawQueryString,
    headers,
    queryStringParameters: input.query,
    pathParameters: input.pathParameters,
    body:
      input.body === undefined
        ? undefined
        : typeof input.body === 'string'
          ? input.body
          : JSON.stringify(input.body),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: input.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: crypto.randomUUID(),
      routeKey: `${method} ${input.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}

export function lambdaContext(functionName = 'test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:ap-south-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 10_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
