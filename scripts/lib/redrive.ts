/**
 * The redrive of batches the event source mapping (or the local poller) gave up on.
 *
 * Each failure-queue message names a shard and a sequence range, not the records (SPEC §7).
 * The redrive reads that range back from the stream (GetShardIterator AT_SEQUENCE_NUMBER) while
 * it is within the stream's retention, feeds it to the same consumer handler in batches, and
 * deletes the message only when every record was applied. Applying a tick twice changes nothing
 * (the latest-price rule; quarantine rows are keyed by event id), so a redrive may be repeated.
 */
import {
  type _Record,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import {
  type FailureQueue,
  type KinesisFailureRecord,
  kinesisFailureRecordSchema,
  streamNameOf,
} from '../../local/failure-queue';
import { kinesisStreamRecord, lambdaContext } from '../../local/lambda';

export type ConsumerHandler = (
  event: KinesisStreamEvent,
  context: Context,
) => Promise<KinesisStreamBatchResponse | undefined>;

export interface RedriveOptions {
  queue: FailureQueue;
  kinesis: KinesisClient;
  handler: ConsumerHandler;
  /** Records per consumer invocation (the mapping's batch size). */
  batchSize?: number;
  log?: (line: string) => void;
}

export interface RedriveResult {
  /** Messages whose whole range was applied and which were deleted. */
  redriven: number;
  /** Records handed to the consumer. */
  records: number;
  /** Messages left in the queue (unreadable, beyond retention, or the consumer failed). */
  kept: number;
}

/** Upper bound on GetRecords calls for one range (each returns up to 10,000 records). */
const MAX_READS = 1_000;
/** Upper bound on messages handled in one run. */
const MAX_MESSAGES = 10_000;

/** The records of `shardId` from `start` to `end` (inclusive) that are still in the stream. */
async function readRange(
  kinesis: KinesisClient,
  info: KinesisFailureRecord['KinesisBatchInfo'],
): Promise<_Record[]> {
  const end = BigInt(info.endSequenceNumber);
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: streamNameOf(info.streamArn),
      ShardId: info.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      StartingSequenceNumber: info.startSequenceNumber,
    }),
  );
  const records: _Record[] = [];
  let it = ShardIterator;
  for (let reads = 0; it && reads < MAX_READS; reads++) {
    const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }));
    for (const r of out.Records ?? []) {
      if (BigInt(r.SequenceNumber ?? '0') > end) return records;
      records.push(r);
    }
    if (records.at(-1)?.SequenceNumber === info.endSequenceNumber) return records;
    // An empty read at the tip of the shard: nothing more will come for this range.
    if ((out.Records ?? []).length === 0 && !out.MillisBehindLatest) return records;
    it = out.NextShardIterator;
  }
  return records;
}

/** Apply every message of `queue`; see RedriveResult. */
export async function redrive(options: RedriveOptions): Promise<RedriveResult> {
  const { queue, kinesis, handler } = options;
  const batchSize = options.batchSize ?? 200;
  const log = options.log ?? (() => {});
  const result: RedriveResult = { redriven: 0, records: 0, kept: 0 };
  try {
    for (let handled = 0; handled < MAX_MESSAGES; ) {
      const messages = await queue.receive();
      if (messages.length === 0) break;
      for (const message of messages) {
        handled += 1;
        const parsed = kinesisFailureRecordSchema.safeParse(safeJson(message.body));
        if (!parsed.success) {
          log(`kept a message that is not a Kinesis on-failure record: ${message.body.slice(0, 200)}`);
          result.kept += 1;
          continue;
        }
        const info = parsed.data.KinesisBatchInfo;
        const range = `${info.shardId} ${info.startSequenceNumber}…${info.endSequenceNumber}`;
        try {
          const records = await readRange(kinesis, info);
          const complete = records[0]?.SequenceNumber === info.startSequenceNumber;
          for (let i = 0; i < records.length; i += batchSize) {
            const batch = records.slice(i, i + batchSize);
            const response = await handler(consumerEvent(info, batch), lambdaContext('consumer'));
            if ((response?.batchItemFailures ?? []).length > 0) {
              throw new Error('the consumer reported failures (is the database reachable?)');
            }
            result.records += batch.length;
          }
          if (!complete) {
            log(`kept ${range}: its first records are no longer in the stream (retention ended)`);
            result.kept += 1;
            continue;
          }
          await message.delete();
          result.redriven += 1;
          log(`redriven ${range}: ${records.length} records applied`);
        } catch (error) {
          log(`kept ${range}: ${(error as Error).message}`);
          result.kept += 1;
        }
      }
    }
  } finally {
    await queue.close();
  }
  return result;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The event Lambda would have built for these records. */
function consumerEvent(
  info: KinesisFailureRecord['KinesisBatchInfo'],
  records: _Record[],
): KinesisStreamEvent {
  return {
    Records: records.map((r) => {
      const record = kinesisStreamRecord({
        stream: streamNameOf(info.streamArn),
        shardId: info.shardId,
        sequenceNumber: r.SequenceNumber ?? '0',
        partitionKey: r.PartitionKey ?? '',
        data: r.Data ?? new Uint8Array(),
        arrivalMs: r.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
      });
      return { ...record, eventSourceARN: info.streamArn };
    }),
  };
}

/** The failure queue in AWS: the SQS on-failure destination of the consumer's mapping. */
export function sqsFailureQueue(sqs: SQSClient, queueUrl: string): FailureQueue {
  return {
    async receive() {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          // Long polling asks every SQS server, so an empty answer means an empty queue.
          WaitTimeSeconds: 2,
          // Long enough to re-read and apply a range; a message kept reappears after it.
          VisibilityTimeout: 300,
        }),
      );
      return (out.Messages ?? []).map((m) => ({
        body: m.Body ?? '',
        delete: async () => {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
        },
      }));
    },
    async close() {},
  };
}

/** The consumer in AWS: the deployed function, invoked with the event (it alone reaches the database). */
export function lambdaConsumer(lambda: LambdaClient, functionName: string): ConsumerHandler {
  return async (event) => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }),
    );
    const text = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8');
    if (out.FunctionError) throw new Error(`the consumer function failed: ${text.slice(0, 500)}`);
    return JSON.parse(text) as KinesisStreamBatchResponse;
  };
}
