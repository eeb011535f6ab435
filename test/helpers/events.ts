/** Typed event factories: Kinesis batches and API Gateway v2 HTTP events, as AWS delivers them. */
import type { APIGatewayProxyEventV2, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import fc from 'fast-check';
import { kinesisStreamRecord, lambdaContext } from '../../local/lambda';

export { lambdaContext };

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
  const text = typeof input.data === 'string' ? input.data : JSON.stringify(input.data);
  const partitionKey =
    input.partitionKey ??
    (typeof input.data === 'object' && input.data && 'symbol' in input.data
      ? String(input.data.symbol)
      : 'x');
  return kinesisStreamRecord({
    stream: 'price-ticks',
    shardId: input.shardId ?? 'shardId-000000000000',
    sequenceNumber: input.sequenceNumber ?? nextSequenceNumber(),
    partitionKey,
    data: Buffer.from(text, 'utf8'),
    arrivalMs: input.arrivalMs ?? Date.now(),
  });
}

export function kinesisEvent(records: Array<RecordInput | KinesisStreamRecord>): KinesisStreamEvent {
  return { Records: records.map((r) => ('kinesis' in r ? r : kinesisRecord(r))) };
}

/**
 * One to twelve ticks delivered more than one way, for order-independence properties: the
 * `records` in order; the same records `shuffled` and cut at `split` into two batches; and
 * `again`, some of them to deliver once more (duplicates, replays).
 */
export function deliveries(tick: fc.Arbitrary<unknown>, arrivalMs: number) {
  return fc
    .array(tick, { minLength: 1, maxLength: 12 })
    .map((ticks) => ticks.map((data) => kinesisRecord({ data, arrivalMs })))
    .chain((records) =>
      fc.record({
        records: fc.constant(records),
        shuffled: fc.shuffledSubarray(records, { minLength: records.length }),
        split: fc.integer({ min: 1, max: records.length }),
        again: fc.subarray(records),
      }),
    );
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
