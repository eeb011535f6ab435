/**
 * The shapes Lambda hands a function, built the way AWS builds them: the invocation context and
 * a Kinesis stream record. Used by the local poller, the local HTTP server and the tests.
 */
import type { Context, KinesisStreamRecord } from 'aws-lambda';

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
