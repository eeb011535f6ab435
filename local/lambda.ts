/**
 * The shapes Lambda hands a function, built the way AWS builds them: the invocation context, a
 * Kinesis stream record and an API Gateway v2 HTTP event. Used by the local poller, the local
 * HTTP server, the DR drill's in-process calls and the tests.
 */
import type { APIGatewayProxyEventV2, Context, KinesisStreamRecord } from 'aws-lambda';

const REGION = 'ap-south-1';
const ACCOUNT = '000000000000';

export interface ContextOptions {
  memoryMb?: number;
  /** The function's timeout: getRemainingTimeInMillis counts down from it. */
  timeoutMs?: number;
  requestId?: string;
}

export function lambdaContext(functionName = 'function', options: ContextOptions = {}): Context {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: String(options.memoryMb ?? 512),
    awsRequestId: options.requestId ?? crypto.randomUUID(),
    logGroupName: `/local/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => timeoutMs - (Date.now() - started),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export interface RecordFields {
  stream: string;
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
  arrivalMs: number;
}

/** A Kinesis record as the event source mapping delivers it (data base64-encoded). */
export function kinesisStreamRecord(r: RecordFields): KinesisStreamRecord {
  return {
    eventID: `${r.shardId}:${r.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventSourceARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${r.stream}`,
    awsRegion: REGION,
    invokeIdentityArn: `arn:aws:iam::${ACCOUNT}:role/consumer`,
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: r.partitionKey,
      sequenceNumber: r.sequenceNumber,
      data: Buffer.from(r.data).toString('base64'),
      approximateArrivalTimestamp: r.arrivalMs / 1000,
    },
  };
}

/** A price tick record of the `price-ticks` stream; the partition key is the tick's symbol. */
export interface TickRecordInput {
  /** An object is JSON-encoded; a string is sent as is (for garbage). */
  data: unknown;
  sequenceNumber: string;
  arrivalMs: number;
  partitionKey?: string;
  shardId?: string;
}

export function tickRecord(input: TickRecordInput): KinesisStreamRecord {
  const text = typeof input.data === 'string' ? input.data : JSON.stringify(input.data);
  const partitionKey =
    input.partitionKey ??
    (typeof input.data === 'object' && input.data && 'symbol' in input.data
      ? String(input.data.symbol)
      : 'x');
  return kinesisStreamRecord({
    stream: 'price-ticks',
    shardId: input.shardId ?? 'shardId-000000000000',
    sequenceNumber: input.sequenceNumber,
    partitionKey,
    data: Buffer.from(text, 'utf8'),
    arrivalMs: input.arrivalMs,
  });
}

export interface ApiEventInput {
  method?: string;
  path: string;
  token?: string;
  /** An object is JSON-encoded; a string is sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
}

/** An HTTP API (payload 2.0) event for a JSON request, with a bearer token when given. */
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
      accountId: ACCOUNT,
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path: input.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'local' },
      requestId: crypto.randomUUID(),
      routeKey: `${method} ${input.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
  };
}
